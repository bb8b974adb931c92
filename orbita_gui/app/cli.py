"""`orbita-gui replay TRACE`: replay a trace without a window and print what happened."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from orbita_gui.core.units import parse_size
from orbita_gui.traces import Replayer, TraceSyntaxError, machine_for, read_trace, replay
from orbita_gui.traces.stats_csv import write_stats_csv

MAX_LISTED_FAILURES = 20


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_replay_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orbita-gui replay",
        description="Replay a trace on the Orbita allocators, headless, and print a summary.",
    )
    parser.add_argument("trace", type=Path, help="a .trace, .rep, .ltrace or .ostep file")
    parser.add_argument("--heap-size", type=_size, help="heap size, e.g. 20MiB (a .rep's default)")
    parser.add_argument(
        "--report", action="store_true", help="also list the operations by kind and each failure"
    )
    parser.add_argument("--csv", type=Path, metavar="PATH", help="statistics after each operation")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="render the final state's window to a PNG"
    )
    return parser.parse_args(argv)


def replay_command(argv: list[str]) -> int:
    args = parse_replay_args(argv)
    try:
        trace = read_trace(args.trace, args.heap_size)
        machine = machine_for(trace)
    except (TraceSyntaxError, ValueError) as error:
        print(f"orbita-gui: {error}", file=sys.stderr)
        return 1
    report = replay(trace, machine, record=args.csv is not None)
    print(f"{trace.source}: {machine.heap.heap_size:,}-byte heap at {machine.heap.heap_start:#_x}")
    print(report.summary())
    if args.report:
        print_details(trace, args.heap_size)
    if args.csv:
        write_stats_csv(args.csv, trace, report.series)
        print(f"statistics per operation: {args.csv}")
    if args.screenshot:
        from .main import screenshot_of_trace

        return screenshot_of_trace(trace, args.screenshot)
    return 0


def print_details(trace, heap_size: int | None) -> None:
    """Operations by kind, and each failure with its line (replayed again, quickly)."""
    kinds = Counter(op.kind for op in trace.ops)
    print("operations by kind  " + ", ".join(f"{kind} {n:,}" for kind, n in sorted(kinds.items())))
    replayer = Replayer(trace, machine_for(trace, heap_size))
    failures = [f for f in (replayer.step().failure for _ in trace.ops) if f]
    for failure in failures[:MAX_LISTED_FAILURES]:
        print(f"  failed: {failure}")
    if len(failures) > MAX_LISTED_FAILURES:
        print(f"  ... and {len(failures) - MAX_LISTED_FAILURES:,} more failures")

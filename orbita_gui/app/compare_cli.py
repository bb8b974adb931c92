"""`orbita-gui compare TRACE --heap A --heap B ...`: one trace on two to four heap
allocators, and a table of them in the malloc lab's terms.

Refused as `orbita-gui replay` refuses (see `cli`): one line on stderr; status 1
for a bad trace, a machine or an output refused; 2 for bad options, a heap spec
that names no allocator or setting among them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orbita_gui.core.errors import InvalidParameterError, OrbitaError, cut
from orbita_gui.traces import read_trace
from orbita_gui.traces.compare import (
    FEWEST_HEAPS,
    MOST_HEAPS,
    HeapSpec,
    compare,
    parse_heap_spec,
    table_lines,
    write_comparison_csv,
)

from .cli import Parser, Refused, TerminalProgress, _print_warnings, run_command, size_option
from .output_paths import unwritable


def _heap_spec(text: str) -> HeapSpec:
    try:
        return parse_heap_spec(text)
    except InvalidParameterError as error:  # the parser's one line names the spec
        raise argparse.ArgumentTypeError(f"{cut(text)!r}: {error}") from None


def parse_compare_args(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog="orbita-gui compare",
        description="Replay one trace on two to four heap allocators and compare them.",
        epilog="A SPEC is comma-separated words: an allocator's name (guide, ostep, "
        "free-list; none: free-list), name=value, a flag's name (coalesce: yes), or one "
        "parameter's choice (best: fit=best). E.g. --heap guide --heap best,addrsort,coalesce "
        "--heap free-list:fit=worst,header=8. Exit status: 0 done; 1 a bad trace, a "
        "machine or an output refused, or output cut short; 2 bad options.",
    )
    parser.add_argument("trace", type=Path, help="a .trace, .rep, .ltrace or .ostep file")
    parser.add_argument(
        "--heap",
        type=_heap_spec,
        action="append",
        required=True,
        metavar="SPEC",
        help=f"a heap allocator to replay on, {FEWEST_HEAPS} to {MOST_HEAPS} of them",
    )
    parser.add_argument(
        "--heap-size", type=size_option, help="heap size, e.g. 20MiB (a .rep's default)"
    )
    parser.add_argument("--csv", type=Path, metavar="PATH", help="also write the table as CSV")
    parser.add_argument(
        "--gui",
        action="store_true",
        help="then play the trace on them side by side in a window (View > Compare allocators)",
    )
    args = parser.parse_args(argv)
    if not FEWEST_HEAPS <= len(args.heap) <= MOST_HEAPS:
        parser.error(f"give {FEWEST_HEAPS} to {MOST_HEAPS} --heap options, not {len(args.heap)}")
    return args


def compare_command(argv: list[str]) -> int:
    return run_command(_compare, parse_compare_args(argv))


def _compare(args: argparse.Namespace) -> int:
    why = args.csv and unwritable(args.csv)  # before the replays, not after
    if why:
        raise Refused(f"cannot write {args.csv}: {why}")
    try:
        trace = read_trace(args.trace, args.heap_size)
    except (OrbitaError, ValueError) as error:
        raise Refused(error) from None
    _print_warnings(trace.warnings)
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        comparison = compare(trace, args.heap, progress)
    except OrbitaError as error:  # a machine the limits refuse, before any replay
        raise Refused(error) from None
    finally:
        if progress:
            progress.clear()
    print(
        f"{trace.source}: {len(trace.ops):,} operations, {comparison.heap_size:,}-byte heap "
        f"at {comparison.heap_start:#_x}"
    )
    print("\n".join(table_lines(comparison)))
    divergence = comparison.divergence
    if divergence is None:
        print("no difference: every allocator gave the same answer to every operation")
    else:
        print(divergence.describe(comparison.titles))
    if args.csv:
        try:
            write_comparison_csv(args.csv, comparison)
        except OSError as error:
            raise Refused(f"cannot write {args.csv}: {error.strerror or error}") from None
        print(f"table as CSV: {args.csv}")
    sys.stdout.flush()  # a closed pipe shows here, inside run_command's guard
    if args.gui:
        from .main import open_window  # here: only a window needs Qt

        return open_window(trace, args.trace.name, then=lambda w: w.compare.open(args.heap))
    return 0

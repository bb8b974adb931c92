"""`orbita-gui replay TRACE`: replay a trace without a window and print what happened.

Everything refused is said in one line on stderr, `orbita-gui: ...`, never a
traceback. Exit status: 0 done; 1 a bad trace (with its `file:line:column`), a
machine the limits refuse, an output that cannot be written, or standard
output closed early (`| head`: then quietly, as Python's `signal` docs advise);
2 options the parser refuses.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO

from orbita_gui.core import registry
from orbita_gui.core.errors import OrbitaError
from orbita_gui.core.units import parse_size
from orbita_gui.traces import Replayer, machine_for, read_trace, replay
from orbita_gui.traces.narration import narrate_all
from orbita_gui.traces.stats_csv import write_stats_csv

from .output_paths import unwritable
from .screenshot import add_screenshot_options, screenshot_of_machine, shot_of

WARNINGS_LISTED = 20
"""A trace's warnings printed at most; the rest are counted."""
PROGRESS_SECONDS = 0.25
"""Time between two updates of the progress line on a terminal."""


class Parser(argparse.ArgumentParser):
    """argparse, refusing bad options in one line rather than usage and message."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"orbita-gui: {message} (see: {self.prog} --help)\n")


def size_option(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_replay_args(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog="orbita-gui replay",
        description="Replay a trace on the Orbita allocators, headless, and print a summary.",
        epilog="Exit status: 0 done; 1 a bad trace, a machine or an output refused, or "
        "output cut short; 2 bad options.",
    )
    parser.add_argument("trace", type=Path, help="a .trace, .rep, .ltrace or .ostep file")
    parser.add_argument(
        "--heap-size", type=size_option, help="heap size, e.g. 20MiB (a .rep's default)"
    )
    told = parser.add_mutually_exclusive_group()
    told.add_argument(
        "--report", action="store_true", help="also list the operations by kind and each failure"
    )
    told.add_argument("--csv", type=Path, metavar="PATH", help="statistics after each operation")
    told.add_argument(
        "--narrate",
        action="store_true",
        help="tell each operation step by step, with the reasons and the trace's comments",
    )
    add_screenshot_options(parser, "the final state's window")
    _add_heap_options(parser)
    return parser.parse_args(argv)


def _add_heap_options(parser: argparse.ArgumentParser) -> None:
    """`--heap NAME` and one option per parameter of the registry's heap allocators: a new
    allocator's parameters appear here without a change to this file."""
    heaps = registry.kinds(registry.HEAP)
    group = parser.add_argument_group(
        "heap allocator", "the trace's own ('allocator' line), or the guide's, unless given"
    )
    group.add_argument("--heap", choices=list(heaps), help="the heap allocator to replay on")
    seen: set[str] = set()
    for kind in heaps.values():
        for param in kind.params:
            if param.name in seen:
                continue
            seen.add(param.name)
            flag = "--" + param.name.replace("_", "-")
            text = f"{param.help or param.name} (default: {param.format(param.default)})"
            if isinstance(param.default, bool):
                group.add_argument(
                    flag, action=argparse.BooleanOptionalAction, default=None, help=text
                )
            elif param.choices:
                group.add_argument(flag, choices=param.choices, default=None, help=text)
            else:
                group.add_argument(flag, type=int, default=None, metavar="N", help=text)
    parser.set_defaults(heap_params_given=sorted(seen))


def _with_heap(trace, args: argparse.Namespace):
    """The trace with the heap allocator the options ask for, over the one it names."""
    name = args.heap or trace.heap_kind or "guide"
    kind = registry.kind(name)
    params = dict(trace.heap_params) if name == (trace.heap_kind or "guide") else {}
    for key in args.heap_params_given:
        value = getattr(args, key)
        if value is not None:
            kind.param(key)  # refuses an option this allocator does not take
            params[key] = value
    registry.create(name, **params)  # refuses parameters that do not go together
    return dataclasses.replace(trace, heap_kind=name, heap_params=tuple(params.items()))


class Refused(Exception):
    """Something the command cannot do; its message is the one line printed."""


def replay_command(argv: list[str]) -> int:
    return run_command(_replay, parse_replay_args(argv))


def run_command(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """`command(args)`, what it refuses (`Refused`) said in one line, status 1."""
    try:
        return command(args)
    except Refused as refused:
        print(f"orbita-gui: {refused}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        # Python flushes stdout at exit: point it at devnull so that fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _replay(args: argparse.Namespace) -> int:
    for path in (args.csv, args.screenshot):  # before a long replay, not after
        if path is not None:
            why = unwritable(path)
            if why:
                raise Refused(f"cannot write {path}: {why}")
    try:
        trace = _with_heap(read_trace(args.trace, args.heap_size), args)
        machine = machine_for(trace)  # read_trace put --heap-size in the trace
    except (OrbitaError, ValueError) as error:
        raise Refused(error) from None
    _print_warnings(trace.warnings)
    if args.narrate:
        return _narrate(trace, machine, args)
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        report = replay(trace, machine, record=args.csv is not None, progress=progress)
    finally:
        if progress:
            progress.clear()
    heap = machine.heap
    frames = "" if machine.frames_kind == "bitmap" else f"; frames: {machine.frames_kind}"
    print(
        f"{trace.source}: {heap.heap_size:,}-byte heap at {heap.heap_start:#_x}, "
        f"{machine.heap_kind} ({registry.rules_in_words(heap)}){frames}"
    )
    print(report.summary())
    if args.report:
        print(report.details())
    if args.csv:
        try:
            write_stats_csv(args.csv, trace, report.series)
        except OSError as error:
            raise Refused(f"cannot write {args.csv}: {error.strerror or error}") from None
        print(f"statistics per operation: {args.csv}")
    return _finish(machine, args)


def _narrate(trace, machine, args: argparse.Namespace) -> int:
    """Each operation told as the narration panel tells it, as the replay goes."""
    replayer = Replayer(trace, machine, keep_history=False)
    outcomes = ((op, replayer.step(op)) for op in trace.ops)
    for line in narrate_all(trace, outcomes):
        print(line)
    return _finish(machine, args)


def _finish(machine, args: argparse.Namespace) -> int:
    status = 0
    if args.screenshot:
        status = screenshot_of_machine(machine, shot_of(args))
    sys.stdout.flush()  # a closed pipe shows here, inside replay_command's guard
    return status


def _print_warnings(warnings) -> None:
    """A trace's warnings on stderr, one a line, the first `WARNINGS_LISTED` of them."""
    for warning in warnings[:WARNINGS_LISTED]:
        print(warning, file=sys.stderr)
    if len(warnings) > WARNINGS_LISTED:
        print(f"... and {len(warnings) - WARNINGS_LISTED:,} more warnings", file=sys.stderr)


class TerminalProgress:
    """A replay's progress on a terminal: percentage and speed, rewritten in place with
    `\\r` at most every `PROGRESS_SECONDS`, and cleared at the end."""

    def __init__(self, stream: TextIO, clock=time.perf_counter) -> None:
        self.stream, self.clock = stream, clock
        self.start = self.shown_at = clock()
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.shown_at < PROGRESS_SECONDS:
            return
        self.shown_at = now
        speed = done / (now - self.start) if now > self.start else 0.0
        text = f"replaying: {done / total:.0%} of {total:,} operations, {speed:,.0f} a second"
        self._write("\r" + text.ljust(self.width))
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

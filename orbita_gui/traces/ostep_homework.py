"""`orbita-gui ostep`: OSTEP's vm-freespace `malloc.py`, run on Orbita's free-list heap.

Teachers set homework with `malloc.py` (remzi-arpacidusseau/ostep-homework); this
takes its options and prints what it prints, byte for byte, quirks included, so
that the same homework can then be watched in the window (`--gui`). Where
`malloc.py` dies with a traceback, this prints the same output up to there and
one line `orbita-gui: ...` on stderr (exit status 1); bad options, one line and 2.
"""

from __future__ import annotations

import optparse
import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core.errors import OrbitaError
from ..core.layout import Layout
from .trace import FREE as FREE_OP
from .trace import MALLOC, Ops, Trace

PROG = "orbita-gui ostep"
POLICIES = {"BEST": "best", "WORST": "worst", "FIRST": "first"}
ORDERS = {
    "ADDRSORT": "addrsort",
    "SIZESORT+": "sizesort+",
    "SIZESORT-": "sizesort-",
    "INSERT-FRONT": "insert-front",
    "INSERT-BACK": "insert-back",
}
ALLOC, FREE, SKIP = "alloc", "free", "skip"


@dataclass(frozen=True, slots=True)
class Step:
    """One operation of the run, as the window replays it and as `malloc.py` prints it.

    - `alloc`: `size` bytes asked for as ptr[`index`]; `ptr` is the user pointer the
      heap returned (header start + `-H`) and `block` is `index`, both None if it failed;
    - `free`: `Free(ptr[index])`, deallocating `ptr` of `size` bytes, the block living
      at ptr[index]'s address now: ptr[`block`], which with `-A` may be a later
      allocation than ptr[index]; `ptr` and `block` are None when it returned -1;
    - `skip`: `-A`'s "Invalid Free: Skipping" (an index past the allocations made).

    `question` is what is printed without `-c`, `answer` what is printed with it.
    """

    kind: str
    index: int
    size: int
    ptr: int | None
    question: str
    answer: str
    block: int | None = None


@dataclass(frozen=True)
class OstepRun:
    """A whole run: the heap to build and the operations to replay on it.

    The window builds `registry.create("ostep", **allocator)`, calls
    `init(heap_start, heap_size)` and replays `steps`. `stopped` is the reason
    (without `orbita-gui: `) when the run ends where `malloc.py` would crash.
    """

    allocator: dict[str, object]
    heap_start: int
    heap_size: int
    header: str
    steps: list[Step] = field(default_factory=list)
    stopped: str | None = None
    solve: bool = False

    def trace(self) -> Trace:
        """The run as a trace on the `ostep` heap, for `machine_for` and the player:
        `malloc ptr[i] SIZE` with alignment 1, `free ptr[k]` of the block actually freed
        (a free that returned -1 is a double free there). An op's `line` is its step's
        number from 1; skipped frees have no op."""
        ops = Ops()
        append = ops.appender()
        for number, step in enumerate(self.steps, 1):
            if step.kind == ALLOC:
                append(MALLOC, f"ptr[{step.index}]", step.size, 1, number)
            elif step.kind == FREE:
                freed = step.index if step.block is None else step.block
                append(FREE_OP, f"ptr[{freed}]", line=number)
        return Trace(
            "malloc.py",
            ops,
            heap_start=self.heap_start,
            heap_size=self.heap_size,
            heap_kind="ostep",
            heap_params=tuple(self.allocator.items()),
        )


class OstepOptionError(ValueError):
    """Options `malloc.py`'s parser refuses; the message is optparse's."""


class _Stop(Exception):
    """Where `malloc.py` stops with a traceback; `printed` is its last partial output."""

    def __init__(self, message: str, printed: str = "") -> None:
        super().__init__(message)
        self.printed = printed


class _HelpShown(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(optparse.OptionParser):
    """optparse as `malloc.py` uses it, raising instead of exiting."""

    def error(self, msg: str):
        raise OstepOptionError(msg)

    def exit(self, status: int = 0, msg: str | None = None):
        if msg:
            sys.stderr.write(msg)
        raise _HelpShown(status)


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="OSTEP's malloc.py (vm-freespace), on orbita-gui.")
    add = parser.add_option
    # The options of malloc.py, as it declares them.
    add("-s", "--seed", default=0, help="the random seed", type="int", dest="seed")
    add("-S", "--size", default=100, help="size of the heap", type="int", dest="heapSize")
    add("-b", "--baseAddr", default=1000, help="base address of heap", type="int", dest="baseAddr")
    add("-H", "--headerSize", default=0, help="size of the header", type="int", dest="headerSize")
    add(
        "-a",
        "--alignment",
        default=-1,
        help="align allocated units to size; -1->no align",
        type="int",
        dest="alignment",
    )
    add("-p", "--policy", default="BEST", help="list search (BEST, WORST, FIRST)", dest="policy")
    add(
        "-l",
        "--listOrder",
        default="ADDRSORT",
        help="list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)",
        dest="order",
    )
    add("-C", "--coalesce", default=False, help="coalesce the free list?", action="store_true")
    add("-n", "--numOps", default=10, help="number of random ops to generate", type="int",
        dest="opsNum")  # fmt: skip
    add("-r", "--range", default=10, help="max alloc size", type="int", dest="opsRange")
    add("-P", "--percentAlloc", default=50, help="percent of ops that are allocs", type="int",
        dest="opsPAlloc")  # fmt: skip
    add("-A", "--allocList", default="", dest="opsList",
        help="instead of random, list of ops (+10,-0,etc)")  # fmt: skip
    add("-c", "--compute", default=False, help="compute answers for me", action="store_true",
        dest="solve")  # fmt: skip
    # orbita-gui's own.
    add("--gui", default=False, action="store_true",
        help="also open the run in the window, paused at its first operation")  # fmt: skip
    return parser


def parse_options(argv: list[str]) -> optparse.Values:
    """`malloc.py`'s options (extra arguments are ignored, as it does); raises
    `OstepOptionError` for what its parser refuses."""
    options, _ = _parser().parse_args(list(argv))
    return options


def _header(options: optparse.Values) -> str:
    names = [
        ("seed", options.seed),
        ("size", options.heapSize),
        ("baseAddr", options.baseAddr),
        ("headerSize", options.headerSize),
        ("alignment", options.alignment),
        ("policy", options.policy),
        ("listOrder", options.order),
        ("coalesce", options.coalesce),
        ("numOps", options.opsNum),
        ("range", options.opsRange),
        ("percentAlloc", options.opsPAlloc),
        ("allocList", options.opsList),
        ("compute", options.solve),
    ]
    return "".join(f"{name} {value}\n" for name, value in names) + "\n"


def allocator_of(options: optparse.Values) -> dict[str, object]:
    """The heap's parameters for `registry.create("ostep", ...)`; raises `_Stop` for
    what `malloc.py`'s constructor asserts against (before it prints anything)."""
    if options.policy not in POLICIES:
        raise _Stop(f"-p {options.policy}: the policy must be BEST, WORST or FIRST")
    if options.order not in ORDERS:
        orders = ", ".join(ORDERS)
        raise _Stop(f"-l {options.order}: the list order must be one of {orders}")
    if options.alignment != -1 and options.alignment <= 0:
        raise _Stop(f"-a {options.alignment}: the alignment must be -1 (none) or positive")
    return {
        "fit": POLICIES[options.policy],
        "order": ORDERS[options.order],
        "coalesce": bool(options.coalesce),
        "header": options.headerSize,
        "round_to": 1 if options.alignment == -1 else options.alignment,
    }


def _create(allocator: dict[str, object]):
    from ..core.registry import create

    return create("ostep", **allocator)


def _dump(heap) -> str:
    regions = heap.free_regions()
    listed = "".join(f"[ addr:{start} sz:{size} ]" for start, size in regions)
    return f"Free List [ Size {len(regions)} ]: {listed}"


class _Run:
    """The heap and `malloc.py`'s bookkeeping: `live` maps a block's header start to
    its pointer's number and the size it was asked with (its `sizemap`)."""

    def __init__(self, options: optparse.Values, heap) -> None:
        self.options, self.heap = options, heap
        self.header = options.headerSize
        self.live: dict[int, tuple[int, int]] = {}

    def allocate(self, index: int, size: int) -> tuple[int, int, int | None]:
        """`malloc.py`'s `m.malloc(size)`: (header start or -1, elements searched, ptr)."""
        if size < 0:
            raise _Stop(
                f"ptr[{index}] = Alloc({size}): a negative size, which malloc.py takes "
                "(and breaks its free list with), orbita-gui does not"
            )
        try:
            event = self.heap.allocate_event(Layout(size, 1))
        except OrbitaError as error:
            raise _Stop(f"ptr[{index}] = Alloc({size}): {error}") from None
        visited = event.visited
        count = visited if isinstance(visited, int) else len(visited)
        if event.failed:
            return -1, count, None
        start = event.ptr - self.header
        if start in self.live:  # malloc.py's addToMap asserts
            raise _Stop(
                f"ptr[{index}] = Alloc({size}) would be at {start}, where "
                f"ptr[{self.live[start][0]}] still is (a zero-size block leaves the free "
                "space where it was): malloc.py stops on an assertion there"
            )
        self.live[start] = index, size
        return start, count, event.ptr

    def free(self, start: int) -> tuple[int, int, int | None, int | None]:
        """`malloc.py`'s `m.free(addr)`: (0 or -1, size freed, ptr freed, its number)."""
        if start not in self.live:
            return -1, 0, None, None
        block, size = self.live.pop(start)
        ptr = start + self.header
        try:
            self.heap.deallocate_event(ptr, Layout(size, 1))
        except OrbitaError as error:
            raise _Stop(f"free of the block at {start}: {error}") from None
        return 0, size, ptr, block

    def steps(self) -> Iterator[Step]:
        options = self.options
        percent = options.opsPAlloc / 100.0
        if not percent > 0:
            raise _Stop(f"-P {options.opsPAlloc}: the percentage of allocations must be positive")
        if options.opsList == "":
            yield from self._random(percent)
        else:
            yield from self._listed(options.opsList)

    def _random(self, percent: float) -> Iterator[Step]:
        """`malloc.py`'s random operations, drawn as it draws them."""
        options = self.options
        rng = random.Random(options.seed)  # malloc.py: random.seed(int(options.seed))
        p: dict[int, int] = {}
        order: list[int] = []
        c = j = 0
        while j < options.opsNum:
            if rng.random() < percent:
                size = int(rng.random() * options.opsRange) + 1
                start, count, ptr = self.allocate(c, size)
                if start != -1:
                    p[c] = start
                    order.append(c)
                line = f"ptr[{c}] = Alloc({size}) returned"
                # malloc.py adds the header size to what it prints, even to -1.
                answer = f"{line} {start + self.header} (searched {count} elements)\n"
                question = f"{line} ?\nList? \n\n"
                block = None if ptr is None else c
                yield Step(ALLOC, c, size, ptr, question, self._answer(answer), block)
                c += 1
                j += 1
            elif p:
                d = int(rng.random() * len(order))
                index = order[d]
                rc, size, ptr, block = self.free(p[index])
                line = f"Free(ptr[{index}])\nreturned"
                answer = self._answer(f"{line} {rc}\n")
                yield Step(FREE, index, size, ptr, f"{line} ?\nList? \n\n", answer, block)
                del p[index]
                del order[d]
                j += 1

    def _listed(self, listed: str) -> Iterator[Step]:
        """`-A`'s operations, read as `malloc.py` reads them."""
        p: dict[int, int] = {}
        c = 0
        for op in listed.split(","):
            if op == "":
                raise _Stop(f"-A {listed}: an empty operation (a comma too many)")
            if op[0] == "+":
                size = _number(op, op.split("+")[1])
                start, count, ptr = self.allocate(c, size)
                if start != -1:
                    p[c] = start
                line = f"ptr[{c}] = Alloc({size}) returned"
                answer = self._answer(f"{line} {start} (searched {count} elements)\n")
                question, block = f"{line} ?\nList?\n\n", None if ptr is None else c
                yield Step(ALLOC, c, size, ptr, question, answer, block)
                c += 1
            elif op[0] == "-":
                index = _number(op, op.split("-")[1])
                if index >= len(p):
                    yield Step(SKIP, index, 0, None, *["Invalid Free: Skipping\n"] * 2)
                    continue
                line = f"Free(ptr[{index}])\n"
                if index not in p:
                    raise _Stop(f"-{index} frees ptr[{index}], whose allocation failed", line)
                rc, size, ptr, block = self.free(p[index])
                answer = self._answer(f"{line}returned {rc}\n")
                question = f"{line}returned ?\nList?\n\n"
                yield Step(FREE, index, size, ptr, question, answer, block)
            else:
                raise _Stop(f"-A operation {op!r}: must be +Size or -Index")

    def _answer(self, lines: str) -> str:
        return f"{lines}{_dump(self.heap)}\n\n"


def _number(op: str, text: str) -> int:
    try:
        return int(text)  # as malloc.py reads it: " 5" and "1_0" pass, "+5+3" is 5
    except ValueError:
        raise _Stop(f"-A operation {op!r}: {text!r} is not a number") from None


def _start(options: optparse.Values) -> tuple[OstepRun, _Run]:
    allocator = allocator_of(options)
    run = OstepRun(
        allocator,
        options.baseAddr,
        options.heapSize,
        _header(options),
        solve=bool(options.solve),
    )
    try:
        heap = _create(allocator)
    except OrbitaError as error:  # what malloc.py takes but the heap does not model
        raise _Stop(f"-H {options.headerSize} -a {options.alignment}: {error}") from None
    try:
        heap.init(options.baseAddr, options.heapSize)
    except OrbitaError as error:
        raise _Stop(f"-S {options.heapSize} -b {options.baseAddr}: {error}") from None
    return run, _Run(options, heap)


def ops_of(argv: list[str]) -> OstepRun:
    """The run `orbita-gui ostep ARGV` prints, as operations for the window.

    Raises `OstepOptionError` for bad options. A run `malloc.py` would crash in
    has the operations before the crash and `stopped` set; one refused before
    its first operation has none.
    """
    options = parse_options(argv)
    try:
        run, state = _start(options)
    except _Stop as stop:
        return OstepRun({}, options.baseAddr, options.heapSize, "", stopped=str(stop))
    try:
        run.steps.extend(state.steps())
    except _Stop as stop:
        return OstepRun(
            run.allocator, run.heap_start, run.heap_size, run.header, run.steps, str(stop)
        )
    return run


def main(argv: list[str], show: Callable[[OstepRun], int] | None = None) -> int:
    """`orbita-gui ostep ARGV`: print what `malloc.py ARGV` prints. With `--gui`,
    `show(run)` then opens the run in the window and its status is returned."""
    try:
        options = parse_options(argv)
    except OstepOptionError as error:
        print(f"orbita-gui: {error} (see: {PROG} --help)", file=sys.stderr)
        return 2
    except _HelpShown as shown:
        return shown.status
    if options.gui and show is None:
        print("orbita-gui: --gui: no window to open the run in here", file=sys.stderr)
        return 2
    out = sys.stdout
    steps: list[Step] = []
    try:
        try:
            run, state = _start(options)
            out.write(run.header)
            for step in state.steps():
                out.write(step.answer if options.solve else step.question)
                if options.gui:
                    steps.append(step)
        except _Stop as stop:
            out.write(stop.printed)
            out.flush()
            print(f"orbita-gui: {stop}", file=sys.stderr)
            return 1
        out.flush()  # a closed pipe shows here, inside the guard
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if options.gui:
        run.steps.extend(steps)
        return show(run)
    return 0

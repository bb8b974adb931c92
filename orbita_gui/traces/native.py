"""orbita-gui's own trace format: plain text a teacher can write by hand.

    # comments start with #
    frames 1GiB                  physical memory (optional, before any operation), and
                                 its allocator if not the guide's: frames 1GiB buddy
    heap 0x444444440000 100KiB   the kernel heap's start and size (optional)
    allocator free-list fit=best order=addrsort coalesce=yes
                                 the heap allocator and its parameters (optional;
                                 the guide's when left out; see `orbita-gui kinds`)
    alloc-frame f1               allocate a frame, call it f1
    alloc-frames big 3           3 contiguous frames (a block: a buddy allocator's); a
                                 size is whole frames: alloc-frames page 2MiB
    free-frame f1                free a frame, or the block named by its first frame
    malloc a 24 8                allocate 24 bytes aligned to 8 (the alignment may be left out)
    realloc a 48                 grow or shrink a, keeping its alignment
    free a

Sizes may be written 4096, 0x1000, 4K or 4KiB. `null` is the null pointer:
`free null` does nothing, as free(NULL); no other operation may name it (it
would bind a block or frame that could never be freed). The header must
describe a machine `core.machine.check_machine` accepts, with replay's
defaults for what it leaves out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from ..core import registry
from ..core.addresses import FRAME_SIZE
from ..core.errors import InvalidMachineError, InvalidParameterError, LayoutError
from ..core.layout import Layout
from ..core.machine import HEAP_SIZE, check_machine, machine_sizes
from ..core.units import SIZE_FORMS, format_size, parse_size
from .source import error_at, numbered_lines, quoted, read_text
from .trace import (
    ALLOC_FRAME,
    ALLOC_FRAMES,
    FREE,
    FREE_FRAME,
    INTRO,
    MALLOC,
    NULL,
    REALLOC,
    Ops,
    Trace,
)

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
BARE_NUMBER = re.compile(r"0[xX][0-9a-fA-F_]+|[0-9_]+")
"""A count without a unit (alloc-frames' number of frames, not a size)."""
ARGUMENTS = {
    ALLOC_FRAME: (1,),
    ALLOC_FRAMES: (2,),
    FREE_FRAME: (1,),
    MALLOC: (2, 3),
    FREE: (1,),
    REALLOC: (2,),
}
USAGE = {
    ALLOC_FRAME: "alloc-frame NAME",
    ALLOC_FRAMES: "alloc-frames NAME COUNT (or a size: 2MiB)",
    FREE_FRAME: "free-frame NAME",
    MALLOC: "malloc NAME SIZE [ALIGN]",
    FREE: "free NAME",
    REALLOC: "realloc NAME SIZE",
    "frames": "frames SIZE [ALLOCATOR]",
    "heap": "heap START SIZE",
    "allocator": "allocator NAME [KEY=VALUE ...]",
}
HEADER = {"frames": ("a memory size",), "heap": ("an address", "a heap size")}
"""The header's keywords, and what each of their values is."""


class _Line(NamedTuple):
    """A header line, kept until the whole header can be checked."""

    number: int
    text: str
    values: tuple[int, ...]


def parse_native(text: str, source: str = "<trace>") -> Trace:
    """Read a whole trace; the first bad line raises `TraceSyntaxError`."""
    header: dict[str, _Line] = {}
    allocator = frames_kind = None
    ops = Ops()
    append = ops.appender()
    comments = _Comments()
    for number, line in numbered_lines(text):
        line, _, comment = line.partition("#")
        words = line.split()
        if not words:
            comments.hear(comment)
            continue
        keyword = words[0]
        if keyword == "allocator":
            if len(ops) or allocator is not None:
                why = "must come before operations" if len(ops) else "is given twice"
                raise error_at(source, number, line, 0, f"{keyword!r} {why}")
            allocator = _allocator(source, number, line, words)
        elif keyword in HEADER:
            if len(ops) or keyword in header:
                why = "must come before operations" if len(ops) else "is given twice"
                raise error_at(source, number, line, 0, f"{keyword!r} {why}")
            if keyword == "frames" and len(words) == 3:
                frames_kind = _frame_allocator(source, number, line, words[2])
                words = words[:2]
            header[keyword] = _Line(number, line, _header_values(source, number, line, words))
        else:
            append(*_operation(source, number, line, words), line=number)
            comments.explain(number, comment)
            continue
        comments.explain(INTRO, comment)
    _check_header(source, header)
    memory = header["frames"].values[0] if "frames" in header else None
    heap_start, heap_size = header["heap"].values if "heap" in header else (None, None)
    kind, params = allocator or (None, ())
    return Trace(
        source,
        ops,
        memory,
        heap_start,
        heap_size,
        heap_kind=kind,
        heap_params=params,
        frames_kind=frames_kind,
        comments=comments.done(),
    )


class _Comments:
    """A trace's comments by the line they explain: those on lines of their own go with
    the next line that says something, with its own comment after them; a blank `#`
    line starts a new paragraph. Those after the last operation go with it."""

    def __init__(self) -> None:
        self.by_line: dict[int, str] = {}
        self._waiting: list[str] = []
        self._last = INTRO

    def hear(self, comment: str) -> None:
        if comment.strip() or self._waiting:
            self._waiting.append(comment.strip())

    def explain(self, line: int, comment: str) -> None:
        self.hear(comment)
        paragraphs = [[]]
        for said in self._waiting:
            if said:
                paragraphs[-1].append(said)
            elif paragraphs[-1]:
                paragraphs.append([])
        text = "\n".join(" ".join(words) for words in paragraphs if words)
        if text:
            known = self.by_line.get(line)
            self.by_line[line] = text if known is None else f"{known}\n{text}"
        self._waiting = []
        self._last = line

    def done(self) -> dict[int, str]:
        if self._waiting:
            self.explain(self._last, "")
        return self.by_line


def _allocator(source: str, number: int, line: str, words: list[str]):
    """`(name, params)` of an `allocator` line, made once to check that they go together."""
    if len(words) < 2:
        raise error_at(source, number, line, 0, f"expected {USAGE['allocator']!r}")
    heaps = registry.kinds(registry.HEAP)
    if words[1] not in heaps:
        message = f"no heap allocator is called {quoted(words[1])}; there are: {', '.join(heaps)}"
        raise error_at(source, number, line, 1, message)
    kind, params = heaps[words[1]], {}
    for index, word in enumerate(words[2:], 2):
        try:
            params |= kind.parse_params([word])
        except InvalidParameterError as error:
            raise error_at(source, number, line, index, str(error)) from None
    try:
        registry.create(kind.name, **params)
    except InvalidParameterError as error:
        raise error_at(source, number, line, 1, str(error)) from None
    return kind.name, tuple(params.items())


def _frame_allocator(source: str, number: int, line: str, word: str) -> str:
    """The frame allocator a `frames` line names, or an error pointing at it."""
    known = registry.kinds(registry.FRAMES)
    if word not in known:
        message = f"no frame allocator is called {quoted(word)}; there are: {', '.join(known)}"
        raise error_at(source, number, line, 2, message)
    return word


def _frame_count(source: str, number: int, line: str, words: list[str]) -> int:
    """alloc-frames' count: a number of frames, or a size (with its unit) of whole frames."""
    word = words[2]
    count = _size(source, number, line, words, 2, "a number of frames or a size")
    if not BARE_NUMBER.fullmatch(word):  # a size, with its unit
        if count % FRAME_SIZE:
            message = f"{quoted(word)} is not a whole number of {FRAME_SIZE:,}-byte frames"
            raise error_at(source, number, line, 2, message)
        count //= FRAME_SIZE
    if count < 1:
        raise error_at(source, number, line, 2, "a block holds 1 frame or more")
    return count


def _size(source: str, number: int, line: str, words: list[str], index: int, what: str) -> int:
    """Word `index` as a size, or an error pointing at it."""
    try:
        return parse_size(words[index])
    except ValueError:
        message = f"expected {what}, found {quoted(words[index])}: write {SIZE_FORMS}"
        raise error_at(source, number, line, index, message) from None


def _header_values(source: str, number: int, line: str, words: list[str]) -> tuple[int, ...]:
    wanted = HEADER[words[0]]
    if len(words) != 1 + len(wanted):
        raise error_at(source, number, line, 0, f"expected {USAGE[words[0]]!r}")
    return tuple(
        _size(source, number, line, words, index, what) for index, what in enumerate(wanted, 1)
    )


def _check_header(source: str, header: dict[str, _Line]) -> None:
    """The machine the header asks for, with replay's defaults for what it leaves out,
    must be one the core supports; else an error at the value at fault."""
    frames, heap = header.get("frames"), header.get("heap")
    if frames is None and heap is None:
        return
    heap_start, heap_size = heap.values if heap else (None, None)
    try:
        check_machine(*machine_sizes(frames.values[0] if frames else None, heap_start, heap_size))
    except InvalidMachineError as error:
        at_fault = {"memory_size": (frames, 1), "heap_start": (heap, 1), "heap_size": (heap, 2)}
        line, index = at_fault[error.parameter]
        message = str(error)
        if line is None:  # the default heap does not fit the memory given
            line, index = frames, 1
            message += f"; with no 'heap' line the heap is {format_size(HEAP_SIZE)}"
        raise error_at(source, line.number, line.text, index, message) from None


def _operation(source: str, number: int, line: str, words: list[str]) -> tuple[str, str, int, int]:
    """`(kind, name, size, align)` of an operation line."""
    keyword, args = words[0], words[1:]
    if keyword not in ARGUMENTS:
        known = ", ".join([*HEADER, *ARGUMENTS])
        message = f"unknown operation {quoted(keyword)}; expected {known}"
        raise error_at(source, number, line, 0, message)
    if len(args) not in ARGUMENTS[keyword]:
        raise error_at(source, number, line, 0, f"expected {USAGE[keyword]!r}")
    name = args[0]
    if name == "null":
        if keyword != FREE:
            message = (
                "'null' is the null pointer: it cannot name a block or a frame "
                "('free null' alone may use it, and does nothing)"
            )
            raise error_at(source, number, line, 1, message)
        name = NULL
    elif not NAME.fullmatch(name):
        message = f"{quoted(name)} is not a name: use letters, digits, _ . -"
        raise error_at(source, number, line, 1, message)
    if keyword == ALLOC_FRAMES:
        return keyword, name, _frame_count(source, number, line, words), 8
    if keyword not in (MALLOC, REALLOC):
        return keyword, name, 0, 8
    size = _size(source, number, line, words, 2, "a size in bytes")
    align = _size(source, number, line, words, 3, "an alignment") if len(args) == 3 else 8
    try:
        Layout(size, align)
    except LayoutError as error:
        at_fault = 3 if align & (align - 1) or not align else 2
        raise error_at(source, number, line, at_fault, str(error)) from None
    return keyword, name, size, align


def read_native(path: str | Path) -> Trace:
    path = Path(path)
    return parse_native(read_text(path), str(path))


def _size_text(size: int) -> str:
    for suffix, unit in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def format_native(trace: Trace, title: str = "orbita-gui session") -> str:
    """The trace as native text: reading it back gives the same operations."""
    out = [f"# {title}"]
    frames_kind = trace.frames_kind if trace.frames_kind != "bitmap" else None
    if trace.memory_size is not None or frames_kind is not None:
        memory = machine_sizes(trace.memory_size, trace.heap_start, trace.heap_size)[0]
        out.append(" ".join(["frames", _size_text(memory), *filter(None, [frames_kind])]))
    if trace.heap_size is not None:
        start = trace.heap_start if trace.heap_start is not None else 0
        out.append(f"heap {start:#x} {_size_text(trace.heap_size)}")
    if trace.heap_kind is not None:
        words = registry.kind(trace.heap_kind).format_params(dict(trace.heap_params))
        if trace.heap_kind != "guide" or words:  # the guide's is what no line means
            out.append(" ".join(["allocator", trace.heap_kind, *words]))
    for op in trace.ops:
        name = op.name or "null"
        if op.kind == MALLOC:
            out.append(f"{op.kind} {name} {op.size} {op.align}")
        elif op.kind in (REALLOC, ALLOC_FRAMES):
            out.append(f"{op.kind} {name} {op.size}")
        else:
            out.append(f"{op.kind} {name}")
    return "\n".join(out) + "\n"

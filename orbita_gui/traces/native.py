"""orbita-gui's own trace format: plain text a teacher can write by hand.

    # comments start with #
    frames 1GiB                  physical memory (optional, before any operation)
    heap 0x444444440000 100KiB   the kernel heap's start and size (optional)
    alloc-frame f1               allocate a frame, call it f1
    free-frame f1
    malloc a 24 8                allocate 24 bytes aligned to 8 (the alignment may be left out)
    realloc a 48                 grow or shrink a, keeping its alignment
    free a

Sizes may be written 4096, 0x1000, 4K or 4KiB. `null` names the null pointer.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import LayoutError
from ..core.layout import Layout
from ..core.units import parse_size
from .source import SourceLines, read_text
from .trace import ALLOC_FRAME, FREE, FREE_FRAME, MALLOC, NULL, REALLOC, Op, Trace

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
ARGUMENTS = {ALLOC_FRAME: 1, FREE_FRAME: 1, MALLOC: (2, 3), FREE: 1, REALLOC: 2}
USAGE = {
    ALLOC_FRAME: "alloc-frame NAME",
    FREE_FRAME: "free-frame NAME",
    MALLOC: "malloc NAME SIZE [ALIGN]",
    FREE: "free NAME",
    REALLOC: "realloc NAME SIZE",
}


def parse_native(text: str, source: str = "<trace>") -> Trace:
    """Read a whole trace; the first bad line raises `TraceSyntaxError`."""
    lines = SourceLines(source, text, comments=True)
    header: dict[str, tuple[int, ...]] = {}
    ops: list[Op] = []

    def size(line: int, text: str, token: str, what: str) -> int:
        try:
            return parse_size(token)
        except ValueError:
            raise lines.error(line, text, token, f"expected {what}, found {token!r}") from None

    for line, text in lines.rows:
        words = text.split()
        keyword, args = words[0], words[1:]
        if keyword in ("frames", "heap"):
            if ops:
                raise lines.error(line, text, keyword, f"{keyword!r} must come before operations")
            if keyword in header:
                raise lines.error(line, text, keyword, f"{keyword!r} is given twice")
            wanted = 1 if keyword == "frames" else 2
            if len(args) != wanted:
                usage = "frames SIZE" if keyword == "frames" else "heap START SIZE"
                raise lines.error(line, text, keyword, f"expected {usage!r}")
            header[keyword] = tuple(size(line, text, a, "a size or address") for a in args)
            continue
        if keyword not in ARGUMENTS:
            known = ", ".join(["frames", "heap", *ARGUMENTS])
            raise lines.error(
                line, text, keyword, f"unknown operation {keyword!r}; expected {known}"
            )
        counts = ARGUMENTS[keyword]
        if len(args) not in (counts if isinstance(counts, tuple) else (counts,)):
            raise lines.error(line, text, keyword, f"expected {USAGE[keyword]!r}")
        name = args[0]
        if name == "null":
            name = NULL
        elif not NAME.match(name):
            raise lines.error(line, text, name, f"{name!r} is not a name: use letters, digits, _")
        if keyword in (MALLOC, REALLOC):
            nbytes = size(line, text, args[1], "a size in bytes")
            align = size(line, text, args[2], "an alignment") if len(args) == 3 else 8
            try:
                Layout(nbytes, align)
            except LayoutError as error:
                raise lines.error(line, text, args[-1], str(error)) from None
            ops.append(Op(keyword, name, nbytes, align, line))
        else:
            ops.append(Op(keyword, name, line=line))
    memory = header.get("frames", (None,))[0]
    heap_start, heap_size = header.get("heap", (None, None))
    return Trace(source, tuple(ops), memory, heap_start, heap_size)


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
    if trace.memory_size is not None:
        out.append(f"frames {_size_text(trace.memory_size)}")
    if trace.heap_size is not None:
        start = trace.heap_start if trace.heap_start is not None else 0
        out.append(f"heap {start:#x} {_size_text(trace.heap_size)}")
    for op in trace.ops:
        name = op.name or "null"
        if op.kind == MALLOC:
            out.append(f"{op.kind} {name} {op.size} {op.align}")
        elif op.kind == REALLOC:
            out.append(f"{op.kind} {name} {op.size}")
        else:
            out.append(f"{op.kind} {name}")
    return "\n".join(out) + "\n"

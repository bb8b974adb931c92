"""Reading any trace file: the format is told by its name, else by its first line."""

from __future__ import annotations

import re
from pathlib import Path

from .ltrace import parse_ltrace
from .malloclab import DEFAULT_HEAP, malloclab_to_trace, parse_malloclab
from .native import parse_native
from .ostep import parse_ostep
from .source import read_text
from .trace import Trace

SUFFIXES = {".rep": "malloclab", ".trace": "native", ".ltrace": "ltrace", ".ostep": "ostep"}
FILE_FILTER = "Traces (*.trace *.rep *.ltrace *.ostep *.txt);;All files (*)"


def guess_format(path: Path, text: str) -> str:
    """`native`, `malloclab`, `ltrace` or `ostep`."""
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if re.search(r"\b(malloc|calloc|realloc|free)\(", text):
        return "ltrace"
    if first.isdigit():
        return "malloclab"
    if re.match(r"^[+-]\d", first):
        return "ostep"
    return "native"


def parse_trace(text: str, source: str, fmt: str, heap_size: int | None = None) -> Trace:
    """Read `text` in format `fmt`; a `.rep` runs in `heap_size` (default 20 MiB)."""
    if fmt == "malloclab":
        return malloclab_to_trace(parse_malloclab(text, source), heap_size or DEFAULT_HEAP)
    trace = {"native": parse_native, "ltrace": parse_ltrace, "ostep": parse_ostep}[fmt](
        text, source
    )
    if heap_size is not None:
        trace = Trace(trace.source, trace.ops, trace.memory_size, trace.heap_start, heap_size)
    return trace


def read_trace(path: str | Path, heap_size: int | None = None) -> Trace:
    """Read a trace file of any known format; errors name the file, line and column."""
    path = Path(path)
    text = read_text(path)
    return parse_trace(text, str(path), guess_format(path, text), heap_size)

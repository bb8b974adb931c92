"""Reading any trace file: the format is told by its name, else by its first line.

The extension decides where it names a format (`.trace`, `.rep`, `.ltrace`,
`.ostep`); otherwise (`.txt`, none) the first line that is neither blank nor a
`#` comment does, alone: a comment may mention `malloc(` in any trace.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .ltrace import LINE, parse_ltrace
from .malloclab import DEFAULT_HEAP, malloclab_to_trace, parse_malloclab
from .native import parse_native
from .ostep import parse_ostep
from .source import numbered_lines, read_text
from .trace import Trace

SUFFIXES = {".rep": "malloclab", ".trace": "native", ".ltrace": "ltrace", ".ostep": "ostep"}
FILE_FILTER = "Traces (*.trace *.rep *.ltrace *.ostep *.txt);;All files (*)"


def guess_format(path: Path, text: str) -> str:
    """`native`, `malloclab`, `ltrace` or `ostep`."""
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    first = next((s for _, line in numbered_lines(text) if (s := line.strip()) and s[0] != "#"), "")
    if LINE.match(first):
        return "ltrace"
    if first.isascii() and first.isdigit():
        return "malloclab"
    if re.match(r"[+-][0-9]", first):
        return "ostep"
    return "native"


def parse_trace(text: str, source: str, fmt: str, heap_size: int | None = None) -> Trace:
    """Read `text` in format `fmt`; a `.rep` runs in `heap_size` (default 20 MiB)."""
    if fmt == "malloclab":
        lab = parse_malloclab(text, source)
        return malloclab_to_trace(lab, DEFAULT_HEAP if heap_size is None else heap_size)
    trace = {"native": parse_native, "ltrace": parse_ltrace, "ostep": parse_ostep}[fmt](
        text, source
    )
    return trace if heap_size is None else replace(trace, heap_size=heap_size)


def read_trace(path: str | Path, heap_size: int | None = None) -> Trace:
    """Read a trace file of any known format; errors name the file, line and column."""
    path = Path(path)
    text = read_text(path)
    return parse_trace(text, str(path), guess_format(path, text), heap_size)

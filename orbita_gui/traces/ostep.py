"""OSTEP's `malloc.py` operation lists: `+10,-0,+5,-1`.

`+N` allocates N bytes, the k-th allocation (from 0) being pointer k; `-k`
frees pointer k. Operations are separated by commas, spaces or newlines.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.units import whole_number
from .errors import TraceSyntaxError
from .source import not_a_number, numbered_lines, read_text
from .trace import FREE, MALLOC, Ops, Trace

TOKEN = re.compile(r"[^,\s]+")


def parse_ostep(text: str, source: str = "<trace>") -> Trace:
    """Read a whole list; the first bad operation raises `TraceSyntaxError`."""
    ops = Ops()
    append, allocations = ops.appender(), 0
    for number, line in numbered_lines(text):
        for match in TOKEN.finditer(line.split("#", 1)[0]):
            token, column = match.group(), match.start() + 1
            value = whole_number(token[1:]) if token[0] in "+-" else None
            if value is None:
                message = not_a_number("+SIZE or -INDEX", token)
                raise TraceSyntaxError(source, number, column, message)
            if token[0] == "+":
                append(MALLOC, str(allocations), value, 8, number)
                allocations += 1
            elif value >= allocations:
                message = (
                    f"-{value} frees pointer {value}, "
                    f"but only {allocations} allocations came before it"
                )
                raise TraceSyntaxError(source, number, column, message)
            else:
                append(FREE, str(value), line=number)
    if not ops:
        raise TraceSyntaxError(source, 1, 1, "expected operations such as +10,-0; found none")
    return Trace(source, ops)


def read_ostep(path: str | Path) -> Trace:
    path = Path(path)
    return parse_ostep(read_text(path), str(path))

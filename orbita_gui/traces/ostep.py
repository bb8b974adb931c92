"""OSTEP's `malloc.py` operation lists: `+10,-0,+5,-1`.

`+N` allocates N bytes, the k-th allocation (from 0) being pointer k; `-k`
frees pointer k. Operations are separated by commas, spaces or newlines.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import TraceSyntaxError
from .source import read_text
from .trace import FREE, MALLOC, Op, Trace

TOKEN = re.compile(r"[^,\s]+")


def parse_ostep(text: str, source: str = "<trace>") -> Trace:
    ops: list[Op] = []
    allocations = 0
    for number, line in enumerate(text.splitlines(), 1):
        for match in TOKEN.finditer(line.split("#")[0]):
            token, column = match.group(), match.start() + 1
            sign, digits = token[0], token[1:]
            if sign not in "+-" or not digits.isdigit():
                raise TraceSyntaxError(
                    source, number, column, f"expected +SIZE or -INDEX, found {token!r}"
                )
            if sign == "+":
                ops.append(Op(MALLOC, str(allocations), int(digits), 8, number))
                allocations += 1
            elif int(digits) >= allocations:
                raise TraceSyntaxError(
                    source,
                    number,
                    column,
                    f"-{digits} frees pointer {digits}, "
                    f"but only {allocations} allocations came before it",
                )
            else:
                ops.append(Op(FREE, digits, line=number))
    if not ops:
        raise TraceSyntaxError(source, 1, 1, "expected operations such as +10,-0; found none")
    return Trace(source, tuple(ops))


def read_ostep(path: str | Path) -> Trace:
    path = Path(path)
    return parse_ostep(read_text(path), str(path))

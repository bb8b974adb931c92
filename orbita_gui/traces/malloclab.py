"""CS:APP malloc-lab traces (`.rep`), with every header variant found in the wild.

After a header of plain numbers, each line is one request:

    a ID SIZE    allocate SIZE bytes, remembered as ID
    f ID         free the block ID
    r ID SIZE    reallocate block ID to SIZE bytes

Headers: classic (suggested heap size, ids, operations, weight), two lines
(ids, operations), and the CMU 15-213 handout's (weight, ids, operations,
ignored ranges). The CMU traces of real programs also hold `f -1` (free of
NULL), `r` of an id never allocated (realloc of NULL) and `a ID` without a
size, meaning the size of the previous request again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import TraceSyntaxError
from .source import SourceLines, read_text
from .trace import FREE, MALLOC, NULL, REALLOC, Op, Trace

NULL_ID = -1
"""`f -1`: a free of NULL, which does nothing."""


@dataclass(frozen=True, slots=True)
class TraceOp:
    """One request: `kind` is "a", "f" or "r"; `size` is None for a free."""

    kind: str
    id: int
    size: int | None
    line: int


@dataclass(frozen=True, slots=True)
class MallocLabTrace:
    """A whole trace, read and checked; `suggested_heap` only in the classic header."""

    source: str
    num_ids: int
    ops: tuple[TraceOp, ...]
    suggested_heap: int | None


def _number(lines: SourceLines, index: int, what: str) -> int:
    if index >= len(lines.rows):
        raise TraceSyntaxError(lines.source, lines.end, 1, f"expected {what}, found end of file")
    line, text = lines.rows[index]
    token = text.split()[0]
    if len(text.split()) != 1 or not token.isdigit():
        raise lines.error(line, text, token, f"expected {what} (a whole number), found {text!r}")
    return int(token)


def _header(lines: SourceLines) -> tuple[int, int, int, int | None]:
    """`(num_ids, num_ops, first op row, suggested heap)` for whichever header it is."""
    count = 0
    while count < len(lines.rows) and lines.rows[count][1].split()[0].isdigit():
        count += 1
    if count == 2:
        return (
            _number(lines, 0, "the number of ids"),
            _number(lines, 1, "the number of operations"),
            2,
            None,
        )
    if count == 4:
        first = _number(lines, 0, "the heap size or weight")
        num_ids = _number(lines, 1, "the number of ids")
        num_ops = _number(lines, 2, "the number of operations")
        _number(lines, 3, "the weight or ignored ranges")
        # Classic headers open with a heap size; the CMU handout's with a weight of 0 or 1.
        return num_ids, num_ops, 4, first if first > 1 else None
    if count < len(lines.rows):
        line, text = lines.rows[count]
    else:  # the file ends inside the header
        line, text = lines.end, ""
    raise lines.error(
        line, text, None, f"expected a header of 2 or 4 lines of numbers, found {count}"
    )


def _int(lines: SourceLines, line: int, text: str, token: str, what: str) -> int:
    """`token` as an integer, or an error pointing at it."""
    try:
        return int(token)
    except ValueError:
        raise lines.error(line, text, token, f"expected {what}, found {token!r}") from None


def parse_malloclab(text: str, source: str = "<trace>") -> MallocLabTrace:
    """Read a whole trace; the first bad line raises `TraceSyntaxError`."""
    lines = SourceLines(source, text)
    num_ids, num_ops, first, suggested_heap = _header(lines)
    ops: list[TraceOp] = []
    previous_size: int | None = None
    for line, text_line in lines.rows[first:]:
        tokens = text_line.split()
        kind = tokens[0]
        if kind not in ("a", "f", "r"):
            raise lines.error(line, text_line, kind, f"expected a, f or r, found {kind!r}")
        wanted = 2 if kind == "f" else 3
        if len(tokens) > wanted:
            raise lines.error(line, text_line, tokens[wanted], "unexpected text after the request")
        if len(tokens) < 2:
            raise lines.error(line, text_line, None, f"expected an id after {kind!r}")
        ident = _int(lines, line, text_line, tokens[1], "an id")
        if not (0 <= ident < num_ids or (kind == "f" and ident == NULL_ID)):
            raise lines.error(
                line, text_line, tokens[1], f"id {ident} is outside 0..{num_ids - 1} (header)"
            )
        size = None
        if kind != "f":
            if len(tokens) == 3:
                size = _int(lines, line, text_line, tokens[2], "a size in bytes")
                if size < 0:
                    raise lines.error(line, text_line, tokens[2], f"size {size} is negative")
            elif kind == "a" and previous_size is not None:
                size = previous_size  # CMU traces: a missing size repeats the previous one
            else:
                raise lines.error(line, text_line, None, f"expected a size after {kind} {ident}")
            previous_size = size
        ops.append(TraceOp(kind, ident, size, line))
    if len(ops) != num_ops:
        last = lines.end - 1 if lines.rows else 1
        raise TraceSyntaxError(
            source, last, 1, f"the header announces {num_ops} operations, the file has {len(ops)}"
        )
    return MallocLabTrace(source, num_ids, tuple(ops), suggested_heap)


def read_malloclab(path: str | Path) -> MallocLabTrace:
    """Read a `.rep` file; errors name the file, line and column."""
    path = Path(path)
    return parse_malloclab(read_text(path), str(path))


MALLOC_ALIGN = 8
"""The malloc lab's alignment."""

DEFAULT_HEAP = 20 << 20
"""The heap a `.rep` trace runs in unless told otherwise: 20 MiB."""


def malloclab_to_trace(lab: MallocLabTrace, heap_size: int = DEFAULT_HEAP) -> Trace:
    """The same requests as named operations: id 7 becomes block `7`, `f -1` frees NULL."""
    kinds = {"a": MALLOC, "f": FREE, "r": REALLOC}
    ops = tuple(
        Op(
            kinds[op.kind],
            NULL if op.id == NULL_ID else str(op.id),
            op.size or 0,
            MALLOC_ALIGN,
            op.line,
        )
        for op in lab.ops
    )
    return Trace(lab.source, ops, heap_size=heap_size)

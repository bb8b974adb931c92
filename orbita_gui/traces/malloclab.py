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

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from ..core.units import whole_number
from .errors import TraceSyntaxError, trace_warning
from .source import ascii_hint, column, error_at, not_a_number, numbered_lines, quoted, read_text
from .trace import FREE, MALLOC, NULL, REALLOC, Op, Ops, Trace, _TupleLike

NULL_ID = -1
"""`f -1`: a free of NULL, which does nothing."""

MALLOC_ALIGN = 8
"""The malloc lab's alignment."""

DEFAULT_HEAP = 20 << 20
"""The heap a `.rep` trace runs in unless told otherwise: 20 MiB."""

KIND_OF = {"a": MALLOC, "f": FREE, "r": REALLOC}
LETTER_OF = {kind: letter for letter, kind in KIND_OF.items()}

Row = tuple[int, str, list[str]]
"""A non-blank line: its number, its text, its words."""


@dataclass(frozen=True, slots=True)
class TraceOp:
    """One request: `kind` is "a", "f" or "r"; `size` is None for a free."""

    kind: str
    id: int
    size: int | None
    line: int


class TraceOps(_TupleLike):
    """The requests as `TraceOp`s, read from the trace's operations (not a second copy)."""

    __slots__ = ("_ops",)

    def __init__(self, ops: Ops) -> None:
        self._ops = ops

    def __len__(self) -> int:
        return len(self._ops)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(map(_trace_op, self._ops[index]))
        return _trace_op(self._ops[index])

    def __iter__(self) -> Iterator[TraceOp]:
        return map(_trace_op, self._ops)


def _trace_op(op: Op) -> TraceOp:
    ident = NULL_ID if op.name == NULL else int(op.name)
    return TraceOp(LETTER_OF[op.kind], ident, None if op.kind == FREE else op.size, op.line)


@dataclass(frozen=True, slots=True)
class MallocLabTrace:
    """A whole trace, read and checked; `suggested_heap` only in the classic header.

    `operations` are the requests as named operations (id 7 is block `7`, `f -1`
    frees NULL); `ops` shows the same as `TraceOp`s.
    """

    source: str
    num_ids: int
    operations: Ops
    suggested_heap: int | None
    warnings: tuple[str, ...] = ()

    @property
    def ops(self) -> TraceOps:
        return TraceOps(self.operations)


def _rows(text: str) -> Iterator[Row]:
    for number, line in numbered_lines(text):
        words = line.split()
        if words:
            yield number, line, words


def _header(source: str, rows: Iterator[Row]) -> tuple[list[Row], Row | None, int]:
    """The header's lines (the first 4 at most), the first line after it (None at end
    of file), and the number of the header's last line."""
    header: list[Row] = []
    count = last = 0
    for row in rows:
        if not (row[2][0].isascii() and row[2][0].isdigit()):
            break
        count, last = count + 1, row[0]
        if count <= 4:
            header.append(row)
    else:
        row = None
    if count not in (2, 4):
        found = f"found {count}" + (f" before {quoted(row[2][0])}" if row else "")
        found += ascii_hint(row[2][0]) if row else ""
        number = row[0] if row else last + 1
        message = f"expected a header of 2 or 4 lines of numbers, {found}"
        raise TraceSyntaxError(source, number, 1, message)
    return header, row, last


def _number(source: str, row: Row, what: str) -> int:
    number, line, words = row
    if len(words) > 1:
        raise error_at(source, number, line, 1, f"expected {what} alone on its line")
    value = whole_number(words[0])
    if value is None:
        raise error_at(source, number, line, 0, not_a_number(what, words[0]))
    return value


def _header_numbers(source: str, header: list[Row]) -> tuple[int, int, int | None]:
    """`(num_ids, num_ops, suggested heap)` for whichever header it is."""
    if len(header) == 2:
        return (
            _number(source, header[0], "the number of ids"),
            _number(source, header[1], "the number of operations"),
            None,
        )
    first = _number(source, header[0], "the heap size or weight")
    num_ids = _number(source, header[1], "the number of ids")
    num_ops = _number(source, header[2], "the number of operations")
    _number(source, header[3], "the weight or ignored ranges")
    # Classic headers open with a heap size; the CMU handout's with a weight of 0 or 1.
    return num_ids, num_ops, first if first > 1 else None


def _not_whole(source: str, row: Row, index: int, noun: str, what: str) -> TraceSyntaxError:
    """The error for word `index` of `row`, which is not the whole number expected."""
    number, line, words = row
    token = words[index]
    negative = token[:1] == "-" and whole_number(token[1:]) is not None
    message = f"{noun} {token} is negative" if negative else not_a_number(what, token)
    return error_at(source, number, line, index, message)


_PLAIN = re.compile(r"^(?:([ar]) (\d{1,9}) (\d{1,9})|f (\d{1,9}))$", re.MULTILINE)
"""A request as the lab's own traces write them: one space apart, ids and sizes whole."""


PLAIN_CHUNK = 1 << 16
"""Characters of a plain file read in one sweep: whole lines, a few thousand."""


def _plain_requests(text: str, header_end: int, num_ids: int, num_ops: int) -> Ops | None:
    """The requests after the header's line `header_end`, read a few thousand lines at
    a sweep when the file is plain (every line a `_PLAIN` request, as many as
    announced, ids in range); None otherwise, for the reader that says what is wrong
    where."""
    start = 0
    for _ in range(header_end):
        start = text.find("\n", start) + 1
        if not start:
            return None
    end = len(text.rstrip("\n"))
    if "\r" in text or text.count("\n", start, end) + 1 != num_ops:
        return None
    ops, line = Ops(), header_end + 1
    while start < end:
        stop = text.find("\n", min(start + PLAIN_CHUNK, end))
        stop = end if stop < 0 else stop
        chunk = text[start:stop]
        requests = _PLAIN.findall(chunk)
        if len(requests) != chunk.count("\n") + 1:
            return None
        ids = [ident or freed for _, ident, _, freed in requests]
        if max(map(int, ids)) >= num_ids:
            return None
        kinds = [KIND_OF[letter or "f"] for letter, _, _, _ in requests]
        sizes = [int(size) if size else 0 for _, _, size, _ in requests]
        ops.extend_lines(kinds, ids, sizes, MALLOC_ALIGN, line)
        start, line = stop + 1, line + len(requests)
    return ops


def parse_malloclab(text: str, source: str = "<trace>") -> MallocLabTrace:
    """Read a trace as the lab's driver does: the header, then as many requests as it
    announces; what follows is not read (a warning names its first line). The first
    bad line raises `TraceSyntaxError`."""
    rows = _rows(text)
    header, first, last = _header(source, rows)
    num_ids, num_ops, suggested_heap = _header_numbers(source, header)
    plain = _plain_requests(text, last, num_ids, num_ops) if first else None
    if plain is not None:
        return MallocLabTrace(source, num_ids, plain, suggested_heap, ())
    ops = Ops()
    append, warnings = ops.appender(), []
    count, previous_size, id_warned = 0, None, False
    for row in chain([first], rows) if first else ():
        if count == num_ops:
            message = (
                f"the header announces {num_ops:,} operations: this line and the rest "
                "are not read, as the lab's driver does not read them"
            )
            warnings.append(trace_warning(source, row[0], 1, message))
            break
        kind, ident, size = _request(source, row, previous_size)
        previous_size = previous_size if kind == FREE else size
        if ident is not None and ident >= num_ids and not id_warned:
            warnings.append(_id_warning(source, row, ident, num_ids))
            id_warned = True
        append(kind, NULL if ident is None else str(ident), size, MALLOC_ALIGN, row[0])
        count, last = count + 1, row[0]
    if count < num_ops:
        message = f"the header announces {num_ops:,} operations, the file has {count:,}"
        raise TraceSyntaxError(source, last, 1, message)
    return MallocLabTrace(source, num_ids, ops, suggested_heap, tuple(warnings))


def _request(source: str, row: Row, previous_size: int | None) -> tuple[str, int | None, int]:
    """`(kind, id, size)` of a request line: id None for `f -1`, size 0 for a free, and
    the previous request's size for `a ID` without one (CMU traces)."""
    number, line, words = row
    kind = KIND_OF.get(words[0])
    if kind is None:
        raise error_at(source, number, line, 0, f"expected a, f or r, found {quoted(words[0])}")
    wanted = 2 if kind == FREE else 3
    if len(words) > wanted:
        raise error_at(source, number, line, wanted, "unexpected text after the request")
    if len(words) < 2:
        raise error_at(source, number, line, None, f"expected an id after {words[0]!r}")
    null = kind == FREE and words[1] == "-1"
    ident = None if null else whole_number(words[1])
    if ident is None and not null:
        raise _not_whole(source, row, 1, "id", "an id")
    if kind == FREE:
        return kind, ident, 0
    if len(words) == 3:
        size = whole_number(words[2])
        if size is None:
            raise _not_whole(source, row, 2, "size", "a size in bytes")
        return kind, ident, size
    if kind == MALLOC and previous_size is not None:
        return kind, ident, previous_size
    raise error_at(source, number, line, None, f"expected a size after {words[0]} {ident}")


def _id_warning(source: str, row: Row, ident: int, num_ids: int) -> str:
    number, line, _ = row
    return trace_warning(
        source,
        number,
        column(line, 1),
        f"id {ident} is outside 0..{num_ids - 1}, the header's {num_ids:,} ids; read anyway, "
        "as the lab's driver does (later such ids are not reported)",
    )


def read_malloclab(path: str | Path) -> MallocLabTrace:
    """Read a `.rep` file; errors name the file, line and column."""
    path = Path(path)
    return parse_malloclab(read_text(path), str(path))


def malloclab_to_trace(lab: MallocLabTrace, heap_size: int = DEFAULT_HEAP) -> Trace:
    """The same requests as named operations: id 7 becomes block `7`, `f -1` frees NULL."""
    return Trace(lab.source, lab.operations, heap_size=heap_size, warnings=lab.warnings)

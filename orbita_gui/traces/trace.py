"""A trace: named operations on one machine, whatever file format they came from.

Names are identities: `alloc-frame f1` binds `f1` to the frame the allocator
hands out, `malloc a 24` binds `a` to a block, and later operations refer to
them by name. A name may be bound again once it is freed.

A trace of real programs may hold millions of operations, so the readers keep
them in compact columns (`Ops`, about 15 bytes an operation instead of some
200 for a tuple of `Op`) and build each `Op` when it is asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat, starmap
from typing import NamedTuple, overload

ALLOC_FRAME, FREE_FRAME, MALLOC, FREE, REALLOC, ALLOC_FRAMES = (
    "alloc-frame",
    "free-frame",
    "malloc",
    "free",
    "realloc",
    "alloc-frames",
)
KINDS = (ALLOC_FRAME, FREE_FRAME, MALLOC, FREE, REALLOC, ALLOC_FRAMES)
FRAME_KINDS = frozenset((ALLOC_FRAME, FREE_FRAME, ALLOC_FRAMES))
"""The frame allocator's operations; every other is the heap's."""
NULL = ""
"""The name of the null pointer: `free` of it does nothing, `realloc` of it allocates."""
INTRO = 0
"""`Trace.comments`' key for what the author wrote before the first operation."""


@dataclass(frozen=True, slots=True)
class Op:
    """One operation; `size` and `align` matter for malloc and realloc only (for
    alloc-frames, `size` is the number of contiguous frames).

    After a realloc the block is known as `new_name` if given (a real program's
    new pointer, from ltrace), else by its old name.
    """

    kind: str
    name: str
    size: int = 0
    align: int = 8
    line: int = 0
    new_name: str | None = None


class OpRow(NamedTuple):
    """An `Op`'s fields in a named tuple, for a loop that only reads them (a headless
    replay, through `rows()`): made in C, where each `Op`, a frozen dataclass, costs a
    Python call, up to a fifth of what the heap takes for the operation."""

    kind: str
    name: str
    size: int
    align: int
    line: int
    new_name: str | None


_make_row = partial(tuple.__new__, OpRow)
"""`_make_row((kind, name, size, align, line, new_name))`: an `OpRow` from its fields."""


def rows(ops: Sequence[Op]) -> Iterator[Op | OpRow]:
    """The operations for a loop that only reads their fields: `Ops.rows()` if they are
    in columns, else the `Op`s themselves."""
    return ops.rows() if isinstance(ops, Ops) else iter(ops)


class _Numbers:
    """A column of whole numbers in a machine array; the rare one too large for it
    (a size beyond 4 GiB, say) is kept aside in a dict."""

    __slots__ = ("large", "values")

    def __init__(self, typecode: str) -> None:
        self.values = array(typecode)
        self.large: dict[int, int] = {}

    def append_large(self, value: int) -> None:
        """Append a value the array refused (`OverflowError`): kept aside, 0 in its place."""
        self.large[len(self.values)] = value
        self.values.append(0)

    def __getitem__(self, index: int) -> int:
        return self.large.get(index, self.values[index]) if self.large else self.values[index]

    def __iter__(self) -> Iterator[int]:
        if not self.large:
            return iter(self.values)
        large = self.large
        return (large.get(index, value) for index, value in enumerate(self.values))


class _TupleLike(Sequence):
    """A read-only sequence that compares and combines as the tuple it stands for."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, tuple | _TupleLike):
            return NotImplemented  # as a tuple, equal to no list
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Sequence) -> tuple:
        return (*self, *other)

    def __radd__(self, other: Sequence) -> tuple:
        return (*other, *self)

    def __mul__(self, times: int) -> tuple:
        return tuple(self) * times

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self):,} operations>"


class Ops(_TupleLike):
    """Operations in columns; indexing and iteration give `Op`s, slicing a tuple of them.

    Filled by a reader through `appender()`, then handed over read-only in a `Trace`.
    """

    __slots__ = (
        "_aligns",
        "_index",
        "_kinds",
        "_last",
        "_lines",
        "_name_of",
        "_names",
        "_new_names",
        "_sizes",
    )

    def __init__(self) -> None:
        self._kinds = array("B")  # index into KINDS
        self._names = array("I")  # index into _name_of
        self._name_of: list[str] = []
        self._index: dict[str, int] = {}  # name -> its index in _name_of
        self._sizes = _Numbers("I")
        self._aligns = _Numbers("H")
        self._lines = _Numbers("I")
        self._new_names: dict[int, int] = {}  # operation index -> name index (ltrace reallocs)
        self._last: tuple[int | None, Op | None] = (None, None)  # the latest asked for

    @classmethod
    def of(cls, ops: Sequence[Op]) -> Ops:
        """The same operations in columns."""
        columns = cls()
        append = columns.appender()
        for op in ops:
            append(op.kind, op.name, op.size, op.align, op.line, op.new_name)
        return columns

    def extend_lines(
        self,
        kinds: Sequence[str],
        names: Sequence[str],
        sizes: Sequence[int],
        align: int,
        line: int,
    ) -> None:
        """Add operations read from consecutive lines from `line` on, of one alignment
        and sizes under 4 GiB, column by column: a reader's quick way for a plain file."""
        codes = {kind: code for code, kind in enumerate(KINDS)}
        self._kinds.extend(map(codes.__getitem__, kinds))
        index, name_of = self._index, self._name_of
        for name in dict.fromkeys(names):
            if name not in index:
                index[name] = len(name_of)
                name_of.append(name)
        self._names.extend(map(index.__getitem__, names))
        self._sizes.values.extend(sizes)
        self._aligns.values.extend(array("H", [align]) * len(kinds))
        self._lines.values.extend(range(line, line + len(kinds)))

    def appender(self) -> Callable[..., None]:
        """`append(kind, name, size=0, align=8, line=0, new_name=None)`, adding one
        operation: for the readers, while reading; fast enough for millions."""
        kinds, names = self._kinds.append, self._names.append
        sizes, aligns, lines = self._sizes, self._aligns, self._lines
        add_size, add_align, add_line = (
            sizes.values.append,
            aligns.values.append,
            lines.values.append,
        )
        index, name_of, new_names = self._index, self._name_of, self._new_names
        kind_code = {kind: code for code, kind in enumerate(KINDS)}

        def number(name: str) -> int:
            code = index.get(name)
            if code is None:
                code = index[name] = len(name_of)
                name_of.append(name)
            return code

        def append(kind, name, size=0, align=8, line=0, new_name=None) -> None:
            if new_name is not None:
                new_names[len(self._kinds)] = number(new_name)
            kinds(kind_code[kind])
            code = index.get(name)
            names(number(name) if code is None else code)
            try:
                add_size(size)
            except OverflowError:
                sizes.append_large(size)
            try:
                add_align(align)
            except OverflowError:
                aligns.append_large(align)
            try:
                add_line(line)
            except OverflowError:
                lines.append_large(line)

        return append

    def __len__(self) -> int:
        return len(self._kinds)

    @overload
    def __getitem__(self, index: int) -> Op: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Op, ...]: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        count = len(self._kinds)
        if not -count <= index < count:
            raise IndexError("operation index out of range")
        position = index % count
        if position == self._last[0]:  # a replay asks for the same operation twice in a row
            return self._last[1]
        new_name = self._new_names.get(position)
        op = Op(
            KINDS[self._kinds[position]],
            self._name_of[self._names[position]],
            self._sizes[position],
            self._aligns[position],
            self._lines[position],
            None if new_name is None else self._name_of[new_name],
        )
        self._last = (position, op)
        return op

    def __iter__(self) -> Iterator[Op]:
        return starmap(Op, self._rows())

    def rows(self) -> Iterator[OpRow]:
        """The operations as `OpRow`s, for a loop that only reads them."""
        return map(_make_row, self._rows())  # the loop in C, and no Python call at all

    def _rows(self) -> Iterator[tuple]:
        """Each operation's fields, in `Op`'s order, in a plain tuple."""
        return zip(
            map(KINDS.__getitem__, self._kinds),
            map(self._name_of.__getitem__, self._names),
            self._sizes,
            self._aligns,
            self._lines,
            self._renamed(),
            strict=True,
        )

    def _renamed(self) -> Iterator[str | None]:
        """Each operation's `new_name`, None where it has none."""
        if not self._new_names:
            return repeat(None, len(self))
        name_of = self._name_of
        renamed = {index: name_of[code] for index, code in self._new_names.items()}
        return map(renamed.get, range(len(self)))  # in C: Python works per rename only


@dataclass(frozen=True)
class Trace:
    """Operations, and the machine they were recorded on when the file says.

    `ops` is any sequence of `Op` (the readers give an `Ops`); `warnings` are
    `file:line:column: warning: message` lines about what a reader accepted
    but the user should know (e.g. lines after a malloc-lab trace's last).
    """

    source: str
    ops: Sequence[Op]
    memory_size: int | None = None
    heap_start: int | None = None
    heap_size: int | None = None
    warnings: tuple[str, ...] = ()
    heap_kind: str | None = None
    """The heap allocator the trace asks for by its registry name (None: the guide's)."""
    heap_params: tuple[tuple[str, object], ...] = ()
    """Its parameters, as `(name, value)` pairs."""
    frames_kind: str | None = None
    """The frame allocator the trace asks for by its registry name (None: the guide's)."""
    comments: Mapping[int, str] = field(default_factory=dict)
    """What the trace's author wrote in comments, as the player narrates it: by the line
    of the operation it explains (the comments just above it and at its end), and
    under `INTRO` what comes before the first operation."""

"""A trace: named operations on one machine, whatever file format they came from.

Names are identities: `alloc-frame f1` binds `f1` to the frame the allocator
hands out, `malloc a 24` binds `a` to a block, and later operations refer to
them by name. A name may be bound again once it is freed.
"""

from __future__ import annotations

from dataclasses import dataclass

ALLOC_FRAME, FREE_FRAME, MALLOC, FREE, REALLOC = (
    "alloc-frame",
    "free-frame",
    "malloc",
    "free",
    "realloc",
)
KINDS = (ALLOC_FRAME, FREE_FRAME, MALLOC, FREE, REALLOC)
NULL = ""
"""The name of the null pointer: `free` of it does nothing, `realloc` of it allocates."""


@dataclass(frozen=True, slots=True)
class Op:
    """One operation; `size` and `align` matter for malloc and realloc only.

    After a realloc the block is known as `new_name` if given (a real program's
    new pointer, from ltrace), else by its old name.
    """

    kind: str
    name: str
    size: int = 0
    align: int = 8
    line: int = 0
    new_name: str | None = None


@dataclass(frozen=True)
class Trace:
    """Operations, and the machine they were recorded on when the file says."""

    source: str
    ops: tuple[Op, ...]
    memory_size: int | None = None
    heap_start: int | None = None
    heap_size: int | None = None

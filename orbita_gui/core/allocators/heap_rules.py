"""The free-list heap's parameters, in OSTEP's vocabulary plus the guide's rules.

One immutable value a heap holds and its events share: how to search (fit),
where a region goes back (list order), whether neighbours are joined
(coalesce), what a block costs (header, rounding, the ListNode minimum), and
where the rest of a split region goes (leftover).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import InvalidParameterError
from ..events import LIST_NODE_ALIGN, LIST_NODE_SIZE, size_align
from ..layout import Layout

FITS = ("first", "next", "best", "worst")
ORDERS = ("insert-front", "insert-back", "addrsort", "sizesort+", "sizesort-")
LEFTOVERS = ("push", "in-place")

SORT_KEYS = {"addrsort": "addr", "sizesort+": "size+", "sizesort-": "size-"}
"""The list orders kept sorted, and the key each sorts by."""


@dataclass(frozen=True, slots=True)
class HeapRules:
    """How a free-list heap searches, places and sizes.

    - `fit`: "first" (from the head), "next" (from where the last search ended,
      wrapping), "best" (the smallest region that fits), "worst" (the largest);
    - `order`: where a freed region goes: "insert-front", "insert-back", or kept
      sorted: "addrsort", "sizesort+" (small first), "sizesort-" (large first);
      as in OSTEP's malloc.py, a new region goes after equal ones;
    - `coalesce`: after each free, join every run of list neighbours that are
      also neighbours in memory (malloc.py's pass; with "addrsort" that is all
      neighbours);
    - `header`: bytes in front of each block (malloc.py's -H);
    - `round_to`: sizes rounded up to a multiple of this (malloc.py's -a);
    - `node_rules`: the guide's `ListNode` rules: alignment at least 8, sizes a
      multiple of it and at least 16 bytes, and a region whose leftover would be
      1 to 15 bytes is passed over (too small for a node of its own);
    - `leftover`: "push" puts the rest of a split region back where the order
      says (the guide, at the front); "in-place" leaves it in the chosen
      node's place (malloc.py).
    """

    fit: str = "first"
    order: str = "insert-front"
    coalesce: bool = False
    header: int = 0
    round_to: int = 1
    node_rules: bool = True
    leftover: str = "push"
    sizer: Callable[[int, int], tuple[int, int]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    """`(size, align)` of a request -> `(bytes the block takes, its alignment)`."""

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("fit", self.fit, FITS),
            ("order", self.order, ORDERS),
            ("leftover", self.leftover, LEFTOVERS),
        ):
            if value not in allowed:
                raise InvalidParameterError(f"{name} {value!r} is not one of: {', '.join(allowed)}")
        if type(self.coalesce) is not bool:
            raise InvalidParameterError(f"coalesce must be True or False, not {self.coalesce!r}")
        for name, value, least in (("header", self.header, 0), ("round_to", self.round_to, 1)):
            if type(value) is not int or not least <= value <= 1 << 20:
                raise InvalidParameterError(
                    f"{name} must be a whole number from {least} to {1 << 20:,}, not {value!r}"
                )
        if self.node_rules and self.header % LIST_NODE_ALIGN:
            raise InvalidParameterError(
                f"with the ListNode rules the header must be a multiple of {LIST_NODE_ALIGN}"
                f" bytes, not {self.header}"
            )
        object.__setattr__(self, "sizer", self._make_sizer())

    def _make_sizer(self) -> Callable[[int, int], tuple[int, int]]:
        """The request-to-block sizing, as one plain function: it runs for every
        allocation, and the guide's case is exactly its `size_align`."""
        header, round_to, node_rules = self.header, self.round_to, self.node_rules
        if not header and round_to == 1:
            return size_align if node_rules else _as_asked

        def sizer(size: int, align: int) -> tuple[int, int]:
            size = -(-size // round_to) * round_to + header
            return size_align(size, align) if node_rules else (size, align)

        return sizer

    @property
    def min_leftover(self) -> int:
        """The smallest leftover a split may leave (0: any)."""
        return LIST_NODE_SIZE if self.node_rules else 0

    @property
    def min_align(self) -> int:
        """The alignment every region start keeps."""
        return LIST_NODE_ALIGN if self.node_rules else 1

    def size_align(self, layout: Layout) -> tuple[int, int]:
        """What a block for `layout` takes, header included, and its alignment."""
        return self.sizer(layout.size, layout.align)

    def describe(self) -> str:
        """The parameters in a few words, for titles and logs."""
        words = [f"{self.fit} fit", self.order, "coalescing" if self.coalesce else "no coalescing"]
        if self.header:
            words.append(f"{self.header} B headers")
        if self.round_to > 1:
            words.append(f"sizes rounded to {self.round_to}")
        if self.node_rules:
            words.append("ListNode rules")
        if self.leftover == "in-place":
            words.append("leftover in place")
        return ", ".join(words)


def _as_asked(size: int, align: int) -> tuple[int, int]:
    return size, align


GUIDE = HeapRules()
"""The guide's linked-list allocator: first fit, push-front, no merging, ListNodes."""
OSTEP = HeapRules(fit="best", order="addrsort", node_rules=False, leftover="in-place")
"""OSTEP malloc.py's defaults (-p BEST -l ADDRSORT, no coalescing, no header)."""

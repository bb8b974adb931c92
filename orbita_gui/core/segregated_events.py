"""The segregated heap's events: an allocation, a free, and a reallocation.

Like the other events (see `events`), they store only the few numbers an
operation produces and derive `steps` and `describe()` on request. A region
looked at is judged by the guide's `judge_region` and told as the guide's
`RegionVisit`, so that a verdict reads the same in every heap; what is new is
the size class: the one a request starts in, those the search moves up
through, and the one a leftover or a freed (perhaps merged) region goes to.

`search` is None: the free-list picture of the guide's single list does not
apply (the size-classes picture reads the heap's `size_classes()`). The cost
of a search is the allocation's `visited`, the regions it looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .events import (
    Allocates,
    Allocation,
    Frees,
    HeapReallocation,
    Merged,
    Note,
    PaddingLost,
    RegionVisit,
    Verdict,
    VisitsNotKept,
    judge_region,
    size_align,
)
from .layout import Layout
from .units import format_size, plural

_event = dataclass(slots=True, eq=False)


def class_of(size: int, classes: int) -> int:
    """The class of a block or region of `size` bytes (at least 16): class k holds
    2**(k+4) to 2**(k+5) - 1 bytes, the last class every larger size too."""
    return min(size.bit_length() - 5, classes - 1)


def class_label(k: int, classes: int) -> str:
    """A class as a person names it: "64-127 B", or the last one "8 KiB and up"."""
    low = 16 << k
    if k == classes - 1:
        return f"{format_size(low)} and up"
    return f"{low:,}-{2 * low - 1:,} B"


class Pass(NamedTuple):
    """A class whose list the search passed regions over in: how many, and `(start,
    size)` of the first of them (up to `VISITS_KEPT` in all), head first."""

    k: int
    passed: int
    kept: tuple[tuple[int, int], ...]


@_event
class SegregatedAllocation(Allocates):
    """`allocate(layout)`: the block handed out (or None), cut from a `region`-byte
    region at list `position` of class `last`, the last class looked in; `passes`
    the regions passed over on the way, `visited` all regions looked at;
    `overflowed`: an address overflow ended the search."""

    layout: Layout
    block: Allocation | None
    region: int | None
    position: int | None
    visited: int
    passes: tuple[Pass, ...]
    last: int
    classes: int
    overflowed: bool = False
    serial: int = 0
    """The heap's count of operations once this one was made (see `revert`)."""

    @property
    def chosen(self) -> tuple[int, int] | None:
        """`(start, size)` of the free region the block was cut from."""
        block = self.block
        return None if block is None else (block.start - block.padding, self.region)

    @property
    def leftover(self) -> tuple[int, int] | None:
        """`(start, size)` of the rest of the chosen region, pushed to its class."""
        block = self.block
        if block is None or self.region == block.padding + block.size:
            return None
        return block.end, self.region - block.padding - block.size

    @property
    def first(self) -> int:
        """The request's own class, where the search begins."""
        return class_of(size_align(self.layout.size, self.layout.align)[0], self.classes)

    @property
    def steps(self) -> tuple:
        """The request's class; each region looked at with the guide's verdict, class by
        class, moving up when one has nothing that fits; then the region chosen,
        padding lost and the leftover pushed, or the null returned."""
        need, align = size_align(self.layout.size, self.layout.align)
        classes, first = self.classes, self.first
        steps: list = [self._class_step(need, align, first)]
        passes = {k: (passed, kept) for k, passed, kept in self.passes}
        empty_from = None  # the first of a run of empty classes, told as one step
        for k in range(first, self.last + 1):
            passed, kept = passes.get(k, (0, ()))
            if k < self.last and not passed:
                empty_from = k if empty_from is None else empty_from
                continue
            if empty_from is not None:
                steps.append(_next_class(empty_from, k, classes, "empty"))
                empty_from = None
            steps += _visits(kept, need, align)
            if passed > len(kept):
                steps.append(VisitsNotKept(passed - len(kept)))
            if k < self.last:
                steps.append(_next_class(k, k + 1, classes, "full"))
        if self.block is None:
            return (*steps, self._null_step())
        start, region = self.chosen
        chosen = RegionVisit(self.position, start, region, self.ptr, Verdict.CHOSEN, need)
        steps.append(chosen)
        if self.block.padding:
            steps.append(PaddingLost(start, self.block.padding))
        if self.leftover is not None:
            steps.append(self._leftover_step())
        return tuple(steps)

    def _class_step(self, need: int, align: int, first: int) -> Note:
        asked = self.layout.size
        label = class_label(first, self.classes)
        if need == asked:
            reason = f"{need:,} B: class {label}"
        else:
            reason = f"{asked:,} B needs {need:,} B: class {label}"
        if align > 8:
            reason += f" (aligned to {align:,})"
        return Note("size", reason, None, "allocate:class")

    def _null_step(self) -> Note:
        if self.overflowed:
            reason = "the search ended: allocate returns null"
        else:
            last = class_label(self.last, self.classes)
            reason = f"class {last}, the last, has nothing that fits either: allocate returns null"
            if self.first == self.last:
                reason = f"class {last}, the last, has nothing that fits: allocate returns null"
        return Note("fail", reason, None, "allocate:null")

    def _leftover_step(self) -> Note:
        start, size = self.leftover
        classes = self.classes
        k = class_of(size, classes)
        reason = f"the {size:,} B left over go to the front of class {class_label(k, classes)}"
        if k < self.last:
            reason += ", a smaller class than the region's"
        return Note("push", reason, (start, start + size), "allocate:leftover")

    def describe(self) -> str:
        looked = f"looked at {plural(self.visited, 'region')}"
        classes, first = self.classes, self.first
        head = f"allocate({self.layout})"
        if self.block is None:
            why = "address overflow" if self.overflowed else "out of memory"
            return f"{head} -> null: {why}, {looked} from class {class_label(first, classes)}"
        parts = [f"class {class_label(first, classes)}", looked]
        parts.append(
            f"took a {self.region:,}-byte region of class {class_label(self.last, classes)}"
        )
        if self.leftover is not None:
            size = self.leftover[1]
            parts.append(
                f"{size:,} B left over to class {class_label(class_of(size, classes), classes)}"
            )
        if self.block.padding:
            parts.append(f"lost {self.block.padding:,} bytes to alignment")
        return f"{head} -> {self.ptr:#x}: " + ", ".join(parts)


def _visits(kept: Sequence[tuple[int, int]], need: int, align: int) -> list[RegionVisit]:
    """The regions passed over in one class, each with the guide's verdict."""
    visits = []
    for position, (start, size) in enumerate(kept):
        alloc_start, verdict = judge_region(start, size, need, align)
        visits.append(RegionVisit(position, start, size, alloc_start, verdict, need))
    return visits


def _next_class(k: int, higher: int, classes: int, why: str) -> Note:
    """The search moving up from class `k` (from `k` to `higher - 1` if they are all
    empty) to class `higher`: nothing there fits."""
    label = class_label(k, classes)
    if why == "full":
        said = f"class {label} has nothing that fits"
    elif higher == k + 1:
        said = f"class {label} is empty"
    else:
        said = f"classes {label} to {class_label(higher - 1, classes)} are empty"
    reason = f"{said}: look in class {class_label(higher, classes)}"
    return Note("next-class", reason, None, "allocate:next-class")


Neighbour = tuple[int, int, int]
"""`(start, size, position)`: a free neighbour a coalescing free joined, and where it
was in its class's list (what undo puts back)."""


@_event
class SegregatedRelease(Frees):
    """`deallocate(ptr, layout)`: the block freed, joined (if the heap coalesces) with
    its free neighbours `lower` and `upper`, then pushed to the front of its class."""

    allocation: Allocation
    classes: int
    coalesce: bool
    lower: Neighbour | None = None
    upper: Neighbour | None = None
    serial: int = 0
    """The heap's count of operations once this one was made (see `revert`)."""

    @property
    def region(self) -> tuple[int, int]:
        """`(start, size)` of the region pushed: the block, with its neighbours if joined."""
        block, lower, upper = self.allocation, self.lower, self.upper
        start = block.start if lower is None else lower[0]
        end = block.end if upper is None else upper[0] + upper[1]
        return start, end - start

    @property
    def steps(self) -> tuple:
        """The block given back; when coalescing, each free neighbour unlinked from its
        class and joined (or that none is free); the region pushed to its class."""
        block, classes = self.allocation, self.classes
        freed = f"the {block.size:,} B block at {block.start:#x} is free again"
        steps: list = [Note("free", freed, (block.start, block.end), "free:block")]
        if self.coalesce:
            steps += self._coalesce_steps()
        start, size = self.region
        label = class_label(class_of(size, classes), classes)
        pushed = f"the {size:,} B region goes to the front of class {label}"
        steps.append(Note("push", pushed, (start, start + size), "insert:push"))
        return tuple(steps)

    def _coalesce_steps(self) -> list:
        block, classes = self.allocation, self.classes
        found = [(side, n) for side, n in (("lower", self.lower), ("upper", self.upper)) if n]
        if not found:
            reason = "no neighbour in memory is free: nothing to join"
            return [Note("merge", reason, (block.start, block.end), "coalesce:none")]
        steps: list = []
        for side, (start, size, _) in found:
            where = "just below" if side == "lower" else "just above"
            label = class_label(class_of(size, classes), classes)
            reason = f"{size:,} B at {start:#x}, {where}, is free: unlinked from class {label}"
            steps.append(Note("unlink", reason, (start, start + size), "coalesce:" + side))
        sizes = [n[1] for side, n in found if side == "lower"] + [block.size]
        sizes += [n[1] for side, n in found if side == "upper"]
        steps.append(Merged(self.region[0], tuple(sizes)))
        return steps

    def describe(self) -> str:
        block, classes = self.allocation, self.classes
        size = self.region[1]
        label = class_label(class_of(size, classes), classes)
        text = f"deallocate({block.ptr:#x}, {block.layout}): "
        joined = (self.lower is not None) + (self.upper is not None)
        if joined:
            text += f"joined {plural(joined, 'free neighbour')} into {size:,} B, "
        return text + f"pushed a {size:,}-byte region to class {label}"


class SegregatedReallocation(HeapReallocation):
    """`realloc` as `GlobalAlloc`'s default: allocate, copy, free (the old block stays if
    the allocation fails). Its parts are this heap's events, so no free-list search."""

    __slots__ = ()

    search = None

    @property
    def visited(self) -> int:
        """Regions the new block's search looked at."""
        return self.allocation.visited

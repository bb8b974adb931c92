"""Segregated free lists: one free list per size class, as the malloc lab's best
student allocators keep them (the guide's future work: "Consider segregated
lists for different size classes").

It keeps the guide's conventions, so that it compares like with like with the
guide's heap:

- the guide's `ListNode` rules: a block takes `size_align(size, align)` bytes (a
  multiple of 8, at least 16); a region whose leftover would be 1 to 15 bytes is
  passed over, as in the guide's `find_region`; alignment padding in front of a
  block is lost for good; there are no headers: a free is told the layout, as
  the guide's `dealloc` is;
- size classes by powers of two of a region's size: class 0 holds 16 to 31
  bytes, class 1 32 to 63, ..., and the last class, `classes - 1`, everything
  from 2**(classes + 3) up (with the default 10 classes: 8 KiB and up). The
  number is a parameter, so that one class is exactly the guide's heap and the
  views can show what more classes change;
- a free region goes to the front of its class's list (LIFO, as the guide's
  push);
- allocation starts in the class of the block's size, first fit in that list
  (the guide's `find_region`, alignment included), then the next larger classes
  in turn; the region chosen is unlinked, the block cut from its aligned start,
  and the leftover, if any, pushed to the front of its own class (which may be
  a smaller one). An address overflow ends the search, as in the guide;
- `coalesce` (off by default, as in the guide): a freed block first joins the
  free regions just below and just above it in memory, each unlinked from its
  own class, and the joined region is pushed;
- realloc is `GlobalAlloc`'s default, allocate, copy, free, as the other heaps
  do; the old block stays if no new one fits.

Each class is a Python list of `(start, size)` with its head at the end, so a
push and a pop at the head cost O(1); a search walks it from the end. When
coalescing, two dicts find a region by its start and by its end.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ..addresses import U64_LIMIT
from ..errors import (
    InvalidParameterError,
    RevertError,
)
from ..events import (
    LIST_NODE_ALIGN,
    LIST_NODE_SIZE,
    VISITS_KEPT,
    Allocation,
    Verdict,
    judge_region,
    size_align,
)
from ..layout import Layout
from ..protocols import SizeClass
from ..segregated_events import (
    Pass,
    SegregatedAllocation,
    SegregatedReallocation,
    SegregatedRelease,
    class_label,
    class_of,
)
from ..stats import HeapStats
from .heap_checks import check_region, live_block
from .live_blocks import LiveByColumns

DEFAULT_CLASSES = 10
"""16-31 B up to 4-8 KiB, and a last class of 8 KiB and up: the malloc lab's sizes."""
MAX_CLASSES = 60
"""The last class then starts at 2**63 bytes: more could never hold a region."""

_new_tuple = tuple.__new__
"""Makes an `Allocation` or a `Pass` without a generated `__new__`."""

CHOSEN, OVERFLOW = Verdict.CHOSEN, Verdict.ADDRESS_OVERFLOW


@lru_cache(maxsize=4096)
def _layout(size: int, align: int) -> Layout:
    return Layout(size, align)


def first_fit(
    regions: list[tuple[int, int]], need: int, align: int, no_overflow: int
) -> tuple[int | None, int, bool]:
    """The guide's `find_region` over one class's list, head (the end) first: the
    position of the first region that holds `need` bytes at `align` (None if none),
    how many regions were looked at, and whether an address overflow ended it.

    Every region starts 8-aligned, so with `align` at most 8 and `need` at most
    `no_overflow` (no block can end past 2**64), `judge_region`'s test comes down
    to the size alone: exactly `need`, or room for a ListNode after it. That is
    the malloc lab's every request, and a long list is passed over several times faster.
    """
    if align <= LIST_NODE_ALIGN and need <= no_overflow:
        least = need + LIST_NODE_SIZE
        for position, (_, size) in enumerate(reversed(regions)):
            if size >= least or size == need:
                return position, position + 1, False
        return None, len(regions), False
    for position, (start, size) in enumerate(reversed(regions)):
        verdict = judge_region(start, size, need, align)[1]
        if verdict is CHOSEN:
            return position, position + 1, False
        if verdict is OVERFLOW:
            return None, position + 1, True
    return None, len(regions), False


class SegregatedHeap(LiveByColumns):
    """A heap of `classes` segregated free lists, first fit in each (see the module)."""

    kind = "segregated"

    def __init__(self, classes: int = DEFAULT_CLASSES, coalesce: bool = False) -> None:
        if type(classes) is not int or not 1 <= classes <= MAX_CLASSES:
            raise InvalidParameterError(
                f"classes must be a whole number from 1 to {MAX_CLASSES}, not {classes!r}"
            )
        if type(coalesce) is not bool:
            raise InvalidParameterError(f"coalesce must be True or False, not {coalesce!r}")
        self.classes, self.coalesce = classes, coalesce
        self.heap_start = self.heap_size = 0
        self.initialised = False
        self._lists: list[list[tuple[int, int]]] = [[] for _ in range(classes)]
        """Each class's free regions, its head at the end."""
        self._live: dict[int, Allocation] = {}
        self._allocated = self._requested = self._lost = self._free = 0
        self._sizes: dict[int, int] = {}
        """When coalescing: the size of each free region, by its start..."""
        self._starts: dict[int, int] = {}
        """...and its start, by its end."""
        self._serial = 0
        """Operations that changed the heap, so far less those reverted: an event that
        holds another count is not the latest."""
        self._no_overflow = 0
        """A block of at most this many bytes can end past 2**64 nowhere in the heap."""

    @property
    def params(self) -> dict[str, object]:
        return {"classes": self.classes, "coalesce": self.coalesce}

    def init(self, heap_start: int, heap_size: int) -> None:
        """Give the allocator its heap: one free region, in the class of its size."""
        check_region(self, heap_start, heap_size, LIST_NODE_ALIGN, LIST_NODE_SIZE, node=True)
        self.heap_start, self.heap_size = heap_start, heap_size
        self.initialised = True
        self._no_overflow = U64_LIMIT - 1 - (heap_start + heap_size)
        self._link(heap_start, heap_size)

    # The lists

    def _link(self, start: int, size: int, position: int = 0) -> None:
        """Put a free region in its class's list, `position` nodes from the head."""
        regions = self._lists[class_of(size, self.classes)]
        regions.insert(len(regions) - position, (start, size))
        self._free += size
        if self.coalesce:
            self._sizes[start] = size
            self._starts[start + size] = start

    def _unlink(self, k: int, position: int) -> tuple[int, int]:
        """Take the region `position` nodes from the head of class `k`'s list."""
        regions = self._lists[k]
        start, size = regions.pop(len(regions) - 1 - position)
        self._free -= size
        if self.coalesce:
            del self._sizes[start], self._starts[start + size]
        return start, size

    def _head(self, size: int) -> tuple[int, int] | None:
        """The region at the head of the class of `size`, if any."""
        regions = self._lists[class_of(size, self.classes)]
        return regions[-1] if regions else None

    # Operations

    def allocate_event(self, layout: Layout) -> SegregatedAllocation:
        """A block for `layout` (see the module), returning its event."""
        need, align = size_align(layout.size, layout.align)
        lists, top = self._lists, self.classes - 1
        k = class_of(need, self.classes)
        passes, visited, room = [], 0, VISITS_KEPT
        while True:
            regions = lists[k]
            position, looked, overflowed = first_fit(regions, need, align, self._no_overflow)
            visited += looked
            passed = looked if position is None else position
            if passed:
                kept = min(passed, room)
                room -= kept
                kept_regions = tuple(reversed(regions[len(regions) - kept :]))
                passes.append(_new_tuple(Pass, (k, passed, kept_regions)))
            if position is not None or overflowed or k == top:
                break
            k += 1
        if position is None:
            return SegregatedAllocation(
                layout, None, None, None, visited, tuple(passes), k, self.classes, overflowed
            )
        start, size = self._unlink(k, position)
        ptr = (start + align - 1) & -align
        block = self._new_block(ptr, layout, need, ptr - start)
        if start + size > ptr + need:
            self._link(ptr + need, start + size - ptr - need)
        self._serial += 1
        return SegregatedAllocation(
            layout,
            block,
            size,
            position,
            visited,
            tuple(passes),
            k,
            self.classes,
            False,
            self._serial,
        )

    def _new_block(self, ptr: int, layout: Layout, size: int, padding: int) -> Allocation:
        block = self._live[ptr] = _new_tuple(Allocation, (ptr, layout, size, padding, 0))
        self._allocated += size
        self._requested += layout.size
        self._lost += padding
        return block

    def deallocate_event(self, ptr: int, layout: Layout) -> SegregatedRelease:
        """Free the block at `ptr`, allocated with `layout`: joined with its free
        neighbours if coalescing, then pushed to the front of its class."""
        block = self._check_live(ptr, layout)
        del self._live[ptr]
        self._allocated -= block.size
        self._requested -= layout.size
        start, end = block.start, block.end
        lower = upper = None
        if self.coalesce:
            below = self._starts.get(start)
            if below is not None:
                lower = self._unlink_region(below, start - below)
                start = below
            above = self._sizes.get(end)
            if above is not None:
                upper = self._unlink_region(end, above)
                end += above
        self._link(start, end - start)
        self._serial += 1
        return SegregatedRelease(block, self.classes, self.coalesce, lower, upper, self._serial)

    def _unlink_region(self, start: int, size: int) -> tuple[int, int, int]:
        """Unlink a free region found by address; `(start, size, its position)`."""
        k = class_of(size, self.classes)
        regions = self._lists[k]
        position = len(regions) - 1 - regions.index((start, size))
        self._unlink(k, position)
        return start, size, position

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> SegregatedReallocation:
        """`GlobalAlloc::realloc`'s default: allocate anew, copy, free the old block;
        when no block fits, the old one stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(_layout(new_size, layout.align))
        release = None if allocation.block is None else self.deallocate_event(ptr, layout)
        return SegregatedReallocation(old, allocation, release)

    def _check_live(self, ptr: int, layout: Layout) -> Allocation:
        return live_block(self._live, ptr, layout)

    # Undo

    def revert(self, event) -> None:
        """Undo the latest operation exactly, every list's order included; a
        `RevertError`, changing nothing, if `event` is not it."""
        kind = type(event)
        if kind is SegregatedReallocation:
            if event.release is not None:
                self.revert(event.release)
            self.revert(event.allocation)
        elif kind is SegregatedRelease:
            self._revert_release(event)
        elif kind is not SegregatedAllocation:
            raise RevertError(f"{event.describe()} is not an operation of this heap")
        elif event.block is not None:
            self._revert_allocation(event)

    def _revert_allocation(self, event: SegregatedAllocation) -> None:
        block, leftover = event.block, event.leftover
        if (
            event.serial != self._serial
            or self._live.get(block.ptr) is not block
            or (leftover is not None and self._head(leftover[1]) != leftover)
        ):
            raise RevertError(f"{event.describe()} is not the latest operation")
        if leftover is not None:
            self._unlink(class_of(leftover[1], self.classes), 0)
        self._link(*event.chosen, event.position)
        del self._live[block.ptr]
        self._allocated -= block.size
        self._requested -= block.layout.size
        self._lost -= block.padding
        self._serial -= 1

    def _revert_release(self, event: SegregatedRelease) -> None:
        block, region = event.allocation, event.region
        if (
            event.serial != self._serial
            or block.ptr in self._live
            or self._head(region[1]) != region
        ):
            raise RevertError(f"{event.describe()} is not the latest operation")
        self._unlink(class_of(region[1], self.classes), 0)
        for neighbour in (event.upper, event.lower):  # back in the order they left
            if neighbour is not None:
                self._link(*neighbour)
        self._live[block.ptr] = block
        self._allocated += block.size
        self._requested += block.layout.size
        self._serial -= 1

    # Introspection for the views

    def stats(self) -> HeapStats:
        """Byte accounting; `allocated + free + lost == total` always holds."""
        lists = self._lists
        # every region of a class is larger than any of a smaller class
        highest = next((regions for regions in reversed(lists) if regions), [(0, 0)])
        return HeapStats(
            allocated=self._allocated,
            free=self._free,
            lost=self._lost,
            total=self.heap_size,
            requested=self._requested,
            largest_free=max(size for _, size in highest),
            free_regions=sum(map(len, lists)),
        )

    @property
    def requested(self) -> int:
        """Bytes the live blocks were asked for (the malloc lab's payload)."""
        return self._requested

    def allocations(self) -> Mapping[int, Allocation]:
        """The live blocks by address (a read-only view, no copy)."""
        return MappingProxyType(self._live)

    def free_region_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every free region's start and size as two uint64 arrays (addresses may pass
        2**63), class by class from the smallest, each head first."""
        regions = [region for listed in self._lists for region in reversed(listed)]
        array = np.array(regions, dtype=np.uint64).reshape(-1, 2)
        return array[:, 0].copy(), array[:, 1].copy()

    def size_classes(self) -> list[SizeClass]:
        """Every class, smallest first, its free regions head first (empty ones too)."""
        classes = self.classes
        return [
            SizeClass(
                class_label(k, classes),
                [start for start, _ in reversed(regions)],
                [size for _, size in reversed(regions)],
            )
            for k, regions in enumerate(self._lists)
        ]

"""The free-list kernel heap: the guide's `allocator.rs`, and OSTEP's policies around it.

With its default rules (`heap_rules.GUIDE`) this is the guide's linked-list
allocator, exact and checked: first fit over a singly linked free list of
`ListNode`s (16 bytes, 8-aligned); freed regions and split-off leftovers are
pushed at the front; nothing is ever merged; alignment padding in front of a
block is never given back. Other rules (`HeapRules`) give OSTEP's family:
next, best and worst fit, four more list orders, coalescing, headers and
size rounding, each exact and undoable.

Where the guide's `find_region` is broken, this implements its evident intent:

1. Its `continue` (for a region whose leftover would be 1 to 15 bytes) does not
   advance `current`, so the loop would look at the same region forever. Here
   the region is passed over and the search goes on to the next one.
2. It takes the chosen region with `current.next.take()`, which unlinks the
   whole rest of the chain with it: every node after the chosen one would be
   lost. Here only the chosen node is unlinked; the rest stays linked.

Where the guide trusts its caller (`unsafe`), this checks and raises a
`HeapError` before changing anything: a double or wild free, a layout other
than the block's own, a misaligned or too small heap.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from ..addresses import U64_LIMIT
from ..errors import (
    HeapError,
    InvalidFreeError,
    InvalidHeapRegionError,
    LayoutMismatchError,
    RevertError,
)
from ..events import (
    IN_PLACE,
    VISITS_KEPT,
    Allocation,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
)
from ..layout import Layout
from ..stats import HeapStats
from .free_list_store import FreeListStore
from .heap_rules import GUIDE, SORT_KEYS, HeapRules


class FreeListHeap:
    """A heap over one free list, searched and ordered by its `HeapRules`.

    Every operation also has an `*_event` form returning the event that explains it;
    `revert(event)` undoes the latest operation exactly, the list's order included.
    """

    kind = "free-list"

    def __init__(self, rules: HeapRules | None = None, **params) -> None:
        self.rules = rules if rules is not None else HeapRules(**params) if params else GUIDE
        self.heap_start = 0
        self.heap_size = 0
        self._free = FreeListStore()
        self._live: dict[int, Allocation] = {}
        self._allocated = 0
        self._requested = 0
        self._lost = 0
        self._rover = 0
        """Next fit's start: the list position its next search begins at."""

    @classmethod
    def new(cls) -> FreeListHeap:
        """An allocator with no heap yet (the guide's `const fn new`)."""
        return cls()

    @property
    def params(self) -> dict[str, object]:
        """The rules as `registry.create` takes them."""
        rules = self.rules
        return {
            name: getattr(rules, name) for name in rules.__dataclass_fields__ if name != "sizer"
        }

    def init(self, heap_start: int, heap_size: int) -> None:
        """Give the allocator its heap: one free region `[heap_start, heap_start + heap_size)`."""
        if self.heap_size:
            raise InvalidHeapRegionError(
                f"the heap is already initialised at {self.heap_start:#x}; make a new allocator"
            )
        if type(heap_start) is not int or type(heap_size) is not int:
            raise InvalidHeapRegionError(
                f"heap start and size must be integers, not {heap_start!r}, {heap_size!r}"
            )
        align = self.rules.min_align
        if heap_start < 0 or heap_start % align:
            raise InvalidHeapRegionError(
                f"heap start {heap_start:#x} is not {align}-byte aligned for a ListNode"
            )
        least = max(self.rules.min_leftover, 1)
        if heap_size < least:
            raise InvalidHeapRegionError(
                f"heap size {heap_size} is under {least} bytes"
                + (", the size of a ListNode" if self.rules.node_rules else "")
            )
        if heap_start + heap_size >= U64_LIMIT:
            raise InvalidHeapRegionError(
                f"heap {heap_start:#x} + {heap_size:#x} overflows the 64-bit address space"
            )
        self.heap_start, self.heap_size = heap_start, heap_size
        self._free.insert(0, heap_start, heap_size)

    def size_align(self, layout: Layout) -> tuple[int, int]:
        """What a block for `layout` takes (header included), and its alignment."""
        return self.rules.sizer(layout.size, layout.align)

    # The guide's interface

    def allocate(self, layout: Layout) -> int | None:
        """A block for `layout`, or None (the guide's null pointer) when none fits."""
        return self.allocate_event(layout).ptr

    def deallocate(self, ptr: int, layout: Layout) -> None:
        """Free the block at `ptr`, which must have been allocated with `layout`."""
        self.deallocate_event(ptr, layout)

    def realloc(self, ptr: int, layout: Layout, new_size: int) -> int | None:
        """`GlobalAlloc::realloc`'s default: allocate anew, copy, free the old block."""
        return self.realloc_event(ptr, layout, new_size).new_ptr

    # The same operations, returning the event that explains them

    def allocate_event(self, layout: Layout) -> HeapAllocation:
        """`allocate`, returning its event."""
        rules = self.rules
        size, align = rules.sizer(layout.size, layout.align)
        free, header = self._free, rules.header
        length = len(free)
        rover = self._rover if rules.fit == "next" else 0
        position, visited, overflowed = free.search(
            rules.fit, size, align, header, rules.min_leftover, rover
        )
        if position is None:
            visits = self._visits(rover, visited, None)
            return HeapAllocation(
                layout, None, None, None, visited, overflowed, visits, rules, rover, length
            )
        visits = self._visits(rover, visited, position)
        start, region = free.region(position)
        # At the alignment every node keeps, the block starts at the node (plus its header),
        # and the event and the block share the one int.
        ptr = start + header
        if ptr & (align - 1):
            ptr = (ptr + align - 1) & ~(align - 1)
        if not size and ptr in self._live:
            raise HeapError(f"a zero-byte block at {ptr:#x} would share a live block's address")
        block_start = ptr - header
        excess = start + region - (block_start + size)
        follower = self._follower(position, length) if rules.fit == "next" else None
        placed = reorder = None
        if excess and rules.leftover == "in-place":
            free.replace(position, block_start + size, excess)
            placed = IN_PLACE
        else:
            free.remove(position)
            if excess:  # with the ListNode rules, the search made sure excess >= 16
                placed, reorder = self._place(block_start + size, excess)
        if rules.fit == "next":
            self._rover = self._position_of(block_start + size if placed == IN_PLACE else follower)
        block = self._live[ptr] = Allocation(ptr, layout, size, block_start - start, header)
        self._allocated += size
        self._requested += layout.size
        self._lost += block_start - start
        return HeapAllocation(
            layout,
            block,
            region,
            position,
            visited,
            False,
            visits,
            rules,
            rover,
            length,
            placed,
            reorder,
        )

    def _visits(self, at: int, visited: int, chosen: int | None):
        """Copies of the nodes a search passed over, in the order it looked at them (at
        most `VISITS_KEPT`), or None: they change once the list does."""
        passed = visited - (chosen is not None)
        if not passed:
            return None
        count = min(passed, VISITS_KEPT)
        if chosen is None or (chosen - at) % max(len(self._free), 1) >= count:
            return self._free.first(count, at)
        starts, sizes = self._free.first(count + 1, at)
        skip = (chosen - at) % len(self._free)
        return np.delete(starts, skip), np.delete(sizes, skip)

    def _place(self, start: int, size: int) -> tuple[int, np.ndarray | None]:
        """Link a region in where the list order says; returns its position, and the
        list's new order if placing it re-sorted the list."""
        free, order = self._free, self.rules.order
        if order == "insert-front":
            free.insert(0, start, size)
            return 0, None
        if order == "insert-back":
            free.insert(len(free), start, size)
            return len(free) - 1, None
        key = SORT_KEYS[order]
        position = free.sorted_position(key, start, size)
        if position is not None:
            free.insert(position, start, size)
            return position, None
        # A split left a region in place that is out of order now: sort the whole
        # list with the new one after it, as malloc.py does.
        free.insert(len(free), start, size)
        reorder = free.sort(key)
        return int(np.flatnonzero(reorder == len(free) - 1)[0]), reorder

    def _unplace(self, position: int, reorder: np.ndarray | None) -> tuple[int, int]:
        """Undo `_place`: unlink the region it placed and return it."""
        if reorder is None:
            return self._free.remove(position)
        self._free.unsort(reorder)
        return self._free.remove(len(self._free) - 1)

    def _follower(self, position: int, length: int) -> int | None:
        """The start of the node after `position` (wrapping), or None if there is none."""
        if length < 2:
            return None
        return self._free.region((position + 1) % length)[0]

    def _position_of(self, address: int | None) -> int:
        """The position of the free region holding `address` (0 if none does): where
        next fit's rover stands once the list has changed around it."""
        if address is None or not len(self._free):
            return 0
        starts, sizes = self._free.arrays()
        hits = np.flatnonzero((starts <= address) & (address < starts + sizes))
        return int(hits[0]) if len(hits) else 0

    def deallocate_event(self, ptr: int, layout: Layout) -> HeapRelease:
        """`deallocate`, returning its event."""
        allocation = self._check_live(ptr, layout)
        rover = self._rover
        follows = (
            self._free.region(rover)[0] if self.rules.fit == "next" and len(self._free) else None
        )
        del self._live[ptr]
        position, reorder = self._place(allocation.start, allocation.size)
        merges = self._free.coalesce() if self.rules.coalesce else ()
        if follows is not None:
            self._rover = self._position_of(follows)
        self._allocated -= allocation.size
        self._requested -= layout.size
        return HeapRelease(allocation, position, reorder, merges, rover)

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> HeapReallocation:
        """`realloc`, returning its event; when no block fits, the old one stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(Layout(new_size, layout.align))
        release = None if allocation.block is None else self.deallocate_event(ptr, layout)
        return HeapReallocation(old, allocation, release)

    def revert(self, event: HeapAllocation | HeapRelease | HeapReallocation) -> None:
        """Undo the latest operation exactly: the free list returns to its old order."""
        if type(event) is HeapReallocation:
            if event.release is not None:
                self.revert(event.release)
            self.revert(event.allocation)
        elif type(event) is HeapRelease:
            self._revert_release(event)
        elif event.block is not None:
            self._revert_allocation(event)

    def _revert_release(self, event: HeapRelease) -> None:
        block, free = event.allocation, self._free
        merged = all(
            merge.position < len(free) and free.region(merge.position)[1] == sum(merge.sizes)
            for merge in event.merges
        )
        placed = event.merges or (
            event.position < len(free) and free.region(event.position) == (block.start, block.size)
        )
        if block.ptr in self._live or not merged or not placed:
            raise RevertError(f"{event.describe()} is not the latest operation")
        if event.merges:
            free.uncoalesce(event.merges)
        self._unplace(event.position, event.reorder)
        self._live[block.ptr] = block
        self._allocated += block.size
        self._requested += block.layout.size
        self._rover = event.rover

    def _revert_allocation(self, event: HeapAllocation) -> None:
        block, free = self._live.get(event.block.ptr), self._free
        leftover = event.leftover
        at = event.position if event.placed == IN_PLACE else event.placed
        if block is not event.block or (
            leftover is not None and (at >= len(free) or free.region(at) != leftover)
        ):
            raise RevertError(f"{event.describe()} is not the latest operation")
        if event.placed == IN_PLACE:
            free.replace(event.position, *event.chosen)
        else:
            if leftover is not None:
                self._unplace(event.placed, event.reorder)
            free.insert(event.position, *event.chosen)
        del self._live[block.ptr]
        self._allocated -= block.size
        self._requested -= block.layout.size
        self._lost -= block.padding
        self._rover = event.search_start

    # Introspection for the views

    def stats(self) -> HeapStats:
        """Byte accounting; `allocated + free + lost == total` always holds."""
        free = self._free
        return HeapStats(
            allocated=self._allocated,
            free=free.free_bytes,
            lost=self._lost,
            total=self.heap_size,
            requested=self._requested,
            largest_free=free.largest(),
            free_regions=len(free),
        )

    @property
    def requested(self) -> int:
        """Bytes the live blocks were asked for (the malloc lab's payload)."""
        return self._requested

    @property
    def free_list_length(self) -> int:
        """The number of free-list nodes, without the rest of `stats()`."""
        return len(self._free)

    @property
    def rover(self) -> int | None:
        """Next fit's roving start (a list position), or None for the other fits."""
        return self._rover if self.rules.fit == "next" else None

    def free_regions(self) -> list[tuple[int, int]]:
        """`(start, size)` of each free region, in list order (head first)."""
        starts, sizes = self._free.arrays()
        return list(zip(starts.tolist(), sizes.tolist(), strict=True))

    def free_region_arrays(self):
        """The free regions' starts and sizes as two uint64 arrays, head first."""
        return self._free.arrays()

    def allocations(self) -> Mapping[int, Allocation]:
        """The live blocks by address (a read-only view, no copy)."""
        return MappingProxyType(self._live)

    def _check_live(self, ptr: int, layout: Layout) -> Allocation:
        allocation = self._live.get(ptr)
        if allocation is None:
            where = f"{ptr:#x}" if isinstance(ptr, int) else repr(ptr)
            raise InvalidFreeError(f"{where} is not a live allocation: double free or wild pointer")
        if allocation.layout != layout:
            raise LayoutMismatchError(
                f"{ptr:#x} was allocated with {allocation.layout}, not {layout}"
            )
        return allocation


LinkedListAllocator = FreeListHeap
"""The guide's name: with no arguments, the free-list heap is the guide's allocator."""

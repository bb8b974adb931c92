"""The guide's linked-list kernel heap allocator (`allocator.rs`), exact and checked.

First fit over a singly linked free list of `ListNode`s (16 bytes, 8-aligned);
freed regions and split-off leftovers are pushed at the front; nothing is
ever merged; alignment padding in front of a block is never given back.

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

from .addresses import U64_LIMIT
from .errors import InvalidFreeError, InvalidHeapRegionError, LayoutMismatchError, RevertError
from .events import (
    LIST_NODE_ALIGN,
    LIST_NODE_SIZE,
    VISITS_KEPT,
    Allocation,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
    size_align,
)
from .free_list import FreeList
from .layout import Layout
from .stats import HeapStats

HEAP_START = 0x_4444_4444_0000
"""Where the kernel heap starts in virtual memory (the blog_os design the guide follows)."""

HEAP_SIZE = 100 * 1024
"""The kernel heap's default size: 100 KiB."""


class LinkedListAllocator:
    """First-fit allocator over a free list; every operation also has an `*_event` form."""

    def __init__(self) -> None:
        self.heap_start = 0
        self.heap_size = 0
        self._free = FreeList()
        self._live: dict[int, Allocation] = {}
        self._allocated = 0
        self._requested = 0
        self._lost = 0

    @classmethod
    def new(cls) -> LinkedListAllocator:
        """An allocator with no heap yet (the guide's `const fn new`)."""
        return cls()

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
        if heap_start < 0 or heap_start % LIST_NODE_ALIGN:
            raise InvalidHeapRegionError(
                f"heap start {heap_start:#x} is not {LIST_NODE_ALIGN}-byte aligned for a ListNode"
            )
        if heap_size < LIST_NODE_SIZE:
            raise InvalidHeapRegionError(
                f"heap size {heap_size} is under {LIST_NODE_SIZE} bytes, the size of a ListNode"
            )
        if heap_start + heap_size >= U64_LIMIT:
            raise InvalidHeapRegionError(
                f"heap {heap_start:#x} + {heap_size:#x} overflows the 64-bit address space"
            )
        self.heap_start, self.heap_size = heap_start, heap_size
        self._free.push_front(heap_start, heap_size)

    @staticmethod
    def size_align(layout: Layout) -> tuple[int, int]:
        """The guide's adjustment: align to a ListNode, pad, and hold at least one node."""
        return size_align(layout.size, layout.align)

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
        size, align = size_align(layout.size, layout.align)
        free = self._free
        position, visited, overflowed = free.first_fit(size, align)
        if position is None:
            return HeapAllocation(layout, None, None, visited, overflowed, self._visits(visited))
        visits = self._visits(position)
        start, region = free.remove(position)
        # Every node starts 8-aligned: at that alignment the block starts at the node,
        # and the event and the block share the one int.
        ptr = start if align == LIST_NODE_ALIGN else (start + align - 1) & ~(align - 1)
        excess = start + region - (ptr + size)
        if excess:  # find_region guarantees excess == 0 or excess >= LIST_NODE_SIZE
            free.push_front(ptr + size, excess)
        block = self._live[ptr] = Allocation(ptr, layout, size, ptr - start)
        self._allocated += size
        self._requested += layout.size
        self._lost += ptr - start
        return HeapAllocation(layout, block, region, position, False, visits)

    def _visits(self, count: int):
        """Copies of the first `count` nodes (at most `VISITS_KEPT`) for an event, or None."""
        return self._free.first(min(count, VISITS_KEPT)) if count else None

    def deallocate_event(self, ptr: int, layout: Layout) -> HeapRelease:
        """`deallocate`, returning its event."""
        allocation = self._check_live(ptr, layout)
        del self._live[ptr]
        self._free.push_front(ptr, allocation.size)
        self._allocated -= allocation.size
        self._requested -= layout.size
        return HeapRelease(allocation)

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> HeapReallocation:
        """`realloc`, returning its event; when no block fits, the old one stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(Layout(new_size, layout.align))
        release = None if allocation.block is None else self.deallocate_event(ptr, layout)
        return HeapReallocation(old, allocation, release)

    def revert(self, event: HeapAllocation | HeapRelease | HeapReallocation) -> None:
        """Undo the latest operation exactly: the free list returns to its old order."""
        if isinstance(event, HeapReallocation):
            if event.release is not None:
                self.revert(event.release)
            self.revert(event.allocation)
        elif isinstance(event, HeapRelease):
            block = event.allocation
            if self._free.head() != (block.ptr, block.size) or block.ptr in self._live:
                raise RevertError(f"{event.describe()} is not the latest operation")
            self._free.remove(0)
            self._live[block.ptr] = block
            self._allocated += block.size
            self._requested += block.layout.size
        elif event.block is not None:
            block = self._live.get(event.block.ptr)
            leftover = event.leftover
            if block is not event.block or (leftover is not None and self._free.head() != leftover):
                raise RevertError(f"{event.describe()} is not the latest operation")
            if leftover is not None:
                self._free.remove(0)
            self._free.insert(event.passed_over, *event.chosen)
            del self._live[block.ptr]
            self._allocated -= block.size
            self._requested -= block.layout.size
            self._lost -= block.padding

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

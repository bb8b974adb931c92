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

The free list is indexed so that an operation costs O(log n) whatever its length,
with the same answers node for node (position, nodes visited, the nodes passed
over) as a search from the head:

- pushed at the front or back, any fit, no coalescing: `IndexedFreeList` in slot
  order (the guide's case); in address order with the ListNode rules, coalescing
  or not: `IndexedFreeList` by address;
- sorted by size, leftovers pushed, first, best or worst fit:
  `SizeSortedFreeList`;
- in address order, best or worst fit (OSTEP's default, also without the ListNode
  rules): `AddressSortedFreeList`;
- the rest (coalescing over a list not in address order, a size-sorted list with
  leftovers left in place, address order without the ListNode rules, next fit
  over sizes): `FreeListStore`, searched in full by numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from ..addresses import U64_LIMIT
from ..errors import (
    HeapError,
)
from ..events import (
    Allocation,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
)
from ..layout import Layout
from ..stats import HeapStats
from .free_list_addresses import AddressSortedFreeList
from .free_list_index import IndexedFreeList
from .free_list_indexed import IndexedOperations
from .free_list_listed import ListedOperations
from .free_list_sizes import SizeSortedFreeList
from .free_list_store import FreeListStore
from .free_list_undo import Undo
from .heap_checks import check_region, live_block
from .heap_rules import GUIDE, SORT_KEYS, HeapRules
from .live_blocks import LiveByColumns

_new_tuple = tuple.__new__
"""Makes an `Allocation` without its generated `__new__` (a third of the cost)."""

INDEX_LIMIT = 1 << 22
"""An address-ordered list is indexed by address over 16: for heaps up to 64 MiB (a
tree of 32-bit sizes, 32 MiB at most)."""


@lru_cache(maxsize=4096)
def _layout(size: int, align: int) -> Layout:
    return Layout(size, align)


class FreeListHeap(LiveByColumns, IndexedOperations, ListedOperations, Undo):
    """A heap over one free list, searched and ordered by its `HeapRules`.

    Every operation also has an `*_event` form returning the event that explains it;
    `revert(event)` undoes the latest operation exactly, the list's order included
    (`free_list_undo`). The operations themselves are in `free_list_indexed` (on an
    `IndexedFreeList`) and `free_list_listed` (on the lists addressed by position).
    """

    kind = "free-list"

    def __init__(self, rules: HeapRules | None = None, **params) -> None:
        self.rules = rules if rules is not None else HeapRules(**params) if params else GUIDE
        self.heap_start = 0
        self.heap_size = 0
        self.initialised = False
        """Whether `init` gave it its heap (which may be empty, as malloc.py's -S 0)."""
        self._free = FreeListStore()
        self._live: dict[int, Allocation] = {}
        self._allocated = 0
        self._requested = 0
        self._lost = 0
        self._rover = 0
        """Next fit's start: the list position its next search begins at."""
        self._index: IndexedFreeList | None = None
        """The free list when it is indexed (`_index_mode`); then `_rover_slot`, not
        `_rover`, is next fit's start: the slot of its node (None: the head)."""
        self._rover_slot: int | None = None
        self._no_overflow = 0

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
        rules = self.rules  # malloc.py runs even on an empty heap (-S 0): least may be 0
        check_region(
            self, heap_start, heap_size, rules.min_align, rules.min_leftover, rules.node_rules
        )
        self.heap_start, self.heap_size = heap_start, heap_size
        self.initialised = True
        mode = self._index_mode(heap_size)
        if mode is not None:
            rules = self.rules
            # first fit in address order (ListNode rules) looks sizes up too, where the
            # many regions a few bytes too large at the low addresses would be passed one
            # by one
            self._lowest = mode == "address" and rules.fit == "first"
            self._free = self._index = IndexedFreeList(
                mode,
                heap_start,
                by_size=rules.fit in ("best", "worst"),
                by_end=rules.coalesce,
                lowest=self._lowest,
                span=heap_size,
            )
            # the rules as plain attributes: read on every operation
            self._sizer, self._header, self._fit = rules.sizer, rules.header, rules.fit
            self._min_leftover = rules.min_leftover
            self._in_place = rules.leftover == "in-place"
            self._mode = mode
        # size + align at most this: no block in the heap can end past 2**64
        self._no_overflow = U64_LIMIT - 1 - (heap_start + heap_size)
        if mode is None and self._sizes_indexed():
            self._free = SizeSortedFreeList(SORT_KEYS[self.rules.order], self._no_overflow)
        elif mode is None and self._addresses_indexed():
            self._free = AddressSortedFreeList(self._no_overflow)
        self._free.insert(0, heap_start, heap_size)

    def _sizes_indexed(self) -> bool:
        """Whether the list is kept sorted by size in a `SizeSortedFreeList`: not with
        leftovers left in place (which unsort it), coalescing or next fit."""
        rules = self.rules
        return (
            rules.order in ("sizesort+", "sizesort-")
            and rules.leftover == "push"
            and not rules.coalesce
            and rules.fit != "next"
        )

    def _addresses_indexed(self) -> bool:
        """Whether best or worst fit over an address-ordered list (without the ListNode
        rules, OSTEP's default) is kept in an `AddressSortedFreeList`."""
        rules = self.rules
        return rules.order == "addrsort" and rules.fit in ("best", "worst")

    def _demote(self) -> None:
        """Back to `FreeListStore`, for good: a zero-byte region is coming, which would
        share its start with another (only the plain store keeps two such apart)."""
        free = self._free
        free._settle_all()  # the pending visits copied now, if anyone may read them
        store = FreeListStore()
        store._set_head_first(*free.arrays())
        self._free = store

    def _index_mode(self, heap_size: int) -> str | None:
        """How the free list is indexed under these rules, or None: the plain store.

        Pushed at the front or the back: slots in list order, any fit, leftovers pushed
        or in place; not with coalescing (a pass over list neighbours), nor next fit
        without the ListNode rules (zero-byte regions hold no address to rove to).
        Address order: slots by address, which needs the ListNode rules (no two
        regions start within 16 bytes); coalescing then joins memory neighbours only.
        Sorted by size: `SizeSortedFreeList` (see `_sizes_indexed`), not by slots."""
        rules = self.rules
        if rules.order in ("insert-front", "insert-back"):
            if rules.coalesce or (rules.fit == "next" and not rules.node_rules):
                return None
            return "front" if rules.order == "insert-front" else "back"
        if rules.order == "addrsort" and rules.node_rules and heap_size >> 4 <= INDEX_LIMIT:
            return "address"
        return None

    def size_align(self, layout: Layout) -> tuple[int, int]:
        """What a block for `layout` takes (header included), and its alignment."""
        return self.rules.sizer(layout.size, layout.align)

    # The guide's interface

    def allocate(self, layout: Layout) -> int | None:
        """A block for `layout`, or None (the guide's null pointer) when none fits."""
        if self._index is not None:
            return self._allocate_indexed(layout, False)
        if type(self._free) is AddressSortedFreeList:
            return self._allocate_by_size(layout)
        return self.allocate_event(layout).ptr

    def deallocate(self, ptr: int, layout: Layout) -> None:
        """Free the block at `ptr`, which must have been allocated with `layout`."""
        if self._index is not None:
            self._deallocate_indexed(ptr, layout, False)
        elif type(self._free) is AddressSortedFreeList:
            self._deallocate_by_address(ptr, layout)
        else:
            self.deallocate_event(ptr, layout)

    def realloc(self, ptr: int, layout: Layout, new_size: int) -> int | None:
        """`GlobalAlloc::realloc`'s default: allocate anew, copy, free the old block."""
        self._check_live(ptr, layout)
        new_ptr = self.allocate(_layout(new_size, layout.align))
        if new_ptr is not None:
            self.deallocate(ptr, layout)
        return new_ptr

    # The same operations, returning the event that explains them

    def allocate_event(self, layout: Layout) -> HeapAllocation:
        """`allocate`, returning its event."""
        if self._index is not None:
            return self._allocate_indexed(layout, True)
        return self._allocate_listed(layout)

    def deallocate_event(self, ptr: int, layout: Layout) -> HeapRelease:
        """`deallocate`, returning its event."""
        if self._index is not None:
            return self._deallocate_indexed(ptr, layout, True)
        return self._deallocate_listed(ptr, layout)

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> HeapReallocation:
        """`realloc`, returning its event; when no block fits, the old one stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(_layout(new_size, layout.align))
        release = None if allocation.block is None else self.deallocate_event(ptr, layout)
        return HeapReallocation(old, allocation, release)

    def _block_ptr(self, start: int, header: int, align: int) -> int:
        """The address of a block in a region at `start`: after the header, aligned."""
        ptr = start + header
        if ptr & (align - 1):
            ptr = (ptr + align - 1) & ~(align - 1)
        if ptr in self._live:  # only a zero-byte block can be where another is
            raise HeapError(f"a block at {ptr:#x} would share a live zero-byte block's address")
        return ptr

    def _new_block(
        self, ptr: int, layout: Layout, size: int, padding: int, header: int
    ) -> Allocation:
        """Record a live block."""
        block = self._live[ptr] = _new_tuple(Allocation, (ptr, layout, size, padding, header))
        self._allocated += size
        self._requested += layout.size
        self._lost += padding
        return block

    def _found(
        self, layout, block, region, position, visited, visits, start, length, placed, reorder=None
    ) -> HeapAllocation:
        """The event of an allocation that found a block (its search began at list
        position `start` of a `length`-node list)."""
        overflowed = False
        return HeapAllocation(
            layout,
            block,
            region,
            position,
            visited,
            overflowed,
            visits,
            self.rules,
            start,
            length,
            placed,
            reorder,
        )

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
        if self.rules.fit != "next":
            return None
        if self._index is not None:
            slot = self._rover_slot
            return 0 if slot is None else self._index.rank(slot)
        return self._rover

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
        return live_block(self._live, ptr, layout)


LinkedListAllocator = FreeListHeap
"""The guide's name: with no arguments, the free-list heap is the guide's allocator."""

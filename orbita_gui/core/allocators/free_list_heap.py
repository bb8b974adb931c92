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
from .free_list_addresses import AddressSortedFreeList
from .free_list_index import IndexedFreeList
from .free_list_sizes import SizeSortedFreeList
from .free_list_store import FreeListStore, search_arrays
from .heap_rules import GUIDE, SORT_KEYS, HeapRules

_new_tuple = tuple.__new__
"""Makes an `Allocation` without its generated `__new__` (a third of the cost)."""

INDEX_LIMIT = 1 << 22
"""An address-ordered list is indexed by address over 16: for heaps up to 64 MiB."""


@lru_cache(maxsize=4096)
def _layout(size: int, align: int) -> Layout:
    return Layout(size, align)


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
        if self.initialised:
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
        least = self.rules.min_leftover  # malloc.py runs even on an empty heap (-S 0)
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
        self.initialised = True
        mode = self._index_mode(heap_size)
        if mode is not None:
            rules = self.rules
            # first and next fit with ListNode rules search by size too in address order,
            # where the many small regions at the low addresses would be passed one by one
            self._by_size = rules.fit in ("best", "worst") or mode == "address"
            self._free = self._index = IndexedFreeList(
                mode, heap_start, by_size=self._by_size, by_end=rules.coalesce
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
        return self.allocate_event(layout).ptr

    def deallocate(self, ptr: int, layout: Layout) -> None:
        """Free the block at `ptr`, which must have been allocated with `layout`."""
        if self._index is not None:
            self._deallocate_indexed(ptr, layout, False)
        else:
            self.deallocate_event(ptr, layout)

    def realloc(self, ptr: int, layout: Layout, new_size: int) -> int | None:
        """`GlobalAlloc::realloc`'s default: allocate anew, copy, free the old block."""
        if self._index is None:
            return self.realloc_event(ptr, layout, new_size).new_ptr
        self._check_live(ptr, layout)
        new_ptr = self._allocate_indexed(_layout(new_size, layout.align), False)
        if new_ptr is not None:
            self._deallocate_indexed(ptr, layout, False)
        return new_ptr

    # The same operations, returning the event that explains them

    def allocate_event(self, layout: Layout) -> HeapAllocation:
        """`allocate`, returning its event."""
        if self._index is not None:
            return self._allocate_indexed(layout, True)
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
        if ptr in self._live:  # only a zero-byte block can be where another is
            raise HeapError(f"a block at {ptr:#x} would share a live zero-byte block's address")
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
            self._rover = self._moved(position, length, placed, reorder, follower)
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

    # The indexed list's operations: O(log n) each (see `free_list_index`)

    def _allocate_indexed(self, layout: Layout, event: bool):
        """`allocate` (`event` False: returns the address) or `allocate_event` on the
        indexed list: the same search, result and event as the plain store's."""
        size, align = self._sizer(layout.size, layout.align)
        free = self._index
        header, fit, min_leftover = self._header, self._fit, self._min_leftover
        length = free._len
        padded = not (align <= 1 or (align <= 8 and header % align == 0 and min_leftover))
        mode = self._mode
        at = 0 if mode == "address" else free._lo
        rover = 0
        if fit == "next" and self._rover_slot is not None:
            at = self._rover_slot
            rover = free.rank(at)
        if size + align > self._no_overflow:  # a block might end past 2**64: search in full
            starts, sizes = free.arrays()
            position, visited, overflowed = search_arrays(
                starts, sizes, fit, size, align, header, min_leftover, rover
            )
            slot = None if position is None else free.select(position)
        else:
            overflowed = False
            if fit == "first":
                if min_leftover and not padded and self._by_size:
                    slot = free.find_first_sized(at, size, min_leftover)
                else:
                    slot = free._find(at, size, align, header, min_leftover, padded)
                if slot is None:
                    position, visited = None, length
                elif event:
                    position = 0 if slot == at else free.rank(slot)
                    visited = position + 1
                else:
                    position = visited = None  # not asked for: not counted
            elif fit == "next":
                slot = free._find(at, size, align, header, min_leftover, padded)
                if slot is not None:
                    position = free.rank(slot)
                    visited = position - rover + 1
                elif rover:
                    slot = free._find(0, size, align, header, min_leftover, padded)
                    position = None if slot is None else free.rank(slot)
                    if position is None or position >= rover:
                        slot = position = None
                        visited = length
                    else:
                        visited = length - rover + position + 1
                else:
                    position, visited = None, length
            else:
                slot = free.find_sized(fit == "best", size, align, header, min_leftover, padded)
                position = None if slot is None else free.rank(slot)
                visited = length
        if slot is None:
            if not event:
                return None
            count = visited if visited < VISITS_KEPT else VISITS_KEPT
            visits = free.visits(at, count, (), fit == "next") if count else None
            return HeapAllocation(
                layout, None, None, None, visited, overflowed, visits, self.rules, rover, length
            )
        start = free._starts[slot]
        region = free._t[free._cap + slot]
        ptr = start + header
        if ptr & (align - 1):
            ptr = (ptr + align - 1) & ~(align - 1)
        if ptr in self._live:  # only a zero-byte block can be where another is
            raise HeapError(f"a block at {ptr:#x} would share a live zero-byte block's address")
        block_start = ptr - header
        end = block_start + size
        excess = start + region - end
        follower = None
        if fit == "next" and length > 1:
            follower = free.next_slot(slot + 1)
            if follower is None:
                follower = free.head_slot()
        placed, leftover_slot = None, slot
        if excess and self._in_place:
            if mode == "address":
                free.remove_slot(slot)
                leftover_slot = free.add(end, excess)
            else:
                free.replace_slot(slot, end, excess)
            placed = IN_PLACE
        elif mode == "front":
            placed = 0 if excess else None
            if excess and slot == at and fit != "next":
                free.replace_slot(slot, end, excess)  # the head stays the head
            else:
                free.remove_slot(slot)
                if excess:
                    leftover_slot = free.push_front(end, excess)
        else:
            free.remove_slot(slot)
            if excess:
                if mode == "back":
                    leftover_slot = free.push_back(end, excess)
                    placed = free._len - 1
                else:
                    leftover_slot = free.add(end, excess)
                    placed = position
        if fit == "next":
            self._rover_slot = leftover_slot if placed == IN_PLACE else follower
        padding = block_start - start
        block = self._live[ptr] = _new_tuple(Allocation, (ptr, layout, size, padding, header))
        self._allocated += size
        self._requested += layout.size
        self._lost += padding
        if not event:
            return ptr
        visits = None
        if visited > 1:
            passed = visited - 1
            count = passed if passed < VISITS_KEPT else VISITS_KEPT
            if count:
                wraps = fit == "next" and rover + visited > length
                visits = free.visits(at, count, (slot, leftover_slot), wraps)
        return HeapAllocation(
            layout,
            block,
            region,
            position,
            visited,
            False,
            visits,
            self.rules,
            rover,
            length,
            placed,
            None,
        )

    def _deallocate_indexed(self, ptr: int, layout: Layout, event: bool):
        """`deallocate` or `deallocate_event` on the indexed list."""
        allocation = self._live.get(ptr)
        if allocation is None or (allocation.layout is not layout and allocation.layout != layout):
            self._check_live(ptr, layout)  # raises
        free, rules = self._index, self.rules
        rover = 0
        if self._fit == "next" and free._len:
            if self._rover_slot is None:
                self._rover_slot = free.head_slot()
            if event:
                rover = free.rank(self._rover_slot)
        del self._live[ptr]
        size = allocation.size
        start = ptr - allocation.header
        mode, merges = self._mode, ()
        if mode == "front":
            free.push_front(start, size)
            position = 0
        elif mode == "back":
            free.push_back(start, size)
            position = free._len - 1
        else:
            slot = free.add(start, size)
            position = free.rank(slot) if event or rules.coalesce else 0
            if rules.coalesce:
                merges = free.merge_around(slot)
                rover_slot = self._rover_slot
                if merges and rover_slot is not None and free._t[free._cap + rover_slot] < 0:
                    self._rover_slot = free.select(merges[0].position)
        self._allocated -= size
        self._requested -= layout.size
        if event:
            return HeapRelease(allocation, position, None, merges, rover)
        return None

    def _visits(self, at: int, visited: int, chosen: int | None):
        """Copies of the nodes a search passed over, in the order it looked at them (at
        most `VISITS_KEPT`), or None: they change once the list does."""
        passed = visited - (chosen is not None)
        if not passed:
            return None
        count = min(passed, VISITS_KEPT)
        if type(self._free) in (SizeSortedFreeList, AddressSortedFreeList):
            return self._free.lazy_visits(at, count, chosen)
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
        if type(free) is SizeSortedFreeList:
            return free.add(start, size), None
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

    def _moved(
        self, position: int, length: int, placed: int | None, reorder, follower: int | None
    ) -> int:
        """Where next fit's rover goes after an allocation from `position`: the leftover
        left in place, or the node that came after the one taken, followed by position
        (by address it could not be told from a zero-byte node at the same start)."""
        if placed == IN_PLACE:
            return position
        if follower is None:
            return 0
        after = (position + 1) % length
        if after > position:
            after -= 1  # the node taken before it is gone
        if placed is None:
            return after
        return self._position_after_place(after, placed, reorder)

    @staticmethod
    def _position_after_place(at: int, placed: int, reorder) -> int:
        """The position of the node at `at` once `_place` linked a region in at `placed`
        (appending it and sorting, if `reorder` is the sort's order)."""
        if reorder is not None:
            return int(np.flatnonzero(reorder == at)[0])
        return at + 1 if placed <= at else at

    @staticmethod
    def _position_after_merges(at: int, merges) -> int:
        """The position of the node at `at` once a coalescing pass made `merges`: the
        joined region's, if it was one of those joined."""
        removed = 0
        for merge in merges:
            first = merge.position + removed  # where the joined run began before the pass
            if at < first:
                break
            if at < first + len(merge.sizes):
                return merge.position
            removed += len(merge.sizes) - 1
        return at - removed

    def deallocate_event(self, ptr: int, layout: Layout) -> HeapRelease:
        """`deallocate`, returning its event."""
        if self._index is not None:
            return self._deallocate_indexed(ptr, layout, True)
        allocation = self._check_live(ptr, layout)
        rover = self._rover
        follows = self.rules.fit == "next" and len(self._free)
        if not allocation.size and type(self._free) is AddressSortedFreeList:
            self._demote()
        del self._live[ptr]
        position, reorder = self._place(allocation.start, allocation.size)
        merges = self._free.coalesce() if self.rules.coalesce else ()
        if follows:  # the rover's node, followed by position (a zero-byte one holds no address)
            moved = self._position_after_place(rover, position, reorder)
            self._rover = self._position_after_merges(moved, merges)
        self._allocated -= allocation.size
        self._requested -= layout.size
        return HeapRelease(allocation, position, reorder, merges, rover)

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> HeapReallocation:
        """`realloc`, returning its event; when no block fits, the old one stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(_layout(new_size, layout.align))
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
        self._set_rover(event.rover)

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
        self._set_rover(event.search_start)

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

    def _set_rover(self, position: int) -> None:
        if self._index is None:
            self._rover = position
        elif self.rules.fit == "next":
            free = self._index
            self._rover_slot = free.select(position) if position < len(free) else None

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

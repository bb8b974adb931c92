"""The free-list heap's operations on a list addressed by position.

`FreeListStore` and the sorted lists with its interface (`SizeSortedFreeList`,
`AddressSortedFreeList`) answer a search with a list position; the leftover of a
split goes where the list order says (`_place`), and next fit's rover follows its
node by position through every change. Best and worst fit in address order also
have plain forms that need no positions at all (`_allocate_by_size`).
"""

from __future__ import annotations

import numpy as np

from ..events import IN_PLACE, VISITS_KEPT, HeapAllocation, HeapRelease
from ..layout import Layout
from .free_list_addresses import AddressSortedFreeList
from .free_list_sizes import SizeSortedFreeList
from .heap_rules import SORT_KEYS


class ListedOperations:
    """A part of `FreeListHeap`: its operations on a list addressed by position."""

    def _allocate_listed(self, layout: Layout) -> HeapAllocation:
        """`allocate_event` on a list addressed by position."""
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
        ptr = self._block_ptr(start, header, align)
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
        block = self._new_block(ptr, layout, size, block_start - start, header)
        return self._found(
            layout, block, region, position, visited, visits, rover, length, placed, reorder
        )

    def _deallocate_listed(self, ptr: int, layout: Layout) -> HeapRelease:
        """`deallocate_event` on a list addressed by position."""
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

    # Best and worst fit in address order, without events (see `free_list_addresses`)

    def _allocate_by_size(self, layout: Layout) -> int | None:
        """`allocate` on an `AddressSortedFreeList`: no list positions are needed."""
        rules, free = self.rules, self._free
        size, align = rules.sizer(layout.size, layout.align)
        if size + align > self._no_overflow:  # a block might end past 2**64
            return self.allocate_event(layout).ptr
        header = rules.header
        start = free.fit(rules.fit == "best", size, align, header, rules.min_leftover)
        if start is None:
            return None
        region = free._sizes[start]
        ptr = self._block_ptr(start, header, align)
        block_start = ptr - header
        end = block_start + size
        excess = start + region - end
        if excess and rules.leftover == "in-place":
            free.resize(start, excess, end)
        else:
            free.unlink(start)
            if excess:
                free.link(end, excess)
        self._new_block(ptr, layout, size, block_start - start, header)
        return ptr

    def _deallocate_by_address(self, ptr: int, layout: Layout) -> None:
        """`deallocate` on an `AddressSortedFreeList`."""
        allocation = self._check_live(ptr, layout)
        if not allocation.size:  # a zero-byte region demotes the list
            self.deallocate_event(ptr, layout)
            return
        del self._live[ptr]
        size = allocation.size
        if self.rules.coalesce:
            self._free.link_joined(ptr - allocation.header, size)
        else:
            self._free.link(ptr - allocation.header, size)
        self._allocated -= size
        self._requested -= layout.size

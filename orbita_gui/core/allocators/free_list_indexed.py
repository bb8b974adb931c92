"""The free-list heap's operations on an `IndexedFreeList`: O(log n) each.

The same search, result and event as on the plain store (`free_list_listed`), with
slots for positions: a position (a rank) is counted only when an event or next fit
needs it, and the nodes a search passed over are taken lazily (`free_list_visits`).
"""

from __future__ import annotations

from ..events import IN_PLACE, VISITS_KEPT, HeapAllocation, HeapRelease
from ..layout import Layout
from .free_list_store import Merge, search_arrays


class IndexedOperations:
    """A part of `FreeListHeap`: its operations on an indexed list."""

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
                if self._lowest and not padded:
                    slot = free.find_lowest(size, min_leftover)
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
        ptr = self._block_ptr(start, header, align)
        block_start = ptr - header
        end = block_start + size
        excess = start + region - end
        follower = None
        if fit == "next" and length > 1:
            follower = free.next_slot(slot + 1)
            if follower is None:
                follower = free.head_slot()
        placed, leftover_slot = None, slot
        if mode == "address":  # in address order, pushed and in place are one place
            rest = free.split(slot, end - start)
            if rest is not None:
                leftover_slot = rest
                placed = IN_PLACE if self._in_place else position
        elif excess and self._in_place:
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
                leftover_slot = free.push_back(end, excess)
                placed = free._len - 1
        if fit == "next":
            self._rover_slot = leftover_slot if placed == IN_PLACE else follower
        padding = block_start - start
        block = self._new_block(ptr, layout, size, padding, header)
        if not event:
            return ptr
        visits = None
        if visited > 1:
            passed = visited - 1
            count = passed if passed < VISITS_KEPT else VISITS_KEPT
            if count:
                wraps = fit == "next" and rover + visited > length
                visits = free.visits(at, count, (slot, leftover_slot), wraps)
        return self._found(layout, block, region, position, visited, visits, rover, length, placed)

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
        elif rules.coalesce:
            slot, sizes = free.add_joined(start, size)
            joined = len(sizes) > 1
            rover_slot = self._rover_slot
            if joined and rover_slot is not None and free._t[free._cap + rover_slot] < 0:
                self._rover_slot = slot  # its node was joined into this one
            if event:
                position = free.rank(slot)
                if joined:
                    merges = (Merge(position, sizes, free._starts[slot]),)
                    position += free._starts[slot] != start  # after the one it joined
        else:
            slot = free.add(start, size)
            position = free.rank(slot) if event else 0
        self._allocated -= size
        self._requested -= layout.size
        if event:
            return HeapRelease(allocation, position, None, merges, rover)
        return None

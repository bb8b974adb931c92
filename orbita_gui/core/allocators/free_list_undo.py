"""Undoing the free-list heap's latest operation exactly, the list's order included.

An event holds what the operation changed (the region chosen, where the leftover
went, the regions a coalescing free joined, the order a sort left): undo puts each
back, and first checks that the event is the latest operation.
"""

from __future__ import annotations

import numpy as np

from ..errors import RevertError
from ..events import IN_PLACE, HeapAllocation, HeapReallocation, HeapRelease


class Undo:
    """A part of `FreeListHeap`: `revert`."""

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

    def _unplace(self, position: int, reorder: np.ndarray | None) -> tuple[int, int]:
        """Undo `_place`: unlink the region it placed and return it."""
        if reorder is None:
            return self._free.remove(position)
        self._free.unsort(reorder)
        return self._free.remove(len(self._free) - 1)

    def _set_rover(self, position: int) -> None:
        if self._index is None:
            self._rover = position
        elif self.rules.fit == "next":
            free = self._index
            self._rover_slot = free.select(position) if position < len(free) else None

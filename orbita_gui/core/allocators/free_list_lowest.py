"""The lowest slot of each region size, for first fit in address order.

First fit with the ListNode rules passes over a region a few bytes too large (its
leftover would be 1 to 15 bytes), and a region of exactly the size asked for may
come before the first with room to spare: the lowest slot of that size is all it
needs. A heap of slots per size answers that. A region that leaves or changes size
takes its entry out if it is its size's lowest (nearly always: most sizes have one
region); otherwise the entry stays until it comes to the top and is found out of
date, or a sweep drops it. This costs a fraction of keeping every region sorted by
size (a `SortedList` add and remove on every change), which the search needs only
now and then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from heapq import heapify, heappop, heappush

_SLACK = 4096
"""Out-of-date entries allowed beyond one per live region before a sweep."""


class LowestBySize:
    """Slots by region size, each size's lowest first; see the module's docstring."""

    __slots__ = ("_heaps", "entries", "limit")

    def __init__(self, regions: Iterable[tuple[int, int]] = ()) -> None:
        """`regions`: `(slot, size)` pairs."""
        heaps: dict[int, list[int]] = {}
        for slot, size in regions:
            heaps.setdefault(size, []).append(slot)
        for heap in heaps.values():
            heapify(heap)
        self._heaps = heaps
        self.entries = sum(map(len, heaps.values()))
        self.limit = 2 * self.entries + _SLACK
        """`entries` over this: time to `sweep`."""

    def add(self, slot: int, size: int) -> None:
        heap = self._heaps.get(size)
        if heap is None:
            self._heaps[size] = [slot]
        else:
            heappush(heap, slot)
        self.entries += 1

    def discard(self, slot: int, size: int) -> None:
        """The region in `slot` is no longer `size` bytes."""
        heap = self._heaps.get(size)
        if heap and heap[0] == slot:
            heappop(heap)
            self.entries -= 1
            if not heap:
                del self._heaps[size]

    def lowest(self, size: int, leaves: Sequence[int], offset: int) -> int | None:
        """The lowest slot whose region is `size` bytes now (`leaves[offset + slot]`)."""
        heap = self._heaps.get(size)
        while heap:
            slot = heap[0]
            if leaves[offset + slot] == size:
                return slot
            heappop(heap)
            self.entries -= 1
        return None

    def sweep(self, leaves: Sequence[int], offset: int) -> None:
        """Keep only the entries still true (`leaves[offset + slot] == size`)."""
        heaps = {}
        for size, heap in self._heaps.items():
            slots = sorted({slot for slot in heap if leaves[offset + slot] == size})
            if slots:
                heaps[size] = slots  # a sorted list is a heap
        self._heaps = heaps
        self.entries = sum(map(len, heaps.values()))
        self.limit = 2 * self.entries + _SLACK

"""A free list in address order searched by size, indexed: best and worst fit in O(log n).

OSTEP's malloc.py defaults (best fit, address order, no ListNode rules) need no
search in list order, only the smallest or largest region that fits and its list
position, which is its rank by address: a `SortedList` of the starts gives the
order and the ranks, a `SortedList` of (size, start) keys the fits (the first of
equal sizes in list order is the lowest start). Coalescing joins the region just
freed with its neighbours in memory (in address order no two others touch).

It has the positional interface of `FreeListStore`, and takes the visits of a
search lazily as `IndexedFreeList` does. Starts must be distinct: a zero-byte
region (only a zero-byte block makes one) sends the heap back to `FreeListStore`.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from sortedcontainers import SortedList

from .free_list_index import IndexedFreeList
from .free_list_store import Merge, Search, search_arrays

_U64 = np.uint64
_SHIFT = 64
_MASK = (1 << 64) - 1


class AddressSortedFreeList:
    """Free regions in address order, with their sizes indexed for best and worst fit."""

    mode = "addresses"

    def __init__(self, no_overflow: int) -> None:
        self.no_overflow = no_overflow
        self._starts = SortedList()
        self._sizes: dict[int, int] = {}
        self._by_size = SortedList()
        self._last: int | None = None
        self.free_bytes = 0
        self._pending = None

    def __len__(self) -> int:
        return len(self._starts)

    # Reading

    def region(self, position: int) -> tuple[int, int]:
        start = self._starts[position]
        return start, self._sizes[start]

    def head(self) -> tuple[int, int] | None:
        return self.region(0) if self._starts else None

    def regions(self) -> list[tuple[int, int]]:
        sizes = self._sizes
        return [(start, sizes[start]) for start in self._starts]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        sizes = self._sizes
        starts = list(self._starts)
        return (
            np.array(starts, dtype=_U64),
            np.array([sizes[start] for start in starts], dtype=_U64),
        )

    def first(self, count: int, at: int = 0) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._starts)
        starts = [self._starts[(at + i) % n] for i in range(count)] if n else []
        sizes = [self._sizes[start] for start in starts]
        return np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)

    def largest(self) -> int:
        return self._by_size[-1] >> _SHIFT if self._by_size else 0

    def rank(self, start: int) -> int:
        return self._starts.bisect_left(start)

    # Changing

    def insert(self, position: int, start: int, size: int) -> None:
        """Link a region in (its position is its rank by address)."""
        if self._pending is not None:
            IndexedFreeList._note_new(self, start)
        self._starts.add(start)
        self._sizes[start] = size
        self._by_size.add((size << _SHIFT) | start)
        self.free_bytes += size
        self._last = start

    def remove(self, position: int) -> tuple[int, int]:
        start = self._starts[position]
        if self._pending is not None:
            IndexedFreeList._settle(self, start)
        del self._starts[position]
        size = self._sizes.pop(start)
        self._by_size.remove((size << _SHIFT) | start)
        self.free_bytes -= size
        return start, size

    def replace(self, position: int, start: int, size: int) -> None:
        self.remove(position)
        self.insert(position, start, size)

    def sorted_position(self, key: str, start: int, size: int) -> int:
        return self._starts.bisect_left(start)

    def coalesce(self) -> tuple[Merge, ...]:
        """Join the region linked in last with its neighbours in memory."""
        start = self._last
        if start is None or start not in self._sizes:
            return ()
        starts, sizes = self._starts, self._sizes
        position = starts.bisect_left(start)
        first, parts = position, [sizes[start]]
        if position:
            before = starts[position - 1]
            if before + sizes[before] == start:
                first = position - 1
                parts.insert(0, sizes[before])
        end = start + sizes[start]
        if end in sizes:
            parts.append(sizes[end])
        if len(parts) == 1:
            return ()
        merged = starts[first]
        for _ in parts:
            self.remove(first)
        self.insert(first, merged, sum(parts))
        return (Merge(first, tuple(parts), merged),)

    def uncoalesce(self, merges: tuple[Merge, ...]) -> None:
        for merge in reversed(merges):
            start, _ = self.remove(merge.position)
            for size in merge.sizes:
                self.insert(merge.position, start, size)
                start += size

    # Searching

    def search(
        self, fit: str, need: int, align: int, header: int, min_leftover: int, rover: int = 0
    ) -> Search:
        n = len(self._starts)
        if need + align > self.no_overflow or fit not in ("best", "worst"):
            starts, sizes = self.arrays()
            return search_arrays(starts, sizes, fit, need, align, header, min_leftover, rover)
        padded = not (align <= 1 or (align <= 8 and header % align == 0 and min_leftover))
        keys = self._by_size

        def takes(key: int) -> bool:
            size, want = key >> _SHIFT, need
            if padded:
                want += (-((key & _MASK) + header)) & (align - 1)
            return size >= want and (
                not min_leftover or size == want or size >= want + min_leftover
            )

        found = None
        if fit == "best":
            i = keys.bisect_left(need << _SHIFT)
            if i < len(keys) and not padded:
                key = keys[i]
                if min_leftover and key >> _SHIFT != need:
                    i = keys.bisect_left((need + min_leftover) << _SHIFT)
                found = keys[i] if i < len(keys) else None
            elif i < len(keys):
                found = next((key for key in keys.islice(i) if takes(key)), None)
        else:
            top = len(keys) - 1
            while top >= 0 and found is None:
                size = keys[top] >> _SHIFT
                if size < need:
                    break
                first = keys.bisect_left(size << _SHIFT)
                for key in keys.islice(first, top + 1):
                    if takes(key):
                        found = key
                        break
                    if not padded:
                        break
                top = first - 1
        if found is None:
            return Search(None, n, False)
        return Search(self._starts.bisect_left(found & _MASK), n, False)

    # Visits (as `IndexedFreeList`'s, by start)

    def lazy_visits(self, at: int, count: int, chosen: int | None):
        skip = () if chosen is None else (self._starts[chosen],)
        return IndexedFreeList.visits(self, at, count, skip, False)

    _settle = IndexedFreeList._settle
    _note_new = IndexedFreeList._note_new
    _settle_all = IndexedFreeList._settle_all

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        starts = [s for s in islice(self._starts.islice(at), count + len(skip)) if s not in skip]
        starts = starts[:count]
        return starts, [self._sizes[start] for start in starts]

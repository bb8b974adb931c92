"""A free list in address order searched by size, indexed: best and worst fit in O(log n).

OSTEP's malloc.py defaults (best fit, address order, no ListNode rules) need no
search in list order, only the smallest or largest region that fits: a `SortedList`
of (size, start) keys gives it (the first of equal sizes in list order is the
lowest start). Coalescing joins the region just freed with its neighbours in memory
(in address order no two others touch), found in two dicts, by start and by end.
Only an event or a view asks for list positions (ranks by address): the `SortedList`
of the starts that gives them is made then, and kept from then on.

It has the positional interface of `FreeListStore`, and takes the visits of a
search lazily (`free_list_visits`), by start. Starts must be distinct: a zero-byte
region (only a zero-byte block makes one) sends the heap back to `FreeListStore`.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from sortedcontainers import SortedList

from .free_list_store import Merge, Search, search_arrays
from .free_list_visits import PendingVisits

_U64 = np.uint64
_SHIFT = 64
_MASK = (1 << 64) - 1


class AddressSortedFreeList(PendingVisits):
    """Free regions in address order, with their sizes indexed for best and worst fit."""

    mode = "addresses"

    def __init__(self, no_overflow: int) -> None:
        self.no_overflow = no_overflow
        self._sizes: dict[int, int] = {}
        """Size by start: the regions, and the one that starts where a block ends."""
        self._by_end: dict[int, int] = {}
        """Start by end: the region that ends where a block starts."""
        self._by_size = SortedList()
        self._order: SortedList | None = None
        """The starts in order, made when a list position is first asked for (an event,
        a view) and kept from then on: the plain operations need none."""
        self._last: int | None = None
        self.free_bytes = 0

    def __len__(self) -> int:
        return len(self._sizes)

    def _ordered(self) -> SortedList:
        if self._order is None:
            self._order = SortedList(self._sizes)
        return self._order

    # Reading

    def region(self, position: int) -> tuple[int, int]:
        start = self._ordered()[position]
        return start, self._sizes[start]

    def head(self) -> tuple[int, int] | None:
        return self.region(0) if self._sizes else None

    def regions(self) -> list[tuple[int, int]]:
        sizes = self._sizes
        return [(start, sizes[start]) for start in self._ordered()]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        sizes = self._sizes
        starts = list(self._ordered())
        return (
            np.array(starts, dtype=_U64),
            np.array([sizes[start] for start in starts], dtype=_U64),
        )

    def first(self, count: int, at: int = 0) -> tuple[np.ndarray, np.ndarray]:
        order, n = self._ordered(), len(self._sizes)
        starts = [order[(at + i) % n] for i in range(count)] if n else []
        sizes = [self._sizes[start] for start in starts]
        return np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)

    def largest(self) -> int:
        return self._by_size[-1] >> _SHIFT if self._by_size else 0

    def rank(self, start: int) -> int:
        return self._ordered().bisect_left(start)

    # Changing, by start (the heap's plain operations)

    def link(self, start: int, size: int) -> None:
        """Link a region in (its position is its rank by address)."""
        if self._pending is not None:
            self._note_new(start)
        if self._order is not None:
            self._order.add(start)
        self._sizes[start] = size
        self._by_end[start + size] = start
        self._by_size.add((size << _SHIFT) | start)
        self.free_bytes += size
        self._last = start

    def unlink(self, start: int) -> int:
        """Unlink the region at `start`; returns its size."""
        if self._pending is not None:
            self._settle(start)
        if self._order is not None:
            self._order.remove(start)
        size = self._sizes.pop(start)
        del self._by_end[start + size]
        self._by_size.remove((size << _SHIFT) | start)
        self.free_bytes -= size
        return size

    def resize(self, start: int, size: int, new_start: int) -> None:
        """Make the region at `start` the `size` bytes from `new_start` on, in its place
        in the list: no other region starts or ends within the bytes it gains or loses."""
        if self._pending is not None:
            self._settle(start)
        sizes, old = self._sizes, self._sizes[start]
        if new_start != start:
            if self._pending is not None:  # a start the search did not pass
                self._note_new(new_start)
            if self._order is not None:
                order = self._order
                del order[order.bisect_left(start)]
                order.add(new_start)
            del sizes[start]
        del self._by_end[start + old]
        sizes[new_start] = size
        self._by_end[new_start + size] = new_start
        self._by_size.remove((old << _SHIFT) | start)
        self._by_size.add((size << _SHIFT) | new_start)
        self.free_bytes += size - old
        self._last = new_start

    def link_joined(self, start: int, size: int) -> tuple[int, tuple[int, ...]]:
        """Link a freed region in joined with the regions right before and after it in
        memory (in address order no two others touch); returns where the region it is
        now part of starts, and the sizes joined in address order (one: none)."""
        sizes: tuple[int, ...] = (size,)
        after = self._sizes.get(start + size)
        if after is not None:
            self.unlink(start + size)
            sizes += (after,)
        before = self._by_end.get(start)
        if before is None:
            self.link(start, sum(sizes))
            return start, sizes
        grown = self._sizes[before]
        self.resize(before, grown + sum(sizes), before)
        return before, (grown, *sizes)

    # Changing, by position (`FreeListStore`'s interface: events, undo)

    def insert(self, position: int, start: int, size: int) -> None:
        """Link a region in (its position is its rank by address)."""
        self._ordered()
        self.link(start, size)

    def remove(self, position: int) -> tuple[int, int]:
        start = self._ordered()[position]
        return start, self.unlink(start)

    def replace(self, position: int, start: int, size: int) -> None:
        self.remove(position)
        self.insert(position, start, size)

    def sorted_position(self, key: str, start: int, size: int) -> int:
        return self.rank(start)

    def coalesce(self) -> tuple[Merge, ...]:
        """Join the region linked in last with its neighbours in memory."""
        start = self._last
        size = self._sizes.get(start)
        if size is None or (start + size not in self._sizes and start not in self._by_end):
            return ()
        merged, sizes = self.link_joined(start, self.unlink(start))
        return (Merge(self.rank(merged), sizes, merged),)

    def uncoalesce(self, merges: tuple[Merge, ...]) -> None:
        for merge in reversed(merges):
            start, _ = self.remove(merge.position)
            for size in merge.sizes:
                self.insert(merge.position, start, size)
                start += size

    # Searching

    def fit(self, best: bool, need: int, align: int, header: int, min_leftover: int) -> int | None:
        """The start of the smallest (`best`) or largest region that takes the block,
        the lowest of equals; None if none does. `need + align` at most `no_overflow`."""
        padded = not (align <= 1 or (align <= 8 and header % align == 0 and min_leftover))
        keys = self._by_size
        if best and not padded:  # OSTEP's usual case: a bisection or two
            i = keys.bisect_left(need << _SHIFT)
            if i < len(keys) and min_leftover and keys[i] >> _SHIFT != need:
                i = keys.bisect_left((need + min_leftover) << _SHIFT)
            return keys[i] & _MASK if i < len(keys) else None

        def takes(key: int) -> bool:
            size, want = key >> _SHIFT, need
            if padded:
                want += (-((key & _MASK) + header)) & (align - 1)
            return size >= want and (
                not min_leftover or size == want or size >= want + min_leftover
            )

        found = None
        if best:  # by value from the need on: no list positions to count
            found = next((key for key in keys.irange(need << _SHIFT) if takes(key)), None)
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
        return None if found is None else found & _MASK

    def search(
        self, fit: str, need: int, align: int, header: int, min_leftover: int, rover: int = 0
    ) -> Search:
        n = len(self._sizes)
        if need + align > self.no_overflow or fit not in ("best", "worst"):
            starts, sizes = self.arrays()
            return search_arrays(starts, sizes, fit, need, align, header, min_leftover, rover)
        start = self.fit(fit == "best", need, align, header, min_leftover)
        return Search(None if start is None else self.rank(start), n, False)

    # Visits (`PendingVisits`, by start)

    def lazy_visits(self, at: int, count: int, chosen: int | None):
        skip = () if chosen is None else (self._ordered()[chosen],)
        return self.visits(at, count, skip, False)

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        order = self._ordered().islice(at)
        starts = [s for s in islice(order, count + len(skip)) if s not in skip]
        starts = starts[:count]
        return starts, [self._sizes[start] for start in starts]

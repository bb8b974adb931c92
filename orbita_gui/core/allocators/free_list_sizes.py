"""A free list kept sorted by size, indexed: O(log n) an operation instead of O(n).

"sizesort+" (small first) and "sizesort-" (large first) keep the list sorted with a
new region after the equal ones, so the list is a `SortedList` of keys that sort as
the list does: the size (flipped for "sizesort-") and then a sequence number. The
searches are bisections: first and best fit in a small-first list, first and worst
in a large-first one, take the first region from a point on; the other two go size
by size from the far end. Only a few bytes' difference (a leftover of 1 to 15
bytes, alignment padding) makes them test more than one region.

It has the positional interface of `FreeListStore`, and takes the visits of a
search lazily (`free_list_visits`), by key.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from sortedcontainers import SortedList

from .free_list_index import region_arrays
from .free_list_store import Search, search_arrays
from .free_list_visits import PendingVisits

_U64 = np.uint64
_SEQ = 48
"""Bits of a key below the size: the sequence number."""
_FLIP = 1 << 64
"""A large-first list sorts on `_FLIP - size`."""


class SizeSortedFreeList(PendingVisits):
    """Free regions sorted by size ("size+" or "size-"), equal sizes in the order they came."""

    mode = "size"

    def __init__(self, key: str, no_overflow: int) -> None:
        self.descending = key == "size-"
        self.no_overflow = no_overflow
        """`need + align` at most this: no block can end past 2**64 (else: numpy)."""
        self._keys = SortedList()
        self._starts: dict[int, int] = {}
        self._seq = 0
        self.free_bytes = 0

    def __len__(self) -> int:
        return len(self._keys)

    # Keys

    def _base(self, size: int) -> int:
        """The smallest key of a region of `size` bytes."""
        return ((_FLIP - size) if self.descending else size) << _SEQ

    def _size(self, key: int) -> int:
        prefix = key >> _SEQ
        return _FLIP - prefix if self.descending else prefix

    def _new_key(self, position: int, size: int) -> int:
        keys, base = self._keys, self._base(size)
        low = keys[position - 1] + 1 if position else 0
        high = keys[position] - 1 if position < len(keys) else 1 << 200
        low, high = max(low, base), min(high, base + (1 << _SEQ) - 1)
        if low > high and self._renumber():
            return self._new_key(position, size)
        if low > high:
            raise ValueError(f"a {size}-byte region does not belong at position {position}")
        key = base | (self._seq & ((1 << _SEQ) - 1))
        self._seq += 1
        return key if low <= key <= high else (low + high) >> 1

    def _renumber(self) -> bool:
        """Space the sequence numbers out (room for an undo to put a region back between
        two of equal size); False if they are spaced already."""
        keys = list(self._keys)
        spaced = [(key >> _SEQ << _SEQ) | ((i + 1) << 20) for i, key in enumerate(keys)]
        if spaced == keys:
            return False
        starts = self._starts
        self._starts = {new: starts[old] for old, new in zip(keys, spaced, strict=True)}
        self._keys = SortedList(spaced)
        self._seq = (len(keys) + 2) << 20
        return True

    # Reading

    def region(self, position: int) -> tuple[int, int]:
        key = self._keys[position]
        return self._starts[key], self._size(key)

    def head(self) -> tuple[int, int] | None:
        return self.region(0) if self._keys else None

    def regions(self, keys=None) -> list[tuple[int, int]]:
        starts, size = self._starts, self._size
        return [(starts[key], size(key)) for key in (self._keys if keys is None else keys)]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return region_arrays(self.regions())

    def first(self, count: int, at: int = 0) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._keys)
        keys = [self._keys[(at + i) % n] for i in range(count)] if n else []
        regions = self.regions(keys)
        starts = np.array([s for s, _ in regions], dtype=_U64)
        return starts, np.array([z for _, z in regions], dtype=_U64)

    def largest(self) -> int:
        keys = self._keys
        if not keys:
            return 0
        return self._size(keys[0] if self.descending else keys[-1])

    def rank(self, key: int) -> int:
        return self._keys.bisect_left(key)

    # Changing

    def insert(self, position: int, start: int, size: int) -> None:
        if self._pending is not None:
            self._settle_all()
        key = self._new_key(position, size)
        self._keys.add(key)
        self._starts[key] = start
        self.free_bytes += size

    def add(self, start: int, size: int) -> int:
        """Link a region in after the equal ones; returns its position."""
        key = self._base(size) | (self._seq & ((1 << _SEQ) - 1))
        self._seq += 1
        if self._pending is not None:
            self._note_new(key)
        keys = self._keys
        keys.add(key)
        self._starts[key] = start
        self.free_bytes += size
        return keys.bisect_left(key)

    def remove(self, position: int) -> tuple[int, int]:
        key = self._keys[position]
        if self._pending is not None:
            self._settle(key)
        del self._keys[position]
        start = self._starts.pop(key)
        size = self._size(key)
        self.free_bytes -= size
        return start, size

    def replace(self, position: int, start: int, size: int) -> None:
        self.remove(position)
        self.insert(position, start, size)

    def sorted_position(self, key: str, start: int, size: int) -> int:
        """Where a region goes: after the regions that sort before it or equal."""
        return self._keys.bisect_left(self._base(size) + (1 << _SEQ))

    # Searching

    def search(
        self, fit: str, need: int, align: int, header: int, min_leftover: int, rover: int = 0
    ) -> Search:
        keys, n = self._keys, len(self._keys)
        if need + align > self.no_overflow or fit == "next":
            starts, sizes = self.arrays()
            return search_arrays(starts, sizes, fit, need, align, header, min_leftover, rover)
        padded = not (align <= 1 or (align <= 8 and header % align == 0 and min_leftover))
        starts, size_of = self._starts, self._size

        def takes(key: int) -> bool:
            size, want = size_of(key), need
            if padded:
                want += (-(starts[key] + header)) & (align - 1)
            return size >= want and (
                not min_leftover or size == want or size >= want + min_leftover
            )

        in_order = (fit in ("first", "best")) != self.descending or fit == "first"
        if in_order:  # the first region from a point on in list order
            if not self.descending:
                i = keys.bisect_left(self._base(need))
                if not padded and i < n:
                    if min_leftover and size_of(keys[i]) != need:
                        i = keys.bisect_left(self._base(need + min_leftover))
                    found = i if i < n else None
                else:
                    found = next((j for j, k in enumerate(keys.islice(i), i) if takes(k)), None)
            elif not padded:
                found = None
                if n and size_of(keys[0]) >= need + min_leftover:
                    found = 0
                elif n and min_leftover:
                    i = keys.bisect_left(self._base(need))
                    found = i if i < n and size_of(keys[i]) == need else None
            else:
                found = None
                for j, key in enumerate(keys):
                    if size_of(key) < need:
                        break
                    if takes(key):
                        found = j
                        break
            if found is None:
                return Search(None, n, False)
            return Search(found, found + 1 if fit == "first" else n, False)
        # size by size from the far end: worst fit small first, best fit large first
        top = n - 1
        while top >= 0:
            size = size_of(keys[top])
            if size < need:
                if not self.descending or not need:
                    break
                top = keys.bisect_left(self._base(need - 1)) - 1  # past every smaller size
                continue
            first = keys.bisect_left(self._base(size))
            if size >= need:
                for j, key in enumerate(keys.islice(first, top + 1), first):
                    if takes(key):
                        return Search(j, n, False)
                    if not padded:
                        break
            top = first - 1
        return Search(None, n, False)

    # Visits (`PendingVisits`, by key)

    def lazy_visits(self, at: int, count: int, chosen: int | None):
        skip = () if chosen is None else (self._keys[chosen],)
        return self.visits(at, count, skip, False)

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        keys = [key for key in islice(self._keys.islice(at), count + len(skip)) if key not in skip]
        regions = self.regions(keys[:count])
        return [s for s, _ in regions], [z for _, z in regions]

"""A free list as two numpy arrays: the regions in list order, searched all at once.

The chain is stored tail first, so that pushing a region at the head (what the
guide does with every freed region and leftover) is an append, and a search
runs in numpy over all nodes at once instead of node by node in Python.
Positions in the public methods are list positions: 0 is the head.

The store knows list order and searching; the heap decides what to search for
and where a region goes (`FreeListHeap`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_U64 = np.uint64
_NO_FITS = ("first", "next", "best", "worst")


class Search(NamedTuple):
    """A search's answer: the position chosen (None if none), how many nodes it looked
    at, and whether an address overflow ended it (the guide's `checked_add(size)?`)."""

    position: int | None
    visited: int
    overflowed: bool


class Merge(NamedTuple):
    """Regions a coalescing pass joined: the joined region's position after the pass,
    and the sizes of the regions it was made of, in list order."""

    position: int
    sizes: tuple[int, ...]
    start: int = 0
    """Where the joined region starts (for the views and the narration)."""


class FreeListStore:
    """Free regions as `(start, size)` pairs in list order."""

    def __init__(self) -> None:
        self._starts = np.zeros(64, dtype=_U64)
        self._sizes = np.zeros(64, dtype=_U64)
        self._len = 0
        self.free_bytes = 0

    def __len__(self) -> int:
        return self._len

    # Reading

    def region(self, position: int) -> tuple[int, int]:
        i = self._len - 1 - position
        return int(self._starts[i]), int(self._sizes[i])

    def head(self) -> tuple[int, int] | None:
        return self.region(0) if self._len else None

    def first(self, count: int, at: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the starts and sizes of `count` nodes from position `at`, wrapping
        past the tail to the head, in list order."""
        starts, sizes = self.arrays()
        if at + count <= self._len:
            return starts[at : at + count], sizes[at : at + count]
        order = (np.arange(count) + at) % max(self._len, 1)
        return starts[order], sizes[order]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of all starts and sizes, head first (for drawing)."""
        n = self._len
        return self._starts[:n][::-1].copy(), self._sizes[:n][::-1].copy()

    def largest(self) -> int:
        return int(self._sizes[: self._len].max()) if self._len else 0

    # Changing

    def insert(self, position: int, start: int, size: int) -> None:
        """Link a region in at `position` (0: the head, `len`: after the tail)."""
        if self._len == len(self._starts):
            self._starts = np.concatenate([self._starts, np.zeros_like(self._starts)])
            self._sizes = np.concatenate([self._sizes, np.zeros_like(self._sizes)])
        i, n = self._len - position, self._len
        if i < n:
            self._starts[i + 1 : n + 1] = self._starts[i:n]
            self._sizes[i + 1 : n + 1] = self._sizes[i:n]
        self._starts[i], self._sizes[i] = start, size
        self._len += 1
        self.free_bytes += size

    def remove(self, position: int) -> tuple[int, int]:
        """Unlink the node at `position` and return its region."""
        i, n = self._len - 1 - position, self._len
        region = int(self._starts[i]), int(self._sizes[i])
        self._starts[i : n - 1] = self._starts[i + 1 : n]
        self._sizes[i : n - 1] = self._sizes[i + 1 : n]
        self._len -= 1
        self.free_bytes -= region[1]
        return region

    def replace(self, position: int, start: int, size: int) -> None:
        """Change the region at `position` in place (a split that keeps the node)."""
        i = self._len - 1 - position
        self.free_bytes += size - int(self._sizes[i])
        self._starts[i], self._sizes[i] = start, size

    def sorted_position(self, key: str, start: int, size: int) -> int | None:
        """Where a region goes in a list sorted by `key` ("addr", "size+", "size-"),
        after any equal ones, as a stable sort of the list with it appended puts it;
        None if the list is not sorted by that key now (a split left a region in
        place out of order: then see `sort`)."""
        starts, sizes = self._head_first()
        if key == "addr":
            if len(starts) > 1 and np.any(starts[1:] < starts[:-1]):
                return None
            return int(np.count_nonzero(starts <= _U64(start)))
        if key == "size+":
            if len(sizes) > 1 and np.any(sizes[1:] < sizes[:-1]):
                return None
            return int(np.count_nonzero(sizes <= _U64(size)))
        if len(sizes) > 1 and np.any(sizes[1:] > sizes[:-1]):
            return None
        return int(np.count_nonzero(sizes >= _U64(size)))

    def sort(self, key: str) -> np.ndarray:
        """Stable-sort the list by "addr", "size+" or "size-"; returns the order (the new
        list's node i was node `order[i]`)."""
        starts, sizes = self._head_first()
        keys = {"addr": starts, "size+": sizes}.get(key)
        if keys is None:
            keys = -sizes.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        self._set_head_first(starts[order], sizes[order])
        return order

    def unsort(self, order: np.ndarray) -> None:
        """Undo `sort`, given the order it returned."""
        starts, sizes = self._head_first()
        old_starts, old_sizes = np.empty_like(starts), np.empty_like(sizes)
        old_starts[order], old_sizes[order] = starts, sizes
        self._set_head_first(old_starts, old_sizes)

    def coalesce(self) -> tuple[Merge, ...]:
        """OSTEP's pass: every run of list neighbours that are neighbours in memory too
        becomes one region. Returns what it merged, for `uncoalesce`."""
        starts, sizes = self._head_first()
        if len(starts) < 2:
            return ()
        joins = starts[1:] == starts[:-1] + sizes[:-1]
        if not joins.any():
            return ()
        run_starts = np.flatnonzero(np.concatenate([[True], ~joins]))
        bounds = np.append(run_starts, len(starts))
        merges = tuple(
            Merge(k, tuple(sizes[a:b].tolist()), int(starts[a]))
            for k, (a, b) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
            if b - a > 1
        )
        self._set_head_first(starts[run_starts], np.add.reduceat(sizes, run_starts))
        return merges

    def uncoalesce(self, merges: tuple[Merge, ...]) -> None:
        """Split merged regions back into the regions they were made of."""
        starts, sizes = self._head_first()
        new_starts, new_sizes = list(starts.tolist()), list(sizes.tolist())
        for merge in reversed(merges):
            start, parts = new_starts[merge.position], []
            for size in merge.sizes:  # in Python ints: numpy's int64 would overflow near 2**64
                parts.append(start)
                start += size
            new_starts[merge.position : merge.position + 1] = parts
            new_sizes[merge.position : merge.position + 1] = merge.sizes
        self._set_head_first(np.array(new_starts, dtype=_U64), np.array(new_sizes, dtype=_U64))

    # Searching

    def search(
        self, fit: str, need: int, align: int, header: int, min_leftover: int, rover: int = 0
    ) -> Search:
        """Find a region for a block of `need` bytes (header included) whose address
        after the header is `align`-aligned, leaving no leftover of 1 to
        `min_leftover - 1` bytes.

        "first" takes the first that fits from the head, "next" the first from
        position `rover` on, wrapping; both stop at a node where the block's end
        would pass 2**64. "best" and "worst" look at every node and take the
        smallest or largest that fits, the first of equals in list order.
        """
        n = self._len
        starts, sizes = self._starts[:n][::-1], self._sizes[:n][::-1]  # views, head first
        return search_arrays(starts, sizes, fit, need, align, header, min_leftover, rover)

    # Internals

    def _head_first(self) -> tuple[np.ndarray, np.ndarray]:
        n = self._len
        return self._starts[:n][::-1], self._sizes[:n][::-1]

    def _set_head_first(self, starts: np.ndarray, sizes: np.ndarray) -> None:
        n = len(starts)
        if n > len(self._starts):
            self._starts = np.zeros(2 * n, dtype=_U64)
            self._sizes = np.zeros(2 * n, dtype=_U64)
        self._starts[:n] = starts[::-1]
        self._sizes[:n] = sizes[::-1]
        self._len = n
        self.free_bytes = int(sizes.sum()) if n else 0


def search_arrays(
    starts: np.ndarray,
    sizes: np.ndarray,
    fit: str,
    need: int,
    align: int,
    header: int,
    min_leftover: int,
    rover: int = 0,
) -> Search:
    """`FreeListStore.search` over the regions' starts and sizes (uint64, head first)."""
    n = len(starts)
    if fit not in _NO_FITS:
        raise ValueError(f"unknown fit {fit!r}")
    if align <= 1 or (align <= 8 and header % align == 0 and min_leftover):
        padded = _U64(need)  # every node start is aligned: no padding anywhere
    else:
        padded = ((_U64(0) - starts - _U64(header)) & _U64(align - 1)) + _U64(need)
    fits = sizes >= padded
    if min_leftover:
        fits &= (sizes == padded) | (sizes >= padded + _U64(min_leftover))
    # The end can only pass 2**64 where 2**64 - 1 - start < padding + need.
    overflows = padded > ~starts
    if fit in ("best", "worst"):
        fits &= ~overflows
        hits = np.flatnonzero(fits)
        if not len(hits):
            return Search(None, n, False)
        chosen = sizes[hits]
        best = np.argmin(chosen) if fit == "best" else np.argmax(chosen)
        return Search(int(hits[best]), n, False)
    stops = fits | overflows
    hits = np.flatnonzero(stops[rover:] if fit == "next" else stops)
    if fit == "next" and len(hits):
        position, visited = rover + int(hits[0]), int(hits[0]) + 1
    elif fit == "next":
        hits = np.flatnonzero(stops[:rover])
        if not len(hits):
            return Search(None, n, False)
        position, visited = int(hits[0]), n - rover + int(hits[0]) + 1
    elif len(hits):
        position = int(hits[0])
        visited = position + 1
    else:
        return Search(None, n, False)
    if overflows[position]:
        return Search(None, visited, True)
    return Search(position, visited, False)

"""The heap's free list: the guide's `ListNode` chain as two numpy arrays.

The chain is stored tail first, so that pushing a node at the head (what the
guide does with every freed region and leftover) is an append, and the
first-fit search runs in numpy over all nodes at once instead of node by node
in Python. Positions in the public methods are list positions: 0 is the head.
"""

from __future__ import annotations

import numpy as np

from .events import LIST_NODE_SIZE

_U64 = np.uint64


class FreeList:
    """Free regions as `(start, size)` pairs in the order the guide's chain links them."""

    def __init__(self) -> None:
        self._starts = np.zeros(64, dtype=_U64)
        self._sizes = np.zeros(64, dtype=_U64)
        self._len = 0
        self.free_bytes = 0

    def __len__(self) -> int:
        return self._len

    def _index(self, position: int) -> int:
        """Array index of the node at list `position`."""
        return self._len - 1 - position

    def push_front(self, start: int, size: int) -> None:
        """Link a region in at the head, as `add_free_region` does."""
        if self._len == len(self._starts):
            self._starts = np.concatenate([self._starts, np.zeros_like(self._starts)])
            self._sizes = np.concatenate([self._sizes, np.zeros_like(self._sizes)])
        self._starts[self._len] = start
        self._sizes[self._len] = size
        self._len += 1
        self.free_bytes += size

    def head(self) -> tuple[int, int] | None:
        """The region at the head of the list."""
        if not self._len:
            return None
        i = self._len - 1
        return int(self._starts[i]), int(self._sizes[i])

    def remove(self, position: int) -> tuple[int, int]:
        """Unlink the node at `position` and return its region."""
        i = self._index(position)
        region = int(self._starts[i]), int(self._sizes[i])
        n = self._len
        self._starts[i : n - 1] = self._starts[i + 1 : n]
        self._sizes[i : n - 1] = self._sizes[i + 1 : n]
        self._len -= 1
        self.free_bytes -= region[1]
        return region

    def insert(self, position: int, start: int, size: int) -> None:
        """Link a region back in at `position` (used to undo an allocation)."""
        self.push_front(start, size)  # grows the arrays; then move it into place
        i, n = self._index(position), self._len
        self._starts[i + 1 : n] = self._starts[i : n - 1]
        self._sizes[i + 1 : n] = self._sizes[i : n - 1]
        self._starts[i], self._sizes[i] = start, size

    def first_fit(self, need: int, align: int) -> tuple[int | None, int, bool]:
        """The guide's `find_region` over all nodes at once.

        Returns `(position, visited, overflowed)`: the position of the first node
        that can hold `need` bytes at `align` without leaving 1 to 15 bytes over
        (None if none can), how many nodes the guide's loop looks at, and whether a
        node where the block's end would pass 2**64 ended the search (with None, as
        the guide's `checked_add(size)?` does).
        """
        n = self._len
        starts, sizes = self._starts[:n], self._sizes[:n]
        if align <= 8:  # every node start is 8-aligned: no padding anywhere
            padded = _U64(need)
            fits = (sizes == padded) | (sizes >= _U64(need + LIST_NODE_SIZE))
        else:
            padded = ((_U64(0) - starts) & _U64(align - 1)) + _U64(need)
            fits = (sizes == padded) | (sizes >= padded + _U64(LIST_NODE_SIZE))
        # The end can only pass 2**64 where 2**64 - 1 - start < padding + need.
        overflows = padded > ~starts
        stops = fits | overflows
        # Arrays run tail first: the first stop in list order is the last index.
        hits = np.flatnonzero(stops)
        if not len(hits):
            return None, n, False
        position = self._len - 1 - int(hits[-1])
        if overflows[hits[-1]]:
            return None, position + 1, True
        return position, position + 1, False

    def first(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the first `count` nodes' starts and sizes, head first."""
        n = self._len
        return self._starts[n - count : n][::-1].copy(), self._sizes[n - count : n][::-1].copy()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of all starts and sizes, head first (for drawing)."""
        return self.first(self._len)

    def largest(self) -> int:
        return int(self._sizes[: self._len].max()) if self._len else 0

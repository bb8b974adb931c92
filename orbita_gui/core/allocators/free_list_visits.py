"""The nodes a search passed over, copied only if someone may still read them.

An allocation's event keeps the nodes its search passed over, for the views. Copying
them on every search would cost more than the search; instead the free list keeps
the search's `LazyVisits` pending and copies them before any change that would alter
them, unless nothing but the list refers to them any more (in a headless replay
nobody reads them, and no copy is ever made). `PendingVisits` is that bookkeeping,
shared by the indexed free lists; each names its nodes by a key of its own (a slot,
a start, a sort key) and gives `rank(key)` and `_take(at, count, skip)`.
"""

from __future__ import annotations

from sys import getrefcount

import numpy as np

_U64 = np.uint64


class LazyVisits:
    """Starts and sizes of the `count` nodes a search passed over, from `at` on
    (wrapping past the tail if `wraps`), skipping the nodes in `skip`: copied when
    first read, or by the list before it changes them."""

    __slots__ = ("arrays", "at", "count", "skip", "store", "wraps")

    def __init__(self, store: PendingVisits, at: int, count: int, skip: tuple, wraps: bool) -> None:
        self.store, self.at, self.count, self.skip, self.wraps = store, at, count, skip, wraps
        self.arrays: tuple[np.ndarray, np.ndarray] | None = None

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        if self.arrays is None:
            starts, sizes = self.store._take(self.at, self.count, self.skip)
            self.arrays = np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)
            self.store = None
        return self.arrays


class PendingVisits:
    """A free list that holds the latest search's visits until they are safe."""

    _pending: LazyVisits | None = None

    def rank(self, key: int) -> int:
        raise NotImplementedError

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        raise NotImplementedError

    def visits(self, at: int, count: int, skip: tuple, wraps: bool) -> LazyVisits:
        """The visits of the search just made, to be copied when read or before the list
        changes them. `skip`: the nodes the operation itself changed."""
        if self._pending is not None:
            self._settle(None)
        lazy = self._pending = LazyVisits(self, at, count, skip, wraps)
        return lazy

    def _settle(self, key: int | None) -> None:
        """Before a change at `key` (None: anywhere): copy the pending visits if someone
        may still read them and the change would alter them."""
        pending = self._pending
        if getrefcount(pending) <= 3:  # this list and this frame alone: nobody reads them
            self._pending = None
            return
        if pending.arrays is not None:
            self._pending = None
            return
        if key is not None and not pending.wraps:
            if key in pending.skip or key < pending.at:
                return
            if self.rank(key) - self.rank(pending.at) > pending.count + len(pending.skip):
                return
        pending.get()
        self._pending = None

    def _note_new(self, key: int) -> None:
        """A node comes in: the pending visits, if anyone may still read them, skip it
        (it was not there when the search passed)."""
        pending = self._pending
        if getrefcount(pending) <= 3 or pending.arrays is not None:
            self._pending = None
        else:
            pending.skip += (key,)

    def _settle_all(self) -> None:
        if self._pending is not None:
            self._settle(None)

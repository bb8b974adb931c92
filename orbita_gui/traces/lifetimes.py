"""Every heap block of a replay as a bar from its allocation to its free, at its addresses.

The lifetime view (address against time, as villoc and Tracy draw a heap) needs what
the machine forgets: the blocks freed long ago, and when each came and went. A replay
feeds `Lifetimes.observe` each operation's event; it keeps four int64 per block made
(born, died, low, high: 32 bytes, 10 MB for 300,000 blocks), the operation index of
each allocation that failed, and a dict of the open bars by start address. Nothing
else per operation: it runs inside a replay of some 150,000 operations a second.
`bars()` copies the columns into numpy once per operation observed, and keeps that copy.

Times are operation indexes: a block made by operation `born` and freed by operation
`died` is live after `born` up to `died` (`born <= op < died`). Addresses are the
block's `[start, end)`, its header included, as `Allocation` gives them. A failure is
a heap event that failed (out of memory); an allocation too large for the address space
(which the parsers refuse) makes no event, so it is not one here.
"""

from __future__ import annotations

from array import array

import numpy as np

from ..core.events import HEAP


class Lifetimes:
    """The heap blocks' lifetimes, fed one operation at a time, read as numpy arrays."""

    def __init__(self) -> None:
        self._born, self._died = array("q"), array("q")
        self._low, self._high = array("q"), array("q")
        self._failures = array("q")
        self._open: dict[int, int] = {}
        """The bar of each live block, by its start address."""
        self.observed = 0
        """Operations observed so far (the index of the last one, plus one)."""
        self._cache: tuple | None = None

    def __len__(self) -> int:
        return len(self._born)

    def observe(self, index: int, event) -> None:
        """Operation `index` (0-based) was applied, with this event (None: it did nothing).
        A freed block closes its bar, a made one opens a bar, in that order (a realloc
        in place closes and opens at one address); a failed heap event is a failure."""
        self.observed = index + 1
        if event is None or event.layer != HEAP:
            return
        if event.failed:
            self._failures.append(index)
            return
        bars = self._open
        for block in event.blocks_freed:
            bar = bars.pop(block.start, None)
            if bar is not None:  # None: made before the first operation observed
                self._died[bar] = index
        for block in event.blocks_made:
            start = block.start
            bars[start] = len(self._born)
            self._born.append(index)
            self._died.append(-1)
            self._low.append(start)
            self._high.append(block.end)

    def bars(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`(born, died, low, high)`, int64 copies, one entry per block, oldest first;
        a block still live has `died == observed` (live at least until now). Cached
        until the next operation observed."""
        cache = self._cache
        if cache is not None and cache[0] == (self.observed, len(self._born)):
            return cache[1]
        count = len(self._born)
        # Slices, not buffers of the arrays: an array exporting its buffer cannot grow.
        born, died, low, high = (
            np.frombuffer(column[:count], dtype=np.int64)
            for column in (self._born, self._died, self._low, self._high)
        )
        died = np.where(died < 0, self.observed, died)
        result = (born, died, low, high)
        self._cache = ((self.observed, count), result)
        return result

    def failures(self) -> np.ndarray:
        """The indexes of the operations whose heap allocation failed, in order."""
        return np.frombuffer(self._failures[:], dtype=np.int64)

    def bar_at(self, op: float, address: float, op_slack: float = 0, address_slack: float = 0):
        """The bar live at time `op` and `address` (None if none); with slack, else the
        nearest bar within `op_slack` operations and `address_slack` bytes (what a
        pixel spans zoomed out, where a block is narrower than the pixel clicked)."""
        born, died, low, high = self.bars()
        exact = np.flatnonzero((born <= op) & (op < died) & (low <= address) & (address < high))
        if exact.size or not (op_slack or address_slack):
            return int(exact[0]) if exact.size else None
        op_gap = np.maximum(np.maximum(born - op, op - (died - 1)), 0)
        address_gap = np.maximum(np.maximum(low - address, address - (high - 1)), 0)
        near = np.flatnonzero((op_gap <= op_slack) & (address_gap <= address_slack))
        if not near.size:
            return None
        distance = (op_gap[near] / max(op_slack, 1e-9)) ** 2 + (
            address_gap[near] / max(address_slack, 1e-9)
        ) ** 2
        return int(near[np.argmin(distance)])

    def block_at(self, op: int, address: int) -> int | None:
        """The allocating operation of the block live at time `op` and `address`, if any."""
        bar = self.bar_at(op, address)
        return None if bar is None else int(self.bars()[0][bar])

"""The heap in address order: live blocks, free regions, and the lost bytes between.

Lost bytes (alignment padding the guide never gives back) are whatever lies
in neither a block nor a free region, so they are found as the gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbita_gui.core import LinkedListAllocator

BLOCK, FREE, LOST = 0, 1, 2


@dataclass(frozen=True)
class HeapSegments:
    """Segments covering the heap, sorted by start: `kinds[i]` is BLOCK, FREE or LOST."""

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def overlapping(self, start: int, end: int) -> slice:
        """The segments that overlap `[start, end)`."""
        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.starts, end, side="left"))
        return slice(first, last)

    def at(self, address: int) -> int | None:
        """Index of the segment holding `address`."""
        index = int(np.searchsorted(self.starts, address, side="right")) - 1
        return index if 0 <= index < len(self) and address < self.ends[index] else None


def heap_segments(heap: LinkedListAllocator) -> HeapSegments:
    """Cut the heap into segments; O(n log n) in numpy for n blocks and regions."""
    blocks = heap.allocations()
    block_starts = np.fromiter(blocks.keys(), dtype=np.int64, count=len(blocks))
    block_sizes = np.fromiter((b.size for b in blocks.values()), dtype=np.int64, count=len(blocks))
    free_starts, free_sizes = (a.astype(np.int64) for a in heap.free_region_arrays())
    starts = np.concatenate([block_starts, free_starts])
    ends = starts + np.concatenate([block_sizes, free_sizes])
    kinds = np.concatenate(
        [np.full(len(block_starts), BLOCK), np.full(len(free_starts), FREE)]
    ).astype(np.uint8)
    order = np.argsort(starts, kind="stable")
    starts, ends, kinds = starts[order], ends[order], kinds[order]
    # Gaps between consecutive pieces (and before the first, after the last) are lost.
    heap_start, heap_end = heap.heap_start, heap.heap_start + heap.heap_size
    bounds_start = np.concatenate([[heap_start], ends])
    bounds_end = np.concatenate([starts, [heap_end]])
    gap = bounds_end > bounds_start
    starts = np.concatenate([starts, bounds_start[gap]])
    ends = np.concatenate([ends, bounds_end[gap]])
    kinds = np.concatenate([kinds, np.full(int(gap.sum()), LOST, dtype=np.uint8)])
    order = np.argsort(starts, kind="stable")
    return HeapSegments(starts[order], ends[order], kinds[order])

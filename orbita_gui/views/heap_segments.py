"""The heap in address order: live blocks, free regions, and the lost bytes between
(no Qt here: tested without a display).

A block is `[start, end)`, its header included: the address handed out (`ptr`)
is `start + header`.

Lost bytes (alignment padding the guide never gives back) are whatever lies
in neither a block nor a free region, so they are found as the gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbita_gui.core.protocols import HeapAllocator

BLOCK, FREE, LOST, UNMAPPED = 0, 1, 2, 3


@dataclass(frozen=True)
class HeapSegments:
    """Segments covering the heap, sorted by start: `kinds[i]` is BLOCK, FREE or LOST;
    `ptrs[i]` is a block's address handed out (after its header), else its start.
    UNMAPPED segments are pages of a heap that grows that no frame backs yet."""

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray
    ptrs: np.ndarray

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


def heap_segments(
    heap: HeapAllocator,
    free: tuple[np.ndarray, np.ndarray] | None = None,
    unmapped: tuple[np.ndarray, np.ndarray] | None = None,
) -> HeapSegments:
    """Cut the heap into segments; O(n log n) in numpy for n blocks and regions. `free`:
    the free regions' starts and sizes (int64), if already read; `unmapped`: the starts
    and sizes of runs of pages no frame backs (a heap that grows), which are not lost."""
    blocks = heap.allocations()
    count = len(blocks)
    block_ptrs = np.fromiter(blocks.keys(), dtype=np.int64, count=count)
    block_sizes = np.fromiter((b.size for b in blocks.values()), dtype=np.int64, count=count)
    rules = getattr(heap, "rules", None)
    if rules is not None and not rules.header:  # no headers: a block starts at its address
        block_starts = block_ptrs
    else:
        block_starts = np.fromiter((b.start for b in blocks.values()), dtype=np.int64, count=count)
    if free is None:
        free = tuple(a.astype(np.int64) for a in heap.free_region_arrays())
    free_starts, free_sizes = free
    gone_starts, gone_sizes = unmapped if unmapped is not None else (free_starts[:0],) * 2
    starts = np.concatenate([block_starts, free_starts, gone_starts])
    ends = starts + np.concatenate([block_sizes, free_sizes, gone_sizes])
    ptrs = np.concatenate([block_ptrs, free_starts, gone_starts])
    kinds = np.concatenate(
        [
            np.full(len(block_starts), BLOCK),
            np.full(len(free_starts), FREE),
            np.full(len(gone_starts), UNMAPPED),
        ]
    ).astype(np.uint8)
    order = np.argsort(starts, kind="stable")
    starts, ends, kinds, ptrs = starts[order], ends[order], kinds[order], ptrs[order]
    # Gaps between consecutive pieces (and before the first, after the last) are lost.
    heap_start, heap_end = heap.heap_start, heap.heap_start + heap.heap_size
    bounds_start = np.concatenate([[heap_start], ends])
    bounds_end = np.concatenate([starts, [heap_end]])
    gap = bounds_end > bounds_start
    starts = np.concatenate([starts, bounds_start[gap]])
    ends = np.concatenate([ends, bounds_end[gap]])
    kinds = np.concatenate([kinds, np.full(int(gap.sum()), LOST, dtype=np.uint8)])
    ptrs = np.concatenate([ptrs, bounds_start[gap]])
    order = np.argsort(starts, kind="stable")
    return HeapSegments(starts[order], ends[order], kinds[order], ptrs[order])

"""Statistics snapshots: plain values, cheap to build, safe to keep."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MemoryStats:
    """The guide's `MemoryStats`: frame counts of the frame allocator."""

    total_frames: int
    used_frames: int
    free_frames: int


@dataclass(frozen=True, slots=True)
class HeapStats:
    """Byte accounting of the heap; the guide leaves this as zeros.

    Every byte of the heap is in exactly one of four places, so
    `allocated + free + lost + unmapped == total` at every moment:

    - `allocated`: bytes in live blocks (sizes after `size_align`),
    - `free`: bytes in the free list,
    - `lost`: bytes in neither, i.e. alignment padding in front of a block,
      which the guide never returns to the list (a slab's leftover at its end),
    - `unmapped`: pages of a heap that grows that no frame backs yet (0 for a
      heap mapped whole at boot).

    `requested` is what callers asked for (before rounding), the payload that
    the malloc lab's utilization is measured by.
    """

    allocated: int
    free: int
    lost: int
    total: int
    requested: int
    largest_free: int
    free_regions: int
    unmapped: int = 0

    @property
    def external_fragmentation(self) -> float:
        """1 - largest free region / free bytes: 0 when all free bytes are in one region."""
        return 1.0 - self.largest_free / self.free if self.free else 0.0

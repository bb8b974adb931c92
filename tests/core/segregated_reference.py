"""A plain segregated-list heap, slow on purpose: the oracle for `SegregatedHeap`.

Written from the heap's module docstring, not from the fast heap: each class is
a Python list of `(start, size)` tuples with its head at index 0, searched with
a loop; a size's class is found by counting up powers of two; a coalescing free
looks through every list for the regions that touch the block.
"""

from __future__ import annotations

from typing import NamedTuple

ADDRESS_LIMIT = 1 << 64
NODE_SIZE = 16
"""A `ListNode`: a size and a next pointer."""
NODE_ALIGN = 8


class Block(NamedTuple):
    """A live block `[start, start + size)`; `padding` bytes in front of it are lost."""

    start: int
    size: int
    padding: int
    requested: int
    align: int


def align_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align


class ReferenceSegregated:
    def __init__(
        self, heap_start: int, heap_size: int, classes: int = 10, coalesce: bool = False
    ) -> None:
        self.heap_size, self.classes, self.coalesce = heap_size, classes, coalesce
        self.lists: list[list[tuple[int, int]]] = [[] for _ in range(classes)]
        self.blocks: dict[int, Block] = {}  # by pointer
        self.lost: list[tuple[int, int]] = []  # padding in front of blocks, lost for good
        self.give_back((heap_start, heap_size))

    def size_class(self, size: int) -> int:
        """Class k holds sizes 16 * 2**k to 32 * 2**k - 1; the last one all larger too."""
        k = 0
        while k < self.classes - 1 and size >= 32 * 2**k:
            k += 1
        return k

    def block_size(self, size: int, align: int) -> tuple[int, int]:
        """The guide's size_align: alignment at least 8, size a multiple of it, at least 16."""
        align = max(align, NODE_ALIGN)
        return max(align_up(size, align), NODE_SIZE), align

    def verdict(self, region: tuple[int, int], need: int, align: int) -> str:
        """The guide's find_region on one region: "fits", "too small" or "overflow"."""
        start, size = region
        end = align_up(start, align) + need
        if end >= ADDRESS_LIMIT:
            return "overflow"
        if end > start + size:
            return "too small"
        if 0 < start + size - end < NODE_SIZE:
            return "too small"
        return "fits"

    def give_back(self, region: tuple[int, int]) -> None:
        """A free region goes to the front of its class's list."""
        self.lists[self.size_class(region[1])].insert(0, region)

    def allocate(self, size: int, align: int) -> tuple[int | None, int]:
        """The pointer handed out (None if nothing fits) and the regions looked at."""
        need, align = self.block_size(size, align)
        visited = 0
        for k in range(self.size_class(need), self.classes):
            for i, region in enumerate(self.lists[k]):
                visited += 1
                verdict = self.verdict(region, need, align)
                if verdict == "overflow":
                    return None, visited
                if verdict == "fits":
                    return self.take(k, i, need, align, size), visited
        return None, visited

    def take(self, k: int, i: int, need: int, align: int, requested: int) -> int:
        start, size = self.lists[k].pop(i)
        ptr = align_up(start, align)
        self.blocks[ptr] = Block(ptr, need, ptr - start, requested, align)
        if ptr > start:
            self.lost.append((start, ptr - start))
        if start + size > ptr + need:
            self.give_back((ptr + need, start + size - ptr - need))
        return ptr

    def deallocate(self, ptr: int) -> None:
        block = self.blocks.pop(ptr)
        start, end = block.start, block.start + block.size
        if self.coalesce:
            for regions in self.lists:
                for region in list(regions):
                    if region[0] + region[1] == block.start:
                        regions.remove(region)
                        start = region[0]
                    elif region[0] == block.start + block.size:
                        regions.remove(region)
                        end = region[0] + region[1]
        self.give_back((start, end - start))

    def realloc(self, ptr: int, new_size: int) -> tuple[int | None, int]:
        """Allocate anew with the old alignment, then free the old block (if that worked)."""
        new_ptr, visited = self.allocate(new_size, self.blocks[ptr].align)
        if new_ptr is not None:
            self.deallocate(ptr)
        return new_ptr, visited

    def stats(self) -> dict[str, int]:
        sizes = [size for regions in self.lists for _, size in regions]
        return {
            "allocated": sum(block.size for block in self.blocks.values()),
            "free": sum(sizes),
            "lost": sum(size for _, size in self.lost),
            "total": self.heap_size,
            "requested": sum(block.requested for block in self.blocks.values()),
            "largest_free": max(sizes, default=0),
            "free_regions": len(sizes),
        }

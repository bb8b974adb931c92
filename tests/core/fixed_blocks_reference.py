"""A plain fixed-size-block heap, slow on purpose: the oracle for `FixedBlockHeap`.

Written from blog_os's `FixedSizeBlockAllocator`, not from the fast heap: a Python
list per block size, head first (`pop(0)`, `insert(0, ...)`), the block size found
by a loop over the sizes, and the fallback the plain reference of the guide's
heap (`free_list_reference.ReferenceHeap` with its default, the guide's rules).
Every figure is recomputed from those lists and dicts when read.
"""

from __future__ import annotations

from .free_list_reference import ReferenceHeap

BLOCK_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


class ReferenceFixedBlocks:
    def __init__(self, heap_start: int, heap_size: int, sizes=BLOCK_SIZES) -> None:
        self.sizes = sizes
        self.lists: dict[int, list[int]] = {size: [] for size in sizes}
        self.fallback = ReferenceHeap(heap_start, heap_size)
        self.live: dict[int, tuple[int | None, int, int]] = {}
        """ptr -> (block size, None if the fallback's; size asked; alignment)."""

    def block_size(self, size: int, align: int) -> int | None:
        for block in self.sizes:
            if block >= size and block >= align:
                return block
        return None

    # Operations

    def allocate(self, size: int, align: int) -> int | None:
        block = self.block_size(size, align)
        if block is None:
            ptr, _ = self.fallback.allocate(size, align)
        elif self.lists[block]:
            ptr = self.lists[block].pop(0)
        else:
            ptr, _ = self.fallback.allocate(block, block)
        if ptr is not None:
            self.live[ptr] = (block, size, align)
        return ptr

    def deallocate(self, ptr: int) -> None:
        block, _, _ = self.live.pop(ptr)
        if block is None:
            self.fallback.deallocate(ptr)
        else:
            self.lists[block].insert(0, ptr)

    def realloc(self, ptr: int, new_size: int) -> int | None:
        new_ptr = self.allocate(new_size, self.live[ptr][2])
        if new_ptr is not None:
            self.deallocate(ptr)
        return new_ptr

    # Reading

    def blocks(self) -> dict[int, tuple[int, int, int, int]]:
        """ptr -> (bytes taken, padding lost in front, size asked, alignment)."""
        result = {}
        for ptr, (block, size, align) in self.live.items():
            if block is None:
                fallback = self.fallback.blocks[ptr]
                result[ptr] = (fallback.size, fallback.padding, size, align)
            else:
                result[ptr] = (block, 0, size, align)
        return result

    def free_lists(self) -> list[list[int]]:
        return [list(self.lists[size]) for size in self.sizes]

    def stats(self) -> dict[str, int]:
        fallback = self.fallback.stats()
        blocks = self.blocks().values()
        waiting = [size for size in self.sizes for _ in self.lists[size]]
        larger = {ptr for ptr, (block, _, _) in self.live.items() if block is None}
        beyond = sum(
            block.size - block.requested
            for ptr, block in self.fallback.blocks.items()
            if ptr not in larger
        )
        return {
            "allocated": sum(taken for taken, _, _, _ in blocks),
            "free": fallback["free"] + sum(waiting),
            "lost": fallback["lost"] + beyond,
            "total": fallback["total"],
            "requested": sum(size for _, _, size, _ in blocks),
            "largest_free": max([fallback["largest_free"], *waiting]),
            "free_regions": fallback["free_regions"] + len(waiting),
        }

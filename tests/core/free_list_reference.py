"""A plain free-list heap, slow on purpose: the oracle for `FreeListHeap`.

Written from `HeapRules`' docstring and OSTEP's `vm-freespace/malloc.py`, not
from the fast heap: the free list is a Python list of `(start, size)` tuples,
head first, searched with a loop, kept sorted with `sorted` (stable, as
malloc.py's), and coalesced with malloc.py's full-list pass.

Next fit's rover is a list position that follows its node: when a node is
linked in or unlinked in front of it, sorted, or merged, the rover moves with
it. After an allocation it stands at the node after the one taken (wrapping),
or at the leftover if the leftover stayed in that node's place.
"""

from __future__ import annotations

from typing import NamedTuple

ADDRESS_LIMIT = 1 << 64
NODE_SIZE = 16
"""A `ListNode`: a size and a next pointer."""
NODE_ALIGN = 8


class AddressTaken(Exception):
    """A new block would have a live block's address (only zero-byte blocks can)."""


class Block(NamedTuple):
    """A live block: `[start, start + size)`, header included; the pointer handed
    out is `start + header`; `padding` bytes in front of `start` are lost."""

    start: int
    size: int
    padding: int
    requested: int
    align: int


def align_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align


class ReferenceHeap:
    def __init__(
        self,
        heap_start: int,
        heap_size: int,
        fit: str = "first",
        order: str = "insert-front",
        coalesce: bool = False,
        header: int = 0,
        round_to: int = 1,
        node_rules: bool = True,
        leftover: str = "push",
    ) -> None:
        self.heap_start, self.heap_size = heap_start, heap_size
        self.fit, self.order, self.coalesce = fit, order, coalesce
        self.header, self.round_to = header, round_to
        self.node_rules, self.leftover = node_rules, leftover
        self.free = [(heap_start, heap_size)]
        self.blocks: dict[int, Block] = {}  # by pointer
        self.lost: list[tuple[int, int]] = []  # padding in front of blocks, lost for good
        self.rover = 0

    # Sizes

    def block_size(self, size: int, align: int) -> tuple[int, int]:
        """malloc.py's -a rounding, then its -H header; then the guide's size_align."""
        size = align_up(size, self.round_to) + self.header
        if self.node_rules:
            align = max(align, NODE_ALIGN)
            size = max(align_up(size, align), NODE_SIZE)
        return size, align

    def place_in(self, region: tuple[int, int], need: int, align: int) -> tuple[str, int]:
        """How a block of `need` bytes would go in `region`: a verdict ("fits",
        "too small", "overflow") and the block's start (its header's start)."""
        start, size = region
        block_start = align_up(start + self.header, align) - self.header
        end = block_start + need
        if end >= ADDRESS_LIMIT:
            return "overflow", block_start
        if end > start + size:
            return "too small", block_start
        rest = start + size - end
        if self.node_rules and 0 < rest < NODE_SIZE:
            return "too small", block_start
        return "fits", block_start

    # Searching

    def search(self, need: int, align: int) -> tuple[int | None, int]:
        """The position chosen (None: none) and how many nodes were looked at."""
        n = len(self.free)
        if self.fit in ("first", "next"):
            begin = self.rover if self.fit == "next" else 0
            for count in range(1, n + 1):
                i = (begin + count - 1) % n
                verdict, _ = self.place_in(self.free[i], need, align)
                if verdict == "overflow":
                    return None, count
                if verdict == "fits":
                    return i, count
            return None, n
        chosen = None
        for i in range(n):
            verdict, _ = self.place_in(self.free[i], need, align)
            if verdict != "fits":
                continue
            size = self.free[i][1]
            if chosen is None:
                chosen = i
            elif self.fit == "best" and size < self.free[chosen][1]:
                chosen = i  # smaller: the first of equals stays
            elif self.fit == "worst" and size > self.free[chosen][1]:
                chosen = i  # larger: the first of equals stays
        return chosen, n

    # The list, with the rover following its node

    def link(self, i: int, region: tuple[int, int]) -> None:
        self.free.insert(i, region)
        if len(self.free) > 1 and i <= self.rover:
            self.rover += 1

    def unlink(self, i: int) -> tuple[int, int]:
        if i < self.rover:
            self.rover -= 1
        return self.free.pop(i)

    def sort(self) -> None:
        keys = {
            "addrsort": lambda item: item[1][0],
            "sizesort+": lambda item: item[1][1],
            "sizesort-": lambda item: -item[1][1],
        }
        items = sorted(enumerate(self.free), key=keys[self.order])
        self.free = [region for _, region in items]
        self.rover = [old for old, _ in items].index(self.rover)

    def give_back(self, region: tuple[int, int]) -> None:
        """Put a region in the list where the order says (malloc.py's `free`)."""
        if self.order == "insert-front":
            self.link(0, region)
        elif self.order == "insert-back":
            self.link(len(self.free), region)
        else:
            self.link(len(self.free), region)
            self.sort()

    def coalesce_pass(self) -> None:
        """malloc.py's pass: list neighbours that are neighbours in memory become one."""
        merged: list[tuple[int, int]] = []
        rover = 0
        for i, (start, size) in enumerate(self.free):
            if merged and merged[-1][0] + merged[-1][1] == start:
                merged[-1] = (merged[-1][0], merged[-1][1] + size)
            else:
                merged.append((start, size))
            if i == self.rover:
                rover = len(merged) - 1
        self.free, self.rover = merged, rover

    # Operations

    def allocate(self, size: int, align: int) -> tuple[int | None, int]:
        """The pointer handed out (None if nothing fits) and the nodes looked at."""
        need, align = self.block_size(size, align)
        position, visited = self.search(need, align)
        if position is None:
            return None, visited
        start, region_size = self.free[position]
        _, block_start = self.place_in((start, region_size), need, align)
        ptr = block_start + self.header
        if ptr in self.blocks:
            raise AddressTaken(ptr)
        rest = (block_start + need, start + region_size - block_start - need)
        n = len(self.free)
        if rest[1] and self.leftover == "in-place":
            self.free[position] = rest
            self.rover = position
        else:
            self.rover = (position + 1) % n
            self.unlink(position)
            if rest[1]:
                self.give_back(rest)
            if n == 1:
                self.rover = 0
        self.blocks[ptr] = Block(block_start, need, block_start - start, size, align)
        if block_start > start:
            self.lost.append((start, block_start - start))
        return ptr, visited

    def deallocate(self, ptr: int) -> None:
        block = self.blocks.pop(ptr)
        self.give_back((block.start, block.size))
        if self.coalesce:
            self.coalesce_pass()

    def realloc(self, ptr: int, new_size: int) -> tuple[int | None, int]:
        """Allocate anew with the old alignment, then free the old block (if that worked)."""
        new_ptr, visited = self.allocate(new_size, self.blocks[ptr].align)
        if new_ptr is not None:
            self.deallocate(ptr)
        return new_ptr, visited

    # Reading

    def free_regions(self) -> list[tuple[int, int]]:
        return list(self.free)

    def stats(self) -> dict[str, int]:
        sizes = [size for _, size in self.free]
        return {
            "allocated": sum(block.size for block in self.blocks.values()),
            "free": sum(sizes),
            "lost": sum(size for _, size in self.lost),
            "total": self.heap_size,
            "requested": sum(block.requested for block in self.blocks.values()),
            "largest_free": max(sizes, default=0),
            "free_regions": len(sizes),
        }

"""The fixed-size-block heap: blog_os's `FixedSizeBlockAllocator` ("Allocator Designs").

One free list per block size (8, 16, ..., 2048 bytes by default). A request takes
the smallest block size at least its size and its alignment (`list_index`: a block
is aligned to its own size, since every block size is a power of two). Its list's
head is popped; if the list is empty, the fallback (the guide's linked-list heap,
over the whole heap) allocates a new block with `Layout(block_size, block_size)`.
A freed block is pushed at the front of its list and never goes back to the
fallback. A request larger than every block goes to the fallback, and back to it
when freed.

What the fallback spends on a new block beyond the block size (an 8-byte block
takes a 16-byte ListNode there) is lost, as is the fallback's alignment padding:
`allocated + free + lost == total`, where the free bytes are the fallback's free
regions and the blocks waiting in the lists.

Each list is a Python list whose last item is the head: a push and a pop are
O(1); read head first, it is reversed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from ..errors import InvalidParameterError, RevertError
from ..events import Allocation, HeapAllocation
from ..fixed_block_events import BlockAllocation, BlockReallocation, BlockRelease
from ..layout import Layout
from ..protocols import SizeClass
from ..stats import HeapStats
from .free_list_heap import FreeListHeap
from .heap_checks import live_block
from .heap_rules import GUIDE
from .live_blocks import LiveByColumns

SMALLEST_BLOCK = 8
"""A ListNode (one next pointer): the smallest block that can wait in a list."""
LARGEST_BLOCK = 2048
"""blog_os's largest block size."""
LARGEST_BLOCK_LIMIT = 1 << 20
"""The largest block size one may choose: 18 lists at most."""


def block_sizes(largest_block: int) -> tuple[int, ...]:
    """The powers of two from 8 to `largest_block`; `InvalidParameterError` unless it
    is one of them (a block size is also its alignment: a power of two)."""
    valid = type(largest_block) is int and SMALLEST_BLOCK <= largest_block <= LARGEST_BLOCK_LIMIT
    if not valid or largest_block & (largest_block - 1):
        raise InvalidParameterError(
            f"largest_block {largest_block!r} is not a power of two from {SMALLEST_BLOCK} "
            f"to {LARGEST_BLOCK_LIMIT:,}"
        )
    return tuple(1 << shift for shift in range(3, largest_block.bit_length()))


class FixedBlockHeap(LiveByColumns):
    """Block lists per size over a fallback `FreeListHeap` with the guide's rules.

    Every operation returns the event that explains it; `revert(event)` undoes the
    latest exactly, the fallback's part by the fallback's own revert.
    """

    kind = "fixed-blocks"

    def __init__(self, largest_block: int = LARGEST_BLOCK) -> None:
        self.block_sizes = block_sizes(largest_block)
        self._block_layouts = tuple(Layout(size, size) for size in self.block_sizes)
        self.fallback = FreeListHeap(GUIDE)
        """The guide's linked-list heap: new blocks and larger requests come from it."""
        self.heap_start = 0
        self.heap_size = 0
        self._lists: list[list[int]] = [[] for _ in self.block_sizes]
        """Each block size's free blocks, the head last."""
        self._live: dict[int, Allocation] = {}
        self._allocated = 0
        self._requested = 0
        self._waiting = 0
        """Bytes in the lists."""
        self._beyond = 0
        """Bytes the fallback took for new blocks beyond their block size: lost."""
        self._serial = 0
        """Operations made and not reverted: each event records the count after it."""

    @property
    def params(self) -> dict[str, object]:
        return {"largest_block": self.block_sizes[-1]}

    def init(self, heap_start: int, heap_size: int) -> None:
        """Give the fallback the heap: every block comes from it at first."""
        self.fallback.init(heap_start, heap_size)
        self.heap_start, self.heap_size = heap_start, heap_size

    def list_index(self, layout: Layout) -> int | None:
        """blog_os's `list_index`: the first block size at least the size and the
        alignment, or None if it is larger than every block size."""
        need = layout.size if layout.size > layout.align else layout.align
        index = (need - 1).bit_length() - 3 if need > SMALLEST_BLOCK else 0
        return index if index < len(self.block_sizes) else None

    # Operations

    def allocate_event(self, layout: Layout) -> BlockAllocation:
        """`alloc`: pop its list's head, or a new block from the fallback; a larger
        request is the fallback's."""
        index = self.list_index(layout)
        if index is None:
            fallback = self.fallback.allocate_event(layout)
            if fallback.block is not None:
                self._take(fallback.block)
            return self._allocation(layout, None, fallback.block, fallback)
        size, waiting = self.block_sizes[index], self._lists[index]
        if waiting:
            ptr, fallback = waiting.pop(), None
            self._waiting -= size
        else:
            fallback = self.fallback.allocate_event(self._block_layouts[index])
            if fallback.block is None:
                return self._allocation(layout, size, None, fallback)
            ptr = fallback.block.ptr
            self._beyond += fallback.block.size - size
        block = Allocation(ptr, layout, size, 0)
        self._take(block)
        return self._allocation(layout, size, block, fallback)

    def deallocate_event(self, ptr: int, layout: Layout) -> BlockRelease:
        """`dealloc`: a block goes to the front of its list; a larger one to the fallback."""
        block = self._check_live(ptr, layout)
        index = self.list_index(layout)
        if index is None:
            fallback, size = self.fallback.deallocate_event(ptr, layout), None
        else:
            fallback, size = None, self.block_sizes[index]
            self._lists[index].append(ptr)
            self._waiting += size
        self._give(block)
        self._serial += 1
        return BlockRelease(block, size, fallback, self.block_sizes[-1], self._serial)

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> BlockReallocation:
        """`GlobalAlloc`'s default realloc, which blog_os keeps: allocate anew, copy,
        free the old block; it always moves. When nothing is free, the old block stays."""
        old = self._check_live(ptr, layout)
        allocation = self.allocate_event(Layout(new_size, layout.align))
        release = None if allocation.failed else self.deallocate_event(ptr, layout)
        return BlockReallocation(old, allocation, release)

    def _allocation(
        self,
        layout: Layout,
        size: int | None,
        block: Allocation | None,
        fallback: HeapAllocation | None,
    ) -> BlockAllocation:
        """The event, counted as an operation if it made a block."""
        if block is not None:
            self._serial += 1
        return BlockAllocation(layout, size, block, fallback, self.block_sizes[-1], self._serial)

    def _take(self, block: Allocation) -> None:
        self._live[block.ptr] = block
        self._allocated += block.size
        self._requested += block.layout.size

    def _give(self, block: Allocation) -> None:
        del self._live[block.ptr]
        self._allocated -= block.size
        self._requested -= block.layout.size

    def _check_live(self, ptr: int, layout: Layout) -> Allocation:
        """The live block at `ptr`, checked before anything changes: blog_os trusts
        its caller, here a double or wild free or another layout is refused."""
        return live_block(self._live, ptr, layout)

    # Undo

    def revert(self, event: BlockAllocation | BlockRelease | BlockReallocation) -> None:
        """Undo the latest operation exactly: the lists, their order and the fallback's
        free list come back as they were."""
        kind = type(event)
        if kind is BlockReallocation:
            if event.release is not None:
                self.revert(event.release)
            self.revert(event.allocation)
        elif kind is BlockRelease:
            self._revert_release(event)
        elif kind is BlockAllocation:
            if event.block is not None:
                self._revert_allocation(event)
        else:
            raise RevertError(f"{event.describe()} is not an operation of a fixed-block heap")

    def _check_latest(self, event: BlockAllocation | BlockRelease, block: Allocation) -> None:
        """The heap's count of operations says whether `event` is the latest; whether
        its block is live as the event left it tells an event of another heap."""
        live = self._live.get(block.ptr) is block
        if event.serial != self._serial or live != (type(event) is BlockAllocation):
            raise RevertError(f"{event.describe()} is not the latest operation")

    def _revert_allocation(self, event: BlockAllocation) -> None:
        block, fallback, size = event.block, event.fallback, event.block_size
        self._check_latest(event, block)
        if fallback is not None:  # the fallback's revert changes nothing if it refuses
            self.fallback.revert(fallback)
            if size is not None:
                self._beyond -= fallback.block.size - size
        else:
            self._lists[self.list_index(block.layout)].append(block.ptr)
            self._waiting += size
        self._give(block)
        self._serial -= 1

    def _revert_release(self, event: BlockRelease) -> None:
        block = event.allocation
        self._check_latest(event, block)
        if event.fallback is not None:
            self.fallback.revert(event.fallback)
        else:
            self._lists[self.list_index(block.layout)].pop()
            self._waiting -= event.block_size
        self._take(block)
        self._serial -= 1

    # Introspection for the views

    def stats(self) -> HeapStats:
        """Free: the fallback's regions and the blocks in the lists; lost: the
        fallback's padding and what it took beyond new blocks' sizes."""
        fallback = self.fallback.stats()
        pairs = zip(reversed(self.block_sizes), reversed(self._lists), strict=True)
        largest_waiting = next((size for size, free in pairs if free), 0)
        return HeapStats(
            allocated=self._allocated,
            free=fallback.free + self._waiting,
            lost=fallback.lost + self._beyond,
            total=self.heap_size,
            requested=self._requested,
            largest_free=max(fallback.largest_free, largest_waiting),
            free_regions=fallback.free_regions + sum(map(len, self._lists)),
        )

    @property
    def requested(self) -> int:
        return self._requested

    def allocations(self) -> Mapping[int, Allocation]:
        """The blocks handed out and not freed (not those waiting in the lists), by address."""
        return MappingProxyType(self._live)

    def free_lists(self) -> list[list[int]]:
        """Each block size's free blocks, smallest size first, head first."""
        return [free[::-1] for free in self._lists]

    def free_region_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every free piece as uint64 arrays (as the fallback's, for heaps above 2**63):
        the fallback's regions in list order first, so that a position in its search
        is a position here; then each list's blocks, smallest size first, head first."""
        starts, sizes = self.fallback.free_region_arrays()
        lists = self.free_lists()
        waiting = np.fromiter((ptr for free in lists for ptr in free), dtype=np.uint64)
        counts = [len(free) for free in lists]
        waiting_sizes = np.repeat(np.array(self.block_sizes, dtype=np.uint64), counts)
        return np.concatenate([starts, waiting]), np.concatenate([sizes, waiting_sizes])

    def size_classes(self) -> list[SizeClass]:
        """A class per block size, head first; then the fallback's free list."""
        classes = [
            SizeClass(f"{size:,} B", free, [size] * len(free))
            for size, free in zip(self.block_sizes, self.free_lists(), strict=True)
        ]
        starts, sizes = self.fallback.free_region_arrays()
        larger = SizeClass("larger: the fallback's free list", starts.tolist(), sizes.tolist())
        return [*classes, larger]

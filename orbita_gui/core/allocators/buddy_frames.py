"""A buddy frame allocator: blocks of 2**k frames, one free set per order.

Orders run from 0 (one frame) up to the top order, the largest block that fits
memory (order 9 is a 2 MiB page, order 18 a 1 GiB page). Memory that is not a
power of two is covered by the largest aligned blocks that fit, as Linux does
(see `buddy_events.aligned_blocks`): 13 frames are blocks of 8, 4 and 1.

A request of n frames takes the smallest order that holds it; from that
order's free set, the lowest address; if it is empty, the lowest block of the
next larger order with a free block is split, repeatedly, the lower half going
on towards the request and each upper half joining its order's free set.
Freeing merges a block with its buddy (the other half of the block of the next
order) while the buddy is free, order by order. The frames of a block beyond
those asked are counted as internal fragmentation.

Each order's free set is a `SortedList` (the lowest address in O(log n)) with
a dict of every free block's order by its first frame beside it (is the buddy
free, and of that order? in O(1)); the live blocks are a dict of the frames
asked by first frame. The bitmap has a byte per frame, as the bitmap
allocator's, so that the views read it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from sortedcontainers import SortedList

from ..addresses import Frame
from ..buddy_events import (
    AT_TOP,
    BUDDY_SPLIT,
    BUDDY_USED,
    PAST_END,
    BuddyAllocation,
    BuddyBoot,
    BuddyRelease,
    aligned_blocks,
    block_frames,
    order_for,
)
from ..errors import (
    FrameDoubleFreeError,
    FrameError,
    MisalignedFrameError,
    RevertError,
)
from .frame_bytes import FREE, USED, FrameBytes


class BuddyFrames(FrameBytes):
    """Hands out blocks of 2**k frames, the lowest free address of the smallest order."""

    kind = "buddy"

    def __init__(self, memory_size: int) -> None:
        super().__init__(memory_size)
        total = self.total_frames
        self.top_order = total.bit_length() - 1
        self.cover = tuple(aligned_blocks(0, total))
        """Memory's top-level blocks: `(first frame, order)`, in address order."""
        self._make_runs()
        self._free_sets = [SortedList() for _ in range(self.top_order + 1)]
        self._free_order: dict[int, int] = {}
        self._live: dict[int, int] = {}
        self._reset()

    def _make_runs(self) -> None:
        """Runs of used and of free bytes as long as memory, to copy slices of at once."""
        self._ones = memoryview(bytes([USED]) * self.total_frames)
        self._zeros = memoryview(bytes([FREE]) * self.total_frames)

    def __getstate__(self) -> dict:
        """Pickled (a trace's checkpoint) without the runs, which are made again."""
        state = super().__getstate__()
        del state["_ones"], state["_zeros"]
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._make_runs()

    def _reset(self) -> None:
        """Back to the fresh state: every top-level block free, nothing used."""
        self._used[:] = self._zeros
        self.used_frames = self.requested_frames = 0
        self._live.clear()
        self._free_order.clear()
        for free_set in self._free_sets:
            free_set.clear()
        for start, order in self.cover:
            self._add_free(start, order)

    # Operations, returning the event that explains them

    def allocate_frame_event(self) -> BuddyAllocation:
        """One frame: an order-0 block."""
        return self.allocate_frames_event(1)

    def allocate_frames_event(self, count: int) -> BuddyAllocation:
        """`count` contiguous frames: a block of the smallest order that holds them."""
        if type(count) is not int or count < 1:
            raise FrameError(f"a block holds 1 frame or more, not {count!r}")
        order = source = order_for(count)
        free_sets, top = self._free_sets, self.top_order
        while source <= top and not free_sets[source]:
            source += 1
        if source > top:
            return BuddyAllocation(count, order, None, source, top)
        start = free_sets[source].pop(0)
        del self._free_order[start]
        for half in range(source - 1, order - 1, -1):
            self._add_free(start + (1 << half), half)
        self._take(start, order, count)
        return BuddyAllocation(count, order, start, source, top)

    def free_frame_event(self, frame: Frame) -> BuddyRelease:
        """Free the live block that starts at `frame`, whatever its order, merging it with
        its buddy while that is free. Raises `FrameError` and changes nothing for a frame
        that is misaligned, beyond memory, not allocated (`FrameDoubleFreeError`) or
        inside a block but not its first frame (`MisalignedFrameError`)."""
        start = self._check_frame(frame)
        count = self._live.get(start)
        if count is None:
            raise self._not_a_block(frame, start)
        order = order_for(count)
        self._give(start, order, count)
        free_order, free_sets, top = self._free_order, self._free_sets, self.top_order
        block, level = start, order
        while level < top:
            buddy = block ^ (1 << level)
            if free_order.get(buddy) != level:
                break
            del free_order[buddy]
            free_sets[level].remove(buddy)
            block &= buddy
            level += 1
        self._add_free(block, level)
        return BuddyRelease(start, count, level - order, self._why_stopped(block, level), top)

    def allocate_first_frames_event(self, count: int, page_base: int = 0) -> BuddyBoot:
        """Frames 0 to `count - 1` of a fresh allocator, for the heap's pages: each an
        order-0 block, split off in address order (the free block that starts at each
        frame split down to order 0), so that page n is frame n as with the bitmap.
        Not `count` calls of `allocate_frame`: where memory is not a power of two,
        those would take a small top-level block at its end first."""
        if self.used_frames or not 0 <= count <= self.total_frames:
            raise FrameError(
                f"bulk allocation of {count:,} frames needs a fresh allocator of that many frames"
            )
        for start, order in self.cover:
            if start >= count:
                break
            self._remove_free(start, order)
            for rest in aligned_blocks(count, start + (1 << order)):
                self._add_free(*rest)
        self._live.update(dict.fromkeys(range(count), 1))
        self._used[:count] = self._ones[:count]
        self.used_frames = self.requested_frames = count
        return BuddyBoot(np.arange(count, dtype=np.int64), page_base, self.cover)

    def revert(self, event: BuddyAllocation | BuddyRelease | BuddyBoot) -> None:
        """Undo the latest operation exactly; `RevertError` if `event` is not it."""
        kind = type(event)
        if kind is BuddyAllocation:
            self._revert_allocation(event)
        elif kind is BuddyRelease:
            self._revert_release(event)
        elif kind is BuddyBoot:
            count = len(event.frames)
            if self.used_frames != count or len(self._live) != count:
                raise RevertError(f"{event.describe()} is not the latest operation")
            self._reset()
        else:
            raise RevertError(f"{event.describe()} is not an operation of a buddy allocator")

    def _revert_allocation(self, event: BuddyAllocation) -> None:
        start, order = event.start, event.order
        if start is None:
            return
        halves = [(start + (1 << half), half) for half in range(order, event.source)]
        latest = self._live.get(start) == event.count
        if not latest or any(self._free_order.get(at) != half for at, half in halves):
            raise RevertError(f"{event.describe()} is not the latest operation")
        self._give(start, order, event.count)
        for half in halves:
            self._remove_free(*half)
        self._add_free(start, event.source)

    def _revert_release(self, event: BuddyRelease) -> None:
        start, order = event.start, event.order
        block, level = event.merged
        if self._free_order.get(block) != level or self._why_stopped(block, level) != event.stop:
            raise RevertError(f"{event.describe()} is not the latest operation")
        self._remove_free(block, level)
        for below in range(order, level):
            self._add_free((start & -(1 << below)) ^ (1 << below), below)
        self._take(start, order, event.count)

    # The guide's interface and the protocol's figures

    @property
    def internal_fragmentation(self) -> int:
        """Frames handed out beyond those asked: 3 frames take an order-2 block, 1 unused."""
        return self.used_frames - self.requested_frames

    # Introspection for the views

    def free_blocks(self, order: int) -> SortedList:
        """First frames of order `order`'s free blocks, lowest first (read only)."""
        return self._free_sets[order]

    def live_blocks(self) -> Mapping[int, int]:
        """Frames asked for by each live block, by its first frame (read only)."""
        return MappingProxyType(self._live)

    def block_order(self, frame_number: int) -> int | None:
        """The order of the live block that starts at `frame_number`, or None."""
        count = self._live.get(frame_number)
        return None if count is None else order_for(count)

    # Bookkeeping

    def _add_free(self, start: int, order: int) -> None:
        self._free_sets[order].add(start)
        self._free_order[start] = order

    def _remove_free(self, start: int, order: int) -> None:
        self._free_sets[order].remove(start)
        del self._free_order[start]

    def _take(self, start: int, order: int, count: int) -> None:
        size = 1 << order
        self._used[start : start + size] = self._ones[:size]
        self._live[start] = count
        self.used_frames += size
        self.requested_frames += count

    def _give(self, start: int, order: int, count: int) -> None:
        size = 1 << order
        self._used[start : start + size] = self._zeros[:size]
        del self._live[start]
        self.used_frames -= size
        self.requested_frames -= count

    def _why_stopped(self, block: int, order: int) -> str:
        """Why the free block at `block` of `order` does not merge with its buddy."""
        if order == self.top_order:
            return AT_TOP
        buddy = block ^ (1 << order)
        if buddy + (1 << order) > self.total_frames:
            return PAST_END
        return BUDDY_USED if self.block_order(buddy) == order else BUDDY_SPLIT

    def block_start(self, frame_number: int) -> int | None:
        """The first frame of the live block that holds `frame_number`, or None."""
        for order in range(self.top_order + 1):
            start = frame_number & -(1 << order)
            live = self.block_order(start)
            if live is not None and live >= order:
                return start
        return None

    def _not_a_block(self, frame: Frame, number: int) -> FrameError:
        """The error for freeing a frame no live block starts at."""
        start = self.block_start(number)
        if start is not None:
            live = self.block_order(start)
            return MisalignedFrameError(
                f"{frame} (frame {number:,}) is inside the order-{live} block of "
                f"{block_frames(start, live)}, not its first frame: a block is freed by "
                "its first frame"
            )
        return FrameDoubleFreeError(f"{frame} (frame {number:,}) is not allocated: double free")

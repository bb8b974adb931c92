"""One event per operation: what was asked, what came back, and why.

Events are what the log prints, what undo reverts, what the animation and the
code panel step through. They are built on the hot path and a replay kept for
stepping back holds one per operation, so they store only the few numbers an
operation produces, sharing the heap's own record of a block (and, for the
heap, a copy of the nodes the search passed over until the views are done with
it); `steps` and `describe()` derive the explanation on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

import numpy as np

from .addresses import FRAME_SIZE, Frame
from .layout import Layout
from .units import plural

LIST_NODE_SIZE = 16
"""`mem::size_of::<ListNode>()`: a size and a next pointer."""
LIST_NODE_ALIGN = 8
"""`mem::align_of::<ListNode>()`."""

VISITS_KEPT = 256
"""An allocation's event keeps at most this many of the nodes its search passed over
(it counts them all): the views show a long search in a few steps, and a copy of
thousands of nodes would cost more to make than the search."""


# Frames


class FrameScan(NamedTuple):
    """One pass of the frame search over frames `[first, stop)`.

    `found` is the free frame the pass stopped at, or None if it reached `stop`.
    """

    first: int
    stop: int
    found: int | None


# Events are plain slotted dataclasses, not frozen ones: a frozen dataclass's
# __init__ costs several times more, and events are made on the hot path.
_event = dataclass(slots=True, eq=False)


@_event
class FrameAllocation:
    """`allocate_frame()`: the frame found (or None), and where the search began."""

    frame_number: int | None
    next_free_before: int
    total_frames: int

    @property
    def failed(self) -> bool:
        """Out of memory: nothing changed."""
        return self.frame_number is None

    @property
    def frame(self) -> Frame | None:
        """What the guide's `allocate_frame` returns."""
        return None if self.frame_number is None else Frame.from_number(self.frame_number)

    @property
    def steps(self) -> tuple[FrameScan, ...]:
        """The guide's two loops: from `next_free` to the end, then from 0 to `next_free`.

        The second loop never finds a frame: every frame below `next_free` is
        used (allocation moves the hint past used frames only, a free lowers it
        to the freed frame), so it runs, fruitlessly, only when memory is full.
        """
        start, found = self.next_free_before, self.frame_number
        if found is not None and found >= start:
            return (FrameScan(start, self.total_frames, found),)
        return (FrameScan(start, self.total_frames, None), FrameScan(0, start, found))

    def describe(self) -> str:
        start = self.next_free_before
        if self.frame_number is None:
            return (
                f"allocate_frame() -> None: out of memory, "
                f"all {plural(self.total_frames, 'frame')} are used"
            )
        found = self.frame_number
        head = f"allocate_frame() -> Frame({found * FRAME_SIZE:#x}): frame {found:,}"
        if found == start:
            return f"{head}, free at next_free"
        return f"{head}, passed over {plural(found - start, 'used frame')} from next_free"


@_event
class FrameRelease:
    """`free_frame(frame)`: which frame, and the `next_free` hint before it."""

    frame_number: int
    next_free_before: int

    failed = False

    @property
    def frame(self) -> Frame:
        return Frame.from_number(self.frame_number)

    @property
    def next_free_after(self) -> int:
        return min(self.frame_number, self.next_free_before)

    def describe(self) -> str:
        text = (
            f"free_frame(Frame({self.frame_number * FRAME_SIZE:#x})): frame {self.frame_number:,}"
        )
        if self.next_free_after != self.next_free_before:
            text += f", next_free {self.next_free_before:,} -> {self.next_free_after:,}"
        return text


# Heap


class Verdict(Enum):
    """Why `find_region` passed over a free-list node, or that it chose it."""

    TOO_SMALL = "too small"
    LEFTOVER_TOO_SMALL = "leftover under 16 bytes"
    ADDRESS_OVERFLOW = "address overflow ends the search"
    CHOSEN = "chosen"


class RegionVisit(NamedTuple):
    """`find_region` looking at the free-list node at `position` (0 is the head)."""

    position: int
    start: int
    size: int
    alloc_start: int
    verdict: Verdict


class PaddingLost(NamedTuple):
    """Alignment padding in front of the block: the guide never gives it back."""

    start: int
    size: int


class VisitsNotKept(NamedTuple):
    """More nodes were passed over than the event keeps (see `VISITS_KEPT`)."""

    count: int


class LeftoverPushed(NamedTuple):
    """The rest of the chosen region, pushed at the front of the free list."""

    start: int
    size: int


def judge_region(start: int, size: int, need: int, align: int) -> tuple[int, Verdict]:
    """Where a block of `need` bytes would start in a region, and whether it may go there.

    This is `find_region`'s test for one node, in plain integers.
    """
    alloc_start = (start + align - 1) & ~(align - 1)
    alloc_end = alloc_start + need
    if alloc_end >= 1 << 64:
        return alloc_start, Verdict.ADDRESS_OVERFLOW
    if alloc_end > start + size:
        return alloc_start, Verdict.TOO_SMALL
    if 0 < start + size - alloc_end < LIST_NODE_SIZE:
        return alloc_start, Verdict.LEFTOVER_TOO_SMALL
    return alloc_start, Verdict.CHOSEN


_NO_VISITS = np.zeros(0, dtype=np.uint64)
_NO_VISITS.flags.writeable = False


def size_align(size: int, align: int) -> tuple[int, int]:
    """The guide's `size_align` in plain integers: at least a ListNode's alignment, the
    size padded to it and at least one ListNode. An already padded size comes back
    as the same int object, shared rather than copied into every event."""
    align = max(align, LIST_NODE_ALIGN)
    if size & (align - 1):
        size = (size + align - 1) & ~(align - 1)
    return (size if size >= LIST_NODE_SIZE else LIST_NODE_SIZE), align


@_event
class HeapAllocation:
    """`allocate(layout)`: the block handed out (or None), and the search behind it.

    The search passed over `passed_over` nodes (the chosen one, if any, was at that
    position) and took a `region`-byte one; `overflowed`: an address overflow ended
    it. The first nodes passed over, up to `VISITS_KEPT`, are kept for the views until
    `forget_visits()`. The event stores only these few numbers (a replay kept for
    stepping back holds one per operation); the rest is derived on request.
    """

    layout: Layout
    block: Allocation | None
    """The live block this allocation made (the heap's own record), or None if it failed."""
    region: int | None
    passed_over: int
    overflowed: bool
    visits: tuple[np.ndarray, np.ndarray] | None
    """Starts and sizes of the first nodes passed over, head first; None if none are kept."""

    @property
    def failed(self) -> bool:
        """Null: no region fits, nothing changed."""
        return self.block is None

    @property
    def ptr(self) -> int | None:
        return None if self.block is None else self.block.ptr

    @property
    def size(self) -> int:
        """The bytes the block takes (`size_align`)."""
        return size_align(self.layout.size, self.layout.align)[0]

    @property
    def align(self) -> int:
        return size_align(self.layout.size, self.layout.align)[1]

    @property
    def padding(self) -> int:
        """Bytes lost in front of the block to alignment."""
        return 0 if self.block is None else self.block.padding

    @property
    def chosen(self) -> tuple[int, int] | None:
        """`(start, size)` of the free region the block was cut from."""
        block = self.block
        return None if block is None else (block.ptr - block.padding, self.region)

    @property
    def passed_starts(self) -> np.ndarray:
        return _NO_VISITS if self.visits is None else self.visits[0]

    @property
    def passed_sizes(self) -> np.ndarray:
        return _NO_VISITS if self.visits is None else self.visits[1]

    def forget_visits(self) -> None:
        """Drop the copies of the nodes passed over, keeping their count: once the views
        show a newer search, `describe()` and `revert` need only the count."""
        self.visits = None

    @property
    def leftover(self) -> tuple[int, int] | None:
        """The `(start, size)` pushed to the front of the list, if the block left any."""
        block = self.block
        if block is None:
            return None
        excess = self.region - block.padding - block.size
        return (block.ptr + block.size, excess) if excess else None

    @property
    def steps(self) -> tuple[RegionVisit | VisitsNotKept | PaddingLost | LeftoverPushed, ...]:
        """Each node visited with its verdict; then padding lost and leftover pushed."""
        steps: list = []
        starts, sizes = self.passed_starts.tolist(), self.passed_sizes.tolist()
        size, align = size_align(self.layout.size, self.layout.align)
        for position, (start, region) in enumerate(zip(starts, sizes, strict=True)):
            alloc_start, verdict = judge_region(start, region, size, align)
            steps.append(RegionVisit(position, start, region, alloc_start, verdict))
        if self.passed_over > len(starts):
            steps.append(VisitsNotKept(self.passed_over - len(starts)))
        if self.block is not None:
            steps.append(RegionVisit(self.passed_over, *self.chosen, self.ptr, Verdict.CHOSEN))
            if self.padding:
                steps.append(PaddingLost(self.chosen[0], self.padding))
            if self.leftover is not None:
                steps.append(LeftoverPushed(*self.leftover))
        return tuple(steps)

    def describe(self) -> str:
        passed = f"passed over {plural(self.passed_over, 'region')}"
        if self.block is None:
            reason = "address overflow" if self.overflowed else "out of memory"
            return f"allocate({self.layout}) -> null: {reason}, {passed}"
        parts = [passed]
        if self.leftover is None:
            parts.append(f"took a whole {self.region:,}-byte region")
        else:
            parts.append(f"split a {self.region:,}-byte region")
        if self.padding:
            parts.append(f"lost {self.padding:,} bytes to alignment")
        return f"allocate({self.layout}) -> {self.ptr:#x}: " + ", ".join(parts)


class Allocation(NamedTuple):
    """A live block: where it is, the layout it was asked with, and what it took."""

    ptr: int
    layout: Layout
    size: int
    padding: int


@_event
class HeapRelease:
    """`deallocate(ptr, layout)`: the block freed, pushed at the front of the list."""

    allocation: Allocation

    failed = False

    @property
    def ptr(self) -> int:
        return self.allocation.ptr

    @property
    def layout(self) -> Layout:
        return self.allocation.layout

    def describe(self) -> str:
        a = self.allocation
        return (
            f"deallocate({a.ptr:#x}, {a.layout}): pushed a {a.size:,}-byte region "
            f"at the front of the free list"
        )


@_event
class HeapReallocation:
    """`realloc(ptr, layout, new_size)` as `GlobalAlloc`'s default: allocate, copy, free.

    `old` is the block reallocated; `release` is None when the allocation failed: then
    the old block stays.
    """

    old: Allocation
    allocation: HeapAllocation
    release: HeapRelease | None

    @property
    def ptr(self) -> int:
        return self.old.ptr

    @property
    def layout(self) -> Layout:
        return self.old.layout

    @property
    def new_size(self) -> int:
        return self.allocation.layout.size

    @property
    def failed(self) -> bool:
        """No block fits the new size: the old block stays, nothing changed."""
        return self.release is None

    @property
    def new_ptr(self) -> int | None:
        return self.allocation.ptr

    def describe(self) -> str:
        head = f"realloc({self.ptr:#x}, {self.layout}, {self.new_size:,})"
        if self.release is None:
            return f"{head} -> null: the old block stays; " + self.allocation.describe()
        return (
            f"{head} -> {self.new_ptr:#x}: {self.allocation.describe()}; then freed the old block"
        )


Event = FrameAllocation | FrameRelease | HeapAllocation | HeapRelease | HeapReallocation
"""Any operation's event."""

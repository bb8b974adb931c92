"""One event per operation: what was asked, what came back, and why.

Events are what the log prints, what undo reverts, what the animation and the
code panel step through. Every event, whichever allocator made it, answers the
same questions (`protocols.Event`): did it fail, what does it say
(`describe()`), which steps explain it, each with a reason a person can read,
and what changed (frames taken or given back, blocks made or freed). Nothing
outside the core needs to know an event's class.

They are built on the hot path and a replay kept for stepping back holds one
per operation, so they store only the few numbers an operation produces,
sharing the heap's own record of a block (and, for the heap, a copy of the
nodes the search passed over until the views are done with it); `steps` and
`describe()` derive the explanation on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .addresses import FRAME_SIZE, Frame
from .layout import Layout
from .units import plural

if TYPE_CHECKING:
    from .allocators.free_list_store import Merge
    from .allocators.heap_rules import HeapRules

LIST_NODE_SIZE = 16
"""`mem::size_of::<ListNode>()`: a size and a next pointer."""
LIST_NODE_ALIGN = 8
"""`mem::align_of::<ListNode>()`."""

VISITS_KEPT = 256
"""An allocation's event keeps at most this many of the nodes its search passed over
(it counts them all): the views show a long search in a few steps, and a copy of
thousands of nodes would cost more to make than the search."""

FRAMES, HEAP = "frames", "heap"
"""The layers of a machine: which allocator made an event, and reverts it."""

# Events are plain slotted dataclasses, not frozen ones: a frozen dataclass's
# __init__ costs several times more, and events are made on the hot path.
_event = dataclass(slots=True, eq=False)


class _Unchanged:
    """What an event changed, for the events that change no block or no frame."""

    __slots__ = ()
    frames_taken: tuple[int, ...] = ()
    frames_given: tuple[int, ...] = ()
    blocks_made: tuple[Allocation, ...] = ()
    blocks_freed: tuple[Allocation, ...] = ()
    search = None
    """The heap search the event made, if any (what the heap views show)."""
    frame_events: tuple = ()
    """The frame allocator's own events a heap operation caused (a slab's pages taken
    or given back), oldest first: what the frames' pictures explain of it."""


# Frames


FRAMES_ONE_BY_ONE = 12
"""A pass of the frame search is told frame by frame for this many frames at each of
its ends; the used frames between are one step, so that a scan past a million used
frames is still a page of narration."""


class FrameScan(NamedTuple):
    """The frame search looks at frames `[first, stop)`: one frame, or a run of used
    ones told as one step. `free`: the frame is free and taken; `wrapped`: the guide's
    second loop, from frame 0 back up to `next_free`."""

    first: int
    stop: int
    free: bool = False
    wrapped: bool = False

    @property
    def kind(self) -> str:
        return "choose" if self.free else "pass-over"

    @property
    def code_line(self) -> str:
        if self.wrapped:
            return "allocate_frame:" + ("wrap-found" if self.free else "wrap-scan")
        return "allocate_frame:" + ("found" if self.free else "scan")

    @property
    def where(self) -> tuple[int, int]:
        return self.first * FRAME_SIZE, self.stop * FRAME_SIZE

    @property
    def reason(self) -> str:
        if self.free:
            return (
                f"frame {self.first:,} is free: it is marked used, next_free becomes "
                f"{self.first + 1:,}, and allocate_frame returns it"
            )
        if self.stop - self.first > 1:
            return f"frames {self.first:,} to {self.stop - 1:,} are used too: go on"
        return f"frame {self.first:,} is used: go on"


def _scan_pass(first: int, stop: int, found: int | None, wrapped: bool) -> list[FrameScan]:
    """The steps of one pass over `[first, stop)` that stops at `found` (None: passes
    over every frame): the used frames one by one at both ends, a run between."""
    used_stop = stop if found is None else found
    told = FRAMES_ONE_BY_ONE

    def one(frame: int) -> FrameScan:
        return FrameScan(frame, frame + 1, False, wrapped)

    if used_stop - first <= 2 * told + 1:
        steps = [one(frame) for frame in range(first, used_stop)]
    else:
        run = FrameScan(first + told, used_stop - told, False, wrapped)
        steps = [*map(one, range(first, first + told)), run]
        steps += map(one, range(used_stop - told, used_stop))
    if found is not None:
        steps.append(FrameScan(found, found + 1, True, wrapped))
    return steps


@_event
class FrameAllocation(_Unchanged):
    """`allocate_frame()`: the frame found (or None), and where the search began."""

    frame_number: int | None
    next_free_before: int
    total_frames: int

    layer = FRAMES

    @property
    def failed(self) -> bool:
        """Out of memory: nothing changed."""
        return self.frame_number is None

    @property
    def frame(self) -> Frame | None:
        """What the guide's `allocate_frame` returns."""
        return None if self.frame_number is None else Frame.from_number(self.frame_number)

    @property
    def frames_taken(self) -> tuple[int, ...]:
        return () if self.frame_number is None else (self.frame_number,)

    @property
    def steps(self) -> tuple[FrameScan | Note, ...]:
        """The guide's two loops, frame by frame: from `next_free` to the end, then from
        0 to `next_free`.

        The second loop never finds a frame: every frame below `next_free` is
        used (allocation moves the hint past used frames only, a free lowers it
        to the freed frame), so it runs, fruitlessly, only when memory is full.
        """
        start, found, total = self.next_free_before, self.frame_number, self.total_frames
        if found is not None and found >= start:
            return tuple(_scan_pass(start, total, found, False))
        steps = _scan_pass(start, total, None, False)
        if start:
            reason = "no free frame from next_free to the end: search again from frame 0"
            steps.append(Note("wrap", reason, None, "allocate_frame:wrap"))
            steps += _scan_pass(0, start, found, True)
        if found is None:
            reason = f"no frame is free: all {plural(total, 'frame')} are used, so None"
            steps.append(Note("none", reason, None, "allocate_frame:none"))
        return tuple(steps)

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


class Note(NamedTuple):
    """A step that is only a sentence (and, where it applies, an address range)."""

    kind: str
    reason: str
    where: tuple[int, int] | None = None
    code_line: str | None = None


@_event
class FrameRelease(_Unchanged):
    """`free_frame(frame)`: which frame, and the `next_free` hint before it."""

    frame_number: int
    next_free_before: int

    failed = False
    layer = FRAMES

    @property
    def frame(self) -> Frame:
        return Frame.from_number(self.frame_number)

    @property
    def frames_given(self) -> tuple[int, ...]:
        return (self.frame_number,)

    @property
    def next_free_after(self) -> int:
        return min(self.frame_number, self.next_free_before)

    @property
    def steps(self) -> tuple[Note, ...]:
        where = (self.frame_number * FRAME_SIZE, (self.frame_number + 1) * FRAME_SIZE)
        free = f"frame {self.frame_number:,} is marked free"
        steps = [Note("free", free, where, "free_frame:free")]
        if self.next_free_after != self.next_free_before:
            reason = (
                f"it is below next_free ({self.next_free_before:,}): next_free moves down to it"
            )
            steps.append(Note("hint", reason, where, "free_frame:hint"))
        return tuple(steps)

    def describe(self) -> str:
        text = (
            f"free_frame(Frame({self.frame_number * FRAME_SIZE:#x})): frame {self.frame_number:,}"
        )
        if self.next_free_after != self.next_free_before:
            text += f", next_free {self.next_free_before:,} -> {self.next_free_after:,}"
        return text


@_event
class FrameRun(_Unchanged):
    """`allocate_frame()` called once for each page a heap maps (`taken`), or
    `free_frame` once for each page it gives back, in one event: the frames in order,
    and the `next_free` hint before. Taken with fewer frames free than asked, it fails
    and takes none."""

    frames: tuple[int, ...]
    next_free_before: int
    taken: bool

    layer = FRAMES

    @property
    def failed(self) -> bool:
        return not self.frames

    @property
    def frames_taken(self) -> tuple[int, ...]:
        return self.frames if self.taken else ()

    @property
    def frames_given(self) -> tuple[int, ...]:
        return () if self.taken else self.frames

    @property
    def steps(self) -> tuple[Note, ...]:
        call = "allocate_frame() -> frame {:,}" if self.taken else "free_frame(frame {:,})"
        return tuple(
            Note(
                "map" if self.taken else "unmap",
                call.format(n),
                (n * FRAME_SIZE, (n + 1) * FRAME_SIZE),
            )
            for n in self.frames
        )

    def describe(self) -> str:
        if not self.frames:
            return "allocate_frame() for each page: too few frames are free, none taken"
        frames = ", ".join(f"{n:,}" for n in self.frames)
        return f"{'took' if self.taken else 'freed'} {plural(len(self.frames), 'frame')}: {frames}"


@_event
class PagesMapped(_Unchanged):
    """The heap's virtual pages mapped to frames taken from the frame allocator, one
    `allocate_frame()` per page, in order: what the kernel does when it starts its heap."""

    frames: np.ndarray
    page_base: int

    failed = False
    layer = FRAMES

    @property
    def frames_taken(self) -> tuple[int, ...]:
        return tuple(self.frames.tolist())

    @property
    def steps(self) -> tuple[Note, ...]:
        return tuple(
            Note("map", f"heap page {self.page_base + i * FRAME_SIZE:#x} -> frame {number:,}")
            for i, number in enumerate(self.frames.tolist())
        )

    def describe(self) -> str:
        return f"mapped {plural(len(self.frames), 'heap page')} to frames"


# Heap


class Verdict(Enum):
    """Why a search passed over a free-list node, or that it chose it."""

    TOO_SMALL = "too small"
    LEFTOVER_TOO_SMALL = "leftover under 16 bytes"
    ADDRESS_OVERFLOW = "address overflow ends the search"
    FITS_NOT_CHOSEN = "fits, but another fits better"
    CHOSEN = "chosen"


@dataclass(frozen=True, slots=True)
class RegionVisit:
    """The search looking at the free-list node at `position` (0 is the head); the block
    would start at `alloc_start` there. `need` and `fit` only word the reason."""

    position: int
    start: int
    size: int
    alloc_start: int
    verdict: Verdict
    need: int = field(default=0, compare=False)
    fit: str = field(default="first", compare=False)

    @property
    def kind(self) -> str:
        return "choose" if self.verdict is Verdict.CHOSEN else "pass-over"

    @property
    def code_line(self) -> str:
        line = "find_region:" + _VERDICT_LINES[self.verdict]
        if self.verdict is Verdict.TOO_SMALL and self.alloc_start > self.start:
            line += "-aligned"  # the padding in front made it too small: a case of its own
        return line

    @property
    def where(self) -> tuple[int, int]:
        return self.start, self.start + self.size

    @property
    def reason(self) -> str:
        here = f"{self.size:,} B at {self.start:#x}"
        need = f"{self.need:,} B"
        padding = self.alloc_start - self.start
        if padding:
            need += f" after {padding:,} B of alignment padding"
        verdict = self.verdict
        if verdict is Verdict.TOO_SMALL:
            return f"{here} is too small for {need}"
        if verdict is Verdict.LEFTOVER_TOO_SMALL:
            left = self.start + self.size - self.alloc_start - self.need
            return (
                f"{here} is enough for {need}, but the {left:,} B left over is smaller than "
                f"a ListNode ({LIST_NODE_SIZE} B), so it is passed over"
            )
        if verdict is Verdict.ADDRESS_OVERFLOW:
            return f"a block in {here} would end past 2**64: the search ends there"
        other = "smaller" if self.fit == "best" else "larger"
        if verdict is Verdict.FITS_NOT_CHOSEN:
            return f"{here} fits {need}, but a {other} region fits {self.fit}"
        which = {"first": "the first", "next": "the next"}.get(self.fit, f"the {self.fit}")
        return f"{here} holds {need}: {which} region that fits"


_VERDICT_LINES = {
    Verdict.TOO_SMALL: "too-small",
    Verdict.LEFTOVER_TOO_SMALL: "leftover",
    Verdict.ADDRESS_OVERFLOW: "overflow",
    Verdict.FITS_NOT_CHOSEN: "fits",
    Verdict.CHOSEN: "found",
}
"""The line of a listing's search each verdict is reached at."""


class PaddingLost(NamedTuple):
    """Alignment padding in front of the block: the guide never gives it back."""

    start: int
    size: int

    kind = "padding"
    code_line = "allocate:padding"

    @property
    def where(self) -> tuple[int, int]:
        return self.start, self.start + self.size

    @property
    def reason(self) -> str:
        return f"{self.size:,} B of padding in front of the block are lost for good"


class VisitsNotKept(NamedTuple):
    """More nodes were passed over than the event keeps (see `VISITS_KEPT`)."""

    count: int

    kind = "pass-over"
    where = None
    code_line = "find_region"

    @property
    def reason(self) -> str:
        return f"passed over {plural(self.count, 'more region')}"


class LeftoverPushed(NamedTuple):
    """The rest of the chosen region, put back in the free list."""

    start: int
    size: int
    position: int = 0

    kind = "push"
    code_line = "allocate:leftover"

    @property
    def where(self) -> tuple[int, int]:
        return self.start, self.start + self.size

    @property
    def reason(self) -> str:
        at = "at the front of" if self.position == 0 else f"at position {self.position:,} of"
        return f"the {self.size:,} B left over go back {at} the free list"


class Merged(NamedTuple):
    """Free regions next to each other in the list and in memory, joined into one."""

    start: int
    sizes: tuple[int, ...]

    kind = "merge"
    code_line = "coalesce"

    @property
    def where(self) -> tuple[int, int]:
        return self.start, self.start + sum(self.sizes)

    @property
    def reason(self) -> str:
        parts = " + ".join(f"{size:,}" for size in self.sizes)
        return f"neighbours in memory are joined: {parts} = {sum(self.sizes):,} B"


def judge_region(
    start: int, size: int, need: int, align: int, header: int = 0, min_leftover: int = 16
) -> tuple[int, Verdict]:
    """Where a block of `need` bytes (header included) would start in a region, and
    whether it may go there: the test of one node, in plain integers. Returns the
    address after the header, which must be `align`-aligned."""
    alloc_start = (start + header + align - 1) & ~(align - 1)
    alloc_end = alloc_start - header + need
    if alloc_end >= 1 << 64:
        return alloc_start, Verdict.ADDRESS_OVERFLOW
    if alloc_end > start + size:
        return alloc_start, Verdict.TOO_SMALL
    if 0 < start + size - alloc_end < min_leftover:
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


class Allocation(NamedTuple):
    """A live block: the address handed out, the layout it was asked with, the bytes it
    takes (`size`, its header included), alignment padding lost in front of it, and
    the header's size: the block occupies `[ptr - header, ptr - header + size)`."""

    ptr: int
    layout: Layout
    size: int
    padding: int
    header: int = 0

    @property
    def start(self) -> int:
        return self.ptr - self.header

    @property
    def end(self) -> int:
        return self.ptr - self.header + self.size


IN_PLACE = -1
"""`HeapAllocation.placed` when the leftover stayed where the chosen node was."""


class Allocates(_Unchanged):
    """What a heap's allocation event answers from the block it made (`block`, the
    heap's own record; None: it failed, nothing changed), whichever heap made it."""

    __slots__ = ()
    layer = HEAP

    @property
    def failed(self) -> bool:
        return self.block is None

    @property
    def blocks_made(self) -> tuple[Allocation, ...]:
        return () if self.block is None else (self.block,)

    @property
    def ptr(self) -> int | None:
        return None if self.block is None else self.block.ptr


@_event
class HeapAllocation(Allocates):
    """`allocate(layout)`: the block handed out (or None), and the search behind it.

    The search began at list position `search_start` of a `length`-node list,
    looked at `visited` nodes and took a `region`-byte one at `position`;
    `overflowed`: an address overflow ended it. The first nodes passed over, up
    to `VISITS_KEPT`, are kept for the views until `forget_visits()`. Where the
    leftover went: `placed` is its position, `IN_PLACE`, or None if there was
    none; `reorder` is the list's new order if placing it re-sorted the list.
    The event stores only these few numbers (a replay kept for stepping back
    holds one per operation); the rest is derived on request.
    """

    layout: Layout
    block: Allocation | None
    """The live block this allocation made (the heap's own record), or None if it failed."""
    region: int | None
    position: int | None
    visited: int
    overflowed: bool
    visits: tuple[np.ndarray, np.ndarray] | None
    """Starts and sizes of the first nodes passed over, in the order looked at; None if
    none are kept. An indexed free list gives an object whose `get()` copies them when
    first read (see `free_list_index.LazyVisits`): read them through `passed_starts`
    and `passed_sizes`."""
    rules: HeapRules
    search_start: int = 0
    length: int = 0
    placed: int | None = None
    reorder: np.ndarray | None = None

    @property
    def search(self) -> HeapAllocation:
        return self

    @property
    def passed_over(self) -> int:
        """Nodes looked at and not taken."""
        return self.visited - (self.block is not None)

    @property
    def size(self) -> int:
        """The bytes the block takes (header included)."""
        return self.rules.size_align(self.layout)[0]

    @property
    def align(self) -> int:
        return self.rules.size_align(self.layout)[1]

    @property
    def padding(self) -> int:
        """Bytes lost in front of the block to alignment."""
        return 0 if self.block is None else self.block.padding

    @property
    def chosen(self) -> tuple[int, int] | None:
        """`(start, size)` of the free region the block was cut from."""
        block = self.block
        return None if block is None else (block.start - block.padding, self.region)

    @property
    def passed_starts(self) -> np.ndarray:
        return self._visits_kept()[0]

    @property
    def passed_sizes(self) -> np.ndarray:
        return self._visits_kept()[1]

    def _visits_kept(self) -> tuple[np.ndarray, np.ndarray]:
        visits = self.visits
        if visits is None:
            return _NO_VISITS, _NO_VISITS
        if type(visits) is not tuple:  # taken lazily (an indexed free list's `LazyVisits`)
            visits = self.visits = visits.get()
        return visits

    def forget_visits(self) -> None:
        """Drop the copies of the nodes passed over, keeping their count: once the views
        show a newer search, `describe()` and `revert` need only the count."""
        self.visits = None

    @property
    def leftover(self) -> tuple[int, int] | None:
        """The `(start, size)` put back in the free list, if the block left any."""
        block = self.block
        if block is None:
            return None
        excess = self.region - block.padding - block.size
        return (block.end, excess) if excess else None

    def _chosen_at(self) -> int | None:
        """How many nodes the search looked at before the chosen one."""
        if self.position is None:
            return None
        return (self.position - self.search_start) % max(self.length, 1)

    @property
    def steps(self) -> tuple:
        """How the request was sized (if that changed it); each node looked at with its
        verdict, the chosen one where the search met it; then padding lost, leftover
        placed, or the null returned."""
        rules = self.rules
        fit, header, min_leftover = rules.fit, rules.header, rules.min_leftover
        size, align = rules.size_align(self.layout)
        starts, sizes = self.passed_starts.tolist(), self.passed_sizes.tolist()
        chosen_at, length = self._chosen_at(), max(self.length, 1)
        steps: list = []
        for j, (start, region) in enumerate(zip(starts, sizes, strict=True)):
            looked = j if chosen_at is None or j < chosen_at else j + 1
            position = (self.search_start + looked) % length
            alloc_start, verdict = judge_region(start, region, size, align, header, min_leftover)
            if verdict is Verdict.CHOSEN:  # fits, but best or worst fit chose another
                verdict = Verdict.FITS_NOT_CHOSEN
            steps.append(RegionVisit(position, start, region, alloc_start, verdict, size, fit))
        if self.passed_over > len(starts):
            steps.append(VisitsNotKept(self.passed_over - len(starts)))
        sizing = _sizing(self.layout, size, align, rules)
        if self.block is None:
            why = f"no region holds {size:,} B" if not self.overflowed else "the search ended"
            failed = Note("fail", f"{why}: allocate returns null", None, "allocate:null")
            return (*sizing, *steps, failed)
        chosen = RegionVisit(self.position, *self.chosen, self.ptr, Verdict.CHOSEN, size, fit)
        steps.insert(chosen_at if chosen_at <= len(starts) else len(steps), chosen)
        if self.padding:
            steps.append(PaddingLost(self.chosen[0], self.padding))
        if self.leftover is not None:
            position = self.position if self.placed == IN_PLACE else self.placed
            steps.append(LeftoverPushed(*self.leftover, position))
        return (*sizing, *steps)

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


def _sizing(layout: Layout, size: int, align: int, rules: HeapRules) -> tuple[Note, ...]:
    """The step that says how a request became a block's size, if it changed it."""
    if (size, align) == (layout.size, layout.align):
        return ()
    if rules.node_rules:
        how = (
            f"size_align pads it to a multiple of {align}, at least a ListNode ({LIST_NODE_SIZE} B)"
        )
    else:
        parts = [f"{rules.header} B of header"] if rules.header else []
        if rules.round_to > 1:
            parts.append(f"rounded up to a multiple of {rules.round_to}")
        how = " and ".join(parts) or f"aligned to {align}"
    reason = f"a request of {layout.size:,} B takes a {size:,}-byte block: {how}"
    return (Note("size", reason, None, "allocate:size"),)


class Frees(_Unchanged):
    """What a heap's free event says of its `allocation`, the block it freed (each heap
    of the family adds where the block went)."""

    __slots__ = ()
    failed = False
    layer = HEAP

    @property
    def ptr(self) -> int:
        return self.allocation.ptr

    @property
    def layout(self) -> Layout:
        return self.allocation.layout

    @property
    def blocks_freed(self) -> tuple[Allocation, ...]:
        return (self.allocation,)


@_event
class HeapRelease(Frees):
    """`deallocate(ptr, layout)`: the block freed, put in the free list at `position`
    (after `reorder`, if placing it re-sorted the list), then `merges` if the heap
    coalesces. `rover`: next fit's starting position before."""

    allocation: Allocation
    position: int = 0
    reorder: np.ndarray | None = None
    merges: tuple[Merge, ...] = ()
    rover: int = 0

    @property
    def steps(self) -> tuple:
        a = self.allocation
        where = a.start, a.end
        at = "at the front of" if self.position == 0 else f"at position {self.position:,} of"
        pushed = f"the {a.size:,} B block goes {at} the free list"
        steps: list = [Note("push", pushed, where, "deallocate:push")]
        steps += [Merged(merge.start, merge.sizes) for merge in self.merges]
        return tuple(steps)

    def describe(self) -> str:
        a = self.allocation
        at = "at the front of" if self.position == 0 else f"at position {self.position:,} in"
        text = (
            f"deallocate({a.ptr:#x}, {a.layout}): put a {a.size:,}-byte region {at} the free list"
        )
        if self.merges:
            joined = sum(len(merge.sizes) for merge in self.merges)
            text += f", then joined {joined} neighbours into {plural(len(self.merges), 'region')}"
        return text


@_event
class HeapReallocation(_Unchanged):
    """`realloc(ptr, layout, new_size)` as `GlobalAlloc`'s default: allocate, copy, free.

    `old` is the block reallocated; `release` is None when the allocation failed: then
    the old block stays.
    """

    old: Allocation
    allocation: HeapAllocation
    release: HeapRelease | None

    layer = HEAP

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

    @property
    def search(self) -> HeapAllocation:
        return self.allocation

    @property
    def blocks_made(self) -> tuple[Allocation, ...]:
        return self.allocation.blocks_made if self.release is not None else ()

    @property
    def blocks_freed(self) -> tuple[Allocation, ...]:
        return () if self.release is None else (self.old,)

    @property
    def steps(self) -> tuple:
        release = () if self.release is None else self.release.steps
        return self.allocation.steps + release

    def describe(self) -> str:
        head = f"realloc({self.ptr:#x}, {self.layout}, {self.new_size:,})"
        if self.release is None:
            return f"{head} -> null: the old block stays; " + self.allocation.describe()
        return (
            f"{head} -> {self.new_ptr:#x}: {self.allocation.describe()}; then freed the old block"
        )


Event = (
    FrameAllocation | FrameRelease | PagesMapped | HeapAllocation | HeapRelease | HeapReallocation
)
"""The events of the allocators that exist today; code outside the core reads them
through `protocols.Event` only."""

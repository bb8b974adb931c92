"""The buddy frame allocator's events: an allocation, a free, and the boot's heap pages.

Like the other events (see `events`), they store only the few numbers an
operation produces, and derive `steps` and `describe()` from them on request:
an allocation's block, the order it asked for and the order it was split from
lay out every free set looked at and every split; a free's block and its
number of merges lay out every buddy merged with. What a later state cannot
tell, why the merging stopped, is stored as it was seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .addresses import FRAME_SIZE, Frame
from .events import FRAMES, Note, _Unchanged
from .units import plural

_event = dataclass(slots=True, eq=False)

AT_TOP, PAST_END, BUDDY_USED, BUDDY_SPLIT = "top", "beyond", "used", "split"
"""Why a free stopped merging: its block is of the top order; its buddy's block would
pass the end of memory; its buddy is a live block; its buddy is split into smaller
blocks, not all free."""


def order_for(count: int) -> int:
    """The smallest order whose blocks hold `count` frames: 3 frames need order 2."""
    return (count - 1).bit_length()


def block_bytes(start: int, order: int) -> tuple[int, int]:
    """The byte range `[start, end)` of the order-`order` block at frame `start`."""
    return start * FRAME_SIZE, (start + (1 << order)) * FRAME_SIZE


def block_frames(start: int, order: int) -> str:
    """The frames of a block, for a sentence: "frame 8" or "frames 8-11"."""
    return f"frame {start:,}" if order == 0 else f"frames {start:,}-{start + (1 << order) - 1:,}"


def aligned_blocks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    """`(start, order)` of the largest aligned blocks that tile frames `[start, stop)`,
    in address order: how memory that is not a power of two is covered (as Linux does),
    and what is left free of a block whose first frames were split off one by one."""
    while start < stop:
        order = (stop - start).bit_length() - 1
        if start:
            order = min(order, (start & -start).bit_length() - 1)
        yield start, order
        start += 1 << order


def split_step(start: int, order: int, code_line: str) -> Note:
    """Splitting the order-`order` free block at frame `start` in two halves."""
    half = order - 1
    upper = start + (1 << half)
    reason = (
        f"split the order-{order} block at frame {start:,}: its lower half (frame {start:,}, "
        f"order {half}) goes on, its upper half (frame {upper:,}, order {half}) joins order "
        f"{half}'s free set"
    )
    return Note("split", reason, block_bytes(start, order), code_line)


@_event
class BuddyAllocation(_Unchanged):
    """`allocate_frames(count)`: a block of `order` at frame `start` (None: nothing was
    free), taken from the lowest free block of order `source`, split down to `order`.
    A failed request has `source == top + 1`, or `order > top` if no block is that big."""

    count: int
    order: int
    start: int | None
    source: int
    top: int

    layer = FRAMES

    @property
    def failed(self) -> bool:
        """Out of memory: nothing changed."""
        return self.start is None

    @property
    def frame(self) -> Frame | None:
        """The block's first frame, what `allocate_frame` returns."""
        return None if self.start is None else Frame.from_number(self.start)

    @property
    def frames_taken(self) -> tuple[int, ...]:
        if self.start is None:
            return ()
        return tuple(range(self.start, self.start + (1 << self.order)))

    @property
    def unused(self) -> int:
        """Frames of the block beyond those asked: internal fragmentation."""
        return (1 << self.order) - self.count

    @property
    def steps(self) -> tuple[Note, ...]:
        """The order asked for; each free set looked at, empty up to the one with a block;
        each split on the way down; the block handed out (or the None returned)."""
        order, top, start = self.order, self.top, self.start
        steps = [self._order_step()]
        if order > top:
            reason = (
                f"order {order} is above the top order, {top}: no block is that large, "
                "so None and nothing changes"
            )
            return (*steps, Note("none", reason, None, "alloc:too-large"))
        steps += (_empty_step(empty, top) for empty in range(order, self.source))
        if start is None:
            return tuple(steps)
        steps.append(self._found_step())
        steps += (
            split_step(start, split, "alloc:split") for split in range(self.source, order, -1)
        )
        return (*steps, self._take_step())

    def _order_step(self) -> Note:
        count, order = self.count, self.order
        if count == 1:
            reason = "1 frame needs order 0: a block of a single frame"
        else:
            reason = (
                f"{count:,} frames need order {order}: {plural(1 << order, 'frame')}, "
                f"the smallest power of two that holds {count:,}"
            )
        return Note("size", reason, None, "alloc:order")

    def _found_step(self) -> Note:
        start, source = self.start, self.source
        then = ": it is taken from its free set" if source == self.order else ": it will be split"
        reason = f"order {source}'s lowest free block is at frame {start:,}{then}"
        return Note("choose", reason, block_bytes(start, source), "alloc:found")

    def _take_step(self) -> Note:
        start, order, unused = self.start, self.order, self.unused
        if order == 0:
            reason = f"frame {start:,}, an order-0 block, is marked used and handed out"
        else:
            reason = (
                f"{block_frames(start, order)}, the order-{order} block at frame {start:,}, "
                "are marked used and handed out"
            )
        if unused:
            reason += (
                f"; {plural(unused, 'frame')} beyond the {self.count:,} asked "
                f"{'is' if unused == 1 else 'are'} unused: internal fragmentation"
            )
        return Note("take", reason, block_bytes(start, order), "alloc:take")

    def describe(self) -> str:
        head = "allocate_frame()" if self.count == 1 else f"allocate_frames({self.count:,})"
        if self.order > self.top:
            return f"{head} -> None: order {self.order} is above the top order, {self.top}"
        if self.start is None:
            return f"{head} -> None: out of memory, no free block of order {self.order} or above"
        parts = [f"order {self.order}"]
        if self.source != self.order:
            parts.append(f"split from order {self.source}")
        if self.unused:
            parts.append(f"{plural(self.unused, 'frame')} unused")
        return f"{head} -> {block_frames(self.start, self.order)} ({', '.join(parts)})"


def _empty_step(order: int, top: int) -> Note:
    """An empty free set looked at: the search goes up an order, or, at the top, fails."""
    if order < top:
        reason = f"no free block of order {order}: look at order {order + 1}"
        return Note("pass-over", reason, None, "alloc:empty")
    reason = (
        f"no free block of order {order} either, the top order: out of memory, "
        "so None and nothing changes"
    )
    return Note("none", reason, None, "alloc:none")


@_event
class BuddyRelease(_Unchanged):
    """`free_frame(frame)`: the live block at frame `start`, asked for `count` frames,
    merged `merges` times with its buddy; `stop` says why it merged no further."""

    start: int
    count: int
    merges: int
    stop: str
    top: int

    failed = False
    layer = FRAMES

    @property
    def order(self) -> int:
        return order_for(self.count)

    @property
    def frame(self) -> Frame:
        return Frame.from_number(self.start)

    @property
    def frames_given(self) -> tuple[int, ...]:
        return tuple(range(self.start, self.start + (1 << self.order)))

    @property
    def merged(self) -> tuple[int, int]:
        """`(start, order)` of the free block it ended in."""
        order = self.order + self.merges
        return self.start & -(1 << order), order

    @property
    def steps(self) -> tuple[Note, ...]:
        """The block given back, each merge with its buddy, then why merging stopped."""
        start, order = self.start, self.order
        frames = f" ({block_frames(start, order)})" if order else ""
        freed = f"the order-{order} block at frame {start:,}{frames} is given back: marked free"
        steps = [Note("free", freed, block_bytes(start, order), "free:block")]
        for level in range(order, order + self.merges):
            block = start & -(1 << level)
            buddy, merged = block ^ (1 << level), start & -(2 << level)
            reason = (
                f"its buddy, frame {buddy:,} (order {level}), is free: merge into the "
                f"order-{level + 1} block at frame {merged:,}"
            )
            steps.append(Note("merge", reason, block_bytes(merged, level + 1), "free:merge"))
        return (*steps, self._stop_step())

    def _stop_step(self) -> Note:
        start, order = self.merged
        joins = f"the block joins order {order}'s free set"
        buddy = f"its buddy, frame {start ^ (1 << order):,} (order {order}),"
        why = {
            AT_TOP: f"order {order} is the top order, without a buddy",
            PAST_END: f"{buddy} would pass the end of memory",
            BUDDY_USED: f"{buddy} is used",
            BUDDY_SPLIT: f"{buddy} is split into smaller blocks, not all free",
        }[self.stop]
        return Note("push", f"{why}: {joins}", block_bytes(start, order), "free:" + self.stop)

    def describe(self) -> str:
        start, order = self.start, self.order
        text = f"free_frame(Frame({start * FRAME_SIZE:#x})): {block_frames(start, order)} "
        text += f"(order {order})"
        if not self.merges:
            return f"{text}, no merge: {_STOPPED[self.stop]}"
        merged, top = self.merged
        into = f"into the order-{top} block at frame {merged:,}"
        return f"{text}, merged {plural(self.merges, 'time')} {into}"


_STOPPED = {
    AT_TOP: "top order",
    PAST_END: "buddy past the end of memory",
    BUDDY_USED: "buddy used",
    BUDDY_SPLIT: "buddy split",
}
"""Why a free did not merge, in a few words for the log."""


@_event
class BuddyBoot(_Unchanged):
    """The heap's pages mapped to frames 0, 1, 2, ... in order (see
    `BuddyFrames.allocate_first_frames_event`): `frames[i]` backs the page at
    `page_base + i * FRAME_SIZE`. `cover` is memory's top-level blocks before it."""

    frames: np.ndarray
    page_base: int
    cover: tuple[tuple[int, int], ...]

    failed = False
    layer = FRAMES

    @property
    def frames_taken(self) -> tuple[int, ...]:
        return tuple(self.frames.tolist())

    @property
    def steps(self) -> tuple[Note, ...]:
        """Frame by frame in address order: the free block that starts there split down to
        order 0, then the frame taken for its page."""
        count = len(self.frames)
        if not count:
            return ()
        reason = (
            f"the heap's {plural(count, 'page')} take frames 0 to {count - 1:,} in address "
            "order, each as an order-0 block, one per page"
        )
        steps = [Note("boot", reason, (0, count * FRAME_SIZE), "boot")]
        for start, order in self.cover:
            for frame in range(start, min(start + (1 << order), count)):
                free = order if frame == start else (frame & -frame).bit_length() - 1
                steps += (split_step(frame, split, "boot:split") for split in range(free, 0, -1))
                page = self.page_base + frame * FRAME_SIZE
                reason = f"heap page {page:#x} -> frame {frame:,}, taken as an order-0 block"
                steps.append(Note("take", reason, block_bytes(frame, 0), "boot:take"))
        return tuple(steps)

    def describe(self) -> str:
        count = len(self.frames)
        if not count:
            return "mapped no heap page"
        frames = "frame 0" if count == 1 else f"frames 0-{count - 1:,}"
        return f"mapped {plural(count, 'heap page')} to {frames}, as order-0 blocks"

"""The guide's bitmap frame allocator (`memory.rs`), exact and fast.

The guide keeps one bit per frame and searches it frame by frame. Here each
frame has one byte (0 free, 1 used), so that the search from `next_free` is a
single `bytearray.find` in C: the same frames come back in the same order,
microseconds instead of seconds across millions of used frames, and the views
read the same bytes as a numpy array without copying.
"""

from __future__ import annotations

import numpy as np

from ..addresses import Frame
from ..errors import (
    FrameDoubleFreeError,
    FrameError,
    RevertError,
)
from ..events import FrameAllocation, FrameRelease, FrameRun, PagesMapped
from .frame_bytes import FREE, USED, FrameBytes

ONE_BY_ONE = 16
"""Frames freed in a Python loop at most; more, scattered, are freed in numpy."""


class FrameAllocator(FrameBytes):
    """Hands out 4 KiB frames first-fit from a moving `next_free` hint."""

    kind = "bitmap"

    def __init__(self, memory_size: int) -> None:
        super().__init__(memory_size)
        self.next_free = 0

    @classmethod
    def new(cls, memory_size: int) -> FrameAllocator:
        """The guide's constructor name."""
        return cls(memory_size)

    # The same operations, returning the event that explains them

    def allocate_frame_event(self) -> FrameAllocation:
        """`allocate_frame`, returning its event."""
        used, start = self._used, self.next_free
        found = used.find(FREE, start)  # the guide's first loop: next_free..total
        if found < 0:
            found = used.find(FREE, 0, start)  # its second loop: 0..next_free
        if found < 0:
            return FrameAllocation(None, start, self.total_frames)
        used[found] = USED
        self.used_frames += 1
        self.next_free = found + 1
        return FrameAllocation(found, start, self.total_frames)

    def allocate_each_event(self, count: int) -> FrameRun:
        """What `count` calls of `allocate_frame` take, in one event (a heap that grows
        maps a page with each); failed, nothing changed, when fewer are free. A run of
        free frames is taken at once: the calls would take them one after another."""
        start = self.next_free
        if self.total_frames - self.used_frames < count:
            return FrameRun((), start, True)
        used, at, frames, need = self._used, start, [], count
        while need:
            found = used.find(FREE, at)
            if found < 0:
                found = used.find(FREE, 0, at)
            end = used.find(USED, found, found + need)
            take = (end if end >= 0 else min(found + need, self.total_frames)) - found
            used[found : found + take] = bytes([USED]) * take
            frames.extend(range(found, found + take))
            at, need = found + take, need - take
        self.used_frames += count
        self.next_free = at
        return FrameRun(tuple(frames), start, True)

    def free_each_event(self, numbers: tuple[int, ...]) -> FrameRun:
        """What `free_frame` of each frame of `numbers` does, in one event; `FrameError`
        and nothing changed if one is not allocated. A run of consecutive frames (a
        large block's, often) is checked and freed at once, in C."""
        used, first, count = self._used, numbers[0], len(numbers)
        if (
            numbers == tuple(range(first, first + count))
            and 0 <= first <= self.total_frames - count
        ):
            if used[first : first + count] != bytes([USED]) * count:
                self._check_used(Frame.from_number(first + used[first : first + count].find(FREE)))
            used[first : first + count] = bytes(count)
        elif count > ONE_BY_ONE:
            index = np.array(numbers)
            inside = (index >= 0) & (index < self.total_frames)
            if not (inside.all() and self._bitmap[index].all()):
                bad = index[~inside][0] if not inside.all() else index[self._bitmap[index] == 0][0]
                self._check_used(Frame.from_number(int(bad)))
            np.frombuffer(used, dtype=np.uint8)[index] = FREE
        else:
            for number in numbers:
                if not (0 <= number < self.total_frames and used[number]):
                    self._check_used(Frame.from_number(number))
            for number in numbers:
                used[number] = FREE
        event = FrameRun(numbers, self.next_free, False)
        self.used_frames -= count
        self.next_free = min(self.next_free, *numbers)
        return event

    def allocate_first_frames_event(self, count: int, page_base: int = 0) -> PagesMapped:
        """What `count` calls of `allocate_frame` do on a fresh allocator, in bulk:
        frames 0 to count - 1, `next_free` one past them; for pages from `page_base`."""
        if self.used_frames or self.next_free or not 0 <= count <= self.total_frames:
            raise FrameError(
                f"bulk allocation of {count:,} frames needs a fresh allocator of that many frames"
            )
        self._used[:count] = bytes([USED]) * count
        self.used_frames = self.next_free = count
        return PagesMapped(np.arange(count, dtype=np.int64), page_base)

    def free_frame_event(self, frame: Frame) -> FrameRelease:
        """`free_frame`, returning its event; raises `FrameError` and changes nothing
        for a frame that is misaligned, beyond memory, or not allocated."""
        number = self._check_used(frame)
        event = FrameRelease(number, self.next_free)
        self._used[number] = FREE
        self.used_frames -= 1
        self.next_free = event.next_free_after
        return event

    def revert(self, event: FrameAllocation | FrameRelease | FrameRun | PagesMapped) -> None:
        """Undo the latest operation exactly, `next_free` included."""
        kind = type(event)
        if kind is FrameRun:
            self._revert_run(event)
            return
        if kind is PagesMapped:
            count = len(event.frames)
            if self.used_frames != count or self.next_free != count:
                raise RevertError(f"{event.describe()} is not the latest operation")
            self._used[:count] = bytes(count)
            self.used_frames = self.next_free = 0
            return
        number = event.frame_number
        if kind is FrameAllocation:
            if number is not None:
                if self.next_free != number + 1 or not self._used[number]:
                    raise RevertError(f"{event.describe()} is not the latest operation")
                self._used[number] = FREE
                self.used_frames -= 1
            self.next_free = event.next_free_before
        else:
            if self._used[number] or self.next_free != event.next_free_after:
                raise RevertError(f"{event.describe()} is not the latest operation")
            self._used[number] = USED
            self.used_frames += 1
            self.next_free = event.next_free_before

    def _revert_run(self, event: FrameRun) -> None:
        frames, used = event.frames, self._used
        if not frames:
            return
        state = USED if event.taken else FREE
        latest = self.next_free == (
            frames[-1] + 1 if event.taken else min(event.next_free_before, *frames)
        )
        if not latest or any(used[n] != state for n in frames):
            raise RevertError(f"{event.describe()} is not the latest operation")
        for number in frames:
            used[number] = FREE if event.taken else USED
        self.used_frames += -len(frames) if event.taken else len(frames)
        self.next_free = event.next_free_before

    # Introspection for the views

    def _check_used(self, frame: Frame) -> int:
        """The number of an allocated frame; else `FrameError`."""
        number = self._check_frame(frame)
        if not self._used[number]:
            raise FrameDoubleFreeError(f"{frame} (frame {number:,}) is not allocated: double free")
        return number

"""The heap's page table: which frame backs each page of the heap's virtual range.

A heap made at boot is mapped whole, page n to frame n (`map_boot`). A heap that
grows (the slab allocator) maps pages as it needs them: `grow(first, count)`
takes frames from the machine's frame allocator, one `allocate_frame` per page
from a bitmap (in one event, `allocate_each_event`), one block of `count` frames
from a buddy, and `shrink` gives them back. Each returns a `PageGrant` that the
heap keeps in its event, so that `undo(grant)` puts the frame allocator and the
table back exactly, by the frame allocator's own revert.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .addresses import FRAME_SIZE, Frame
from .events import Note
from .protocols import Event, FrameAllocator
from .units import plural

PAGE_SIZE = FRAME_SIZE
UNMAPPED = -1
"""The table's entry for a page no frame backs."""
PAGE_STEPS = ("map", "unmap")
"""The kinds of the steps that tell pages mapped to frames, or given back (`grant_note`):
a heap's steps the frames' pictures show."""


def heap_pages(heap_start: int, heap_size: int) -> int:
    """How many pages the heap `[heap_start, heap_start + heap_size)` touches."""
    page_base = heap_start - heap_start % PAGE_SIZE
    return -(-(heap_start + heap_size - page_base) // PAGE_SIZE)


class PageGrant(NamedTuple):
    """Pages `[first, first + len(frames))` mapped to `frames` (`mapped`) or unmapped
    from them, by the frame allocator's `event`."""

    first: int
    frames: tuple[int, ...]
    event: Event
    mapped: bool


class HeapPages:
    """The page table of a machine's heap, and the frame allocator its pages come from.

    `frames[page]` is the frame backing heap page `page`, or `UNMAPPED`.
    """

    def __init__(self, frames: FrameAllocator, page_base: int, pages: int, blocks: bool) -> None:
        self.allocator = frames
        self.page_base = page_base
        self.frames = _unmapped(pages)
        self.mapped = 0
        """Pages mapped now."""
        self.blocks = blocks
        """The frame allocator hands out blocks: a run of pages is one block."""
        self._boot = 0
        """Pages 0 to this - 1 are mapped to frames 0 to this - 1 (the boot mapping)."""
        self._flags = bytearray(pages)
        """1 for a mapped page: runs of unmapped pages are found in C."""

    def map_boot(self, frames: np.ndarray) -> None:
        """Every page n to frame n, as the heap is mapped at boot: `frames` is the boot
        event's own array (a 1 GiB heap's is 2 MiB), never written here."""
        self.frames = frames
        self.mapped = self._boot = len(frames)
        self._flags[:] = b"\x01" * len(frames)

    def unmap_boot(self) -> None:
        self.frames = _unmapped(len(self.frames))
        self.mapped = self._boot = 0
        self._flags[:] = bytes(len(self._flags))

    def page_of(self, frame_number: int) -> int | None:
        """The heap page `frame_number` backs, or None."""
        if self._boot:  # a heap mapped at boot: page n is frame n, and no other is mapped
            return frame_number if 0 <= frame_number < self._boot else None
        pages = np.flatnonzero(self.frames == frame_number)  # a look-up for a person: O(pages)
        return int(pages[0]) if len(pages) else None

    def mapped_frames(self) -> np.ndarray:
        """The frames that back heap pages (the table itself while every page is mapped)."""
        if self.mapped == len(self.frames):
            return self.frames
        return self.frames[self.frames != UNMAPPED]

    def unmapped_runs(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Starts and sizes (int64) of the runs of unmapped pages, clipped to the bytes
        `[start, end)`: what a heap view draws as not mapped."""
        if self.mapped == len(self.frames):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        gone = np.r_[False, self.frames == UNMAPPED, False]
        edges = np.flatnonzero(gone[1:] != gone[:-1])
        firsts = self.page_base + edges[0::2] * PAGE_SIZE
        lasts = self.page_base + edges[1::2] * PAGE_SIZE
        firsts, lasts = np.maximum(firsts, start), np.minimum(lasts, end)
        return firsts.astype(np.int64), (lasts - firsts).astype(np.int64)

    def address(self, page: int) -> int:
        return self.page_base + page * PAGE_SIZE

    def lowest_unmapped(self, count: int, first: int, stop: int) -> int | None:
        """The lowest page of `[first, stop)` that starts `count` unmapped pages there,
        its address a multiple of `count` pages (a slab of 2**k pages is aligned to its
        size, as a buddy block is); None if there is none."""
        if count > stop - first:  # (a huge request: no `bytes(count)` to build)
            return None
        base, flags, hole = self.page_base // PAGE_SIZE, self._flags, bytes(count)
        at = first
        while True:
            at += (-(base + at)) % count  # the next aligned page
            found = flags.find(hole, at, stop)
            if found < 0 or found == at:
                return None if found < 0 else found
            at = found

    # Growing and shrinking

    def grow(self, first: int, count: int) -> PageGrant | None:
        """Map pages `[first, first + count)` to frames taken now; None, with nothing
        changed, when the frame allocator has not enough."""
        if self.blocks:
            event = self.allocator.allocate_frames_event(count)
        else:
            event = self.allocator.allocate_each_event(count)
        if event.failed:
            return None
        taken = event.frames_taken[:count]
        self._map(first, taken)
        return PageGrant(first, taken, event, True)

    def shrink(self, first: int, count: int) -> PageGrant:
        """Unmap pages `[first, first + count)`, their frames given back: a buddy's block
        at once, a bitmap's frames one by one."""
        taken = tuple(self.frames[first : first + count].tolist())
        if self.blocks:
            event = self.allocator.free_frame_event(Frame.from_number(taken[0]))
        else:
            event = self.allocator.free_each_event(taken)
        self._unmap(first, taken)
        return PageGrant(first, taken, event, False)

    def undo(self, grant: PageGrant) -> None:
        """Revert `grant`, the latest change of the frame allocator."""
        self.allocator.revert(grant.event)
        if grant.mapped:
            self._unmap(grant.first, grant.frames)
        else:
            self._map(grant.first, grant.frames)

    def _map(self, first: int, frames: tuple[int, ...]) -> None:
        if not self.frames.flags.writeable:
            self.frames = self.frames.copy()
        self.frames[first : first + len(frames)] = frames
        self._flags[first : first + len(frames)] = b"\x01" * len(frames)
        self.mapped += len(frames)

    def _unmap(self, first: int, frames: tuple[int, ...]) -> None:
        self.frames[first : first + len(frames)] = UNMAPPED
        self._flags[first : first + len(frames)] = bytes(len(frames))
        self.mapped -= len(frames)


def _unmapped(pages: int) -> np.ndarray:
    """A table of `pages` unmapped pages, read only and taking no memory until written."""
    return np.broadcast_to(np.int64(UNMAPPED), (pages,))


FRAMES_NAMED = 8
"""Frames a sentence names one by one at most; a run of consecutive ones is a range."""


def frames_words(frames: tuple[int, ...]) -> str:
    """ "frame 3", "frames 1, 2", "frames 0-1,023" (a run), or the first few and a count:
    a slab of 256 pages names no 256 frames."""
    count = len(frames)
    if count == 1:
        return f"frame {frames[0]:,}"
    if count > 2 and frames == tuple(range(frames[0], frames[0] + count)):
        return f"frames {frames[0]:,}-{frames[-1]:,}"
    named = ", ".join(f"{n:,}" for n in frames[:FRAMES_NAMED])
    more = f" and {count - FRAMES_NAMED:,} more" if count > FRAMES_NAMED else ""
    return f"frames {named}{more}"


def grant_note(grant: PageGrant, page_base: int, code_line: str) -> Note:
    """One sentence for a grant: which pages now map to which frames, or were unmapped."""
    count = len(grant.frames)
    start = page_base + grant.first * PAGE_SIZE
    frames = frames_words(grant.frames)
    where = (start, start + count * PAGE_SIZE)
    if grant.mapped:
        reason = f"{plural(count, 'page')} at {start:#x} mapped to {frames}"
    else:
        reason = (
            f"{plural(count, 'page')} at {start:#x} unmapped: {frames} given back to the "
            "frame allocator"
        )
    return Note("map" if grant.mapped else "unmap", reason, where, code_line)

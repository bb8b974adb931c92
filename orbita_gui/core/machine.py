"""One machine, two layers: physical memory, and the kernel heap that lives in it.

A machine is composed of a frame allocator and a heap allocator chosen by
name from the registry (`Machine(heap="free-list", heap_params={...})`). As
in the blog_os design the guide follows, the heap's virtual pages are mapped
to frames taken from the frame allocator, one `allocate_frame()` per page:
on a fresh allocator that is frames 0, 1, 2, ... in order, done in one step
by `map_heap_pages()`, an operation with its event (a machine maps them as it
boots, unless told not to). A heap that grows (the slab allocator, its
registry kind's `grows`) maps nothing at boot: it takes pages through the
machine's page table (`pages`) as it needs them. A frame that backs the heap
cannot be freed while the heap uses it: in a kernel that would hand the
heap's memory to someone else.

The machines supported (`check_machine`), what the New-machine dialog offers
and what a trace may ask for:

- memory from `MIN_MEMORY` (64 KiB) to `MAX_MEMORY` (16 GiB), a whole number
  of 4 KiB frames;
- a heap start aligned for a ListNode (8 bytes) and not 0, the null pointer;
- a heap size from `MIN_HEAP` (16 bytes, one ListNode) to `MAX_HEAP` (1 GiB),
  its end below 2**64;
- the pages the heap touches fit in memory with at least one frame to spare,
  so that `alloc-frame` has something to hand out.
"""

from __future__ import annotations

import numpy as np

from .addresses import FRAME_SIZE, U64_LIMIT, Frame
from .errors import FrameError, HeapFrameError, InvalidMachineError, cut
from .events import FRAMES, LIST_NODE_ALIGN, LIST_NODE_SIZE
from .pages import PAGE_SIZE, HeapPages, heap_pages
from .protocols import Event, FrameAllocator, HeapAllocator
from .registry import block_allocators, create
from .registry import kind as registry_kind
from .units import format_size

HEAP_START = 0x_4444_4444_0000
"""Where the kernel heap starts in virtual memory (the blog_os design the guide follows)."""

HEAP_SIZE = 100 * 1024
"""The kernel heap's default size: 100 KiB."""

MIN_MEMORY, MAX_MEMORY = 64 << 10, 16 << 30
"""Physical memory supported: 16 to 4,194,304 frames."""

MIN_HEAP, MAX_HEAP = LIST_NODE_SIZE, 1 << 30
"""Heap sizes supported: one ListNode to 1 GiB."""


def check_machine(memory_size: int, heap_start: int, heap_size: int) -> None:
    """Raise `InvalidMachineError`, saying what is wrong and what would do, unless the
    machine is one of those supported (see the module's docstring)."""
    for parameter, value in (
        ("memory_size", memory_size),
        ("heap_start", heap_start),
        ("heap_size", heap_size),
    ):
        if type(value) is not int:
            message = f"{parameter} must be an integer, not {cut(repr(value))}"
            raise InvalidMachineError(parameter, message)
    _check_heap(heap_start, heap_size)
    _check_memory(memory_size, heap_pages(heap_start, heap_size), heap_size)


def _check_heap(heap_start: int, heap_size: int) -> None:
    if not (0 < heap_start < U64_LIMIT and heap_start % LIST_NODE_ALIGN == 0):
        raise InvalidMachineError(
            "heap_start",
            f"heap start {_address(heap_start)} is not supported: give a nonzero address "
            f"below 2**64, a multiple of {LIST_NODE_ALIGN} (a ListNode's alignment)",
        )
    if not MIN_HEAP <= heap_size <= MAX_HEAP:
        raise InvalidMachineError(
            "heap_size",
            f"a heap of {_bytes(heap_size)} is not supported: the heap needs at least "
            f"{MIN_HEAP} bytes, one free-list node, and at most {format_size(MAX_HEAP)}",
        )
    if heap_start + heap_size >= U64_LIMIT:
        raise InvalidMachineError(
            "heap_size",
            f"a heap of {_bytes(heap_size)} at {heap_start:#x} overflows the 64-bit address "
            f"space: it may take at most {U64_LIMIT - 1 - heap_start:,} bytes there",
        )


def _check_memory(memory_size: int, pages: int, heap_size: int) -> None:
    """Memory in the supported range, with room for the heap's pages and a frame more."""
    if not (MIN_MEMORY <= memory_size <= MAX_MEMORY and memory_size % FRAME_SIZE == 0):
        raise InvalidMachineError(
            "memory_size",
            f"memory size {_bytes(memory_size)} is not supported: give "
            f"{format_size(MIN_MEMORY)} to {format_size(MAX_MEMORY)}, "
            "a whole number of 4 KiB frames",
        )
    frames = memory_size // FRAME_SIZE
    if pages >= frames:
        raise InvalidMachineError(
            "heap_size",
            f"a {_bytes(heap_size)} heap needs {pages:,} frames: memory is too small "
            f"({format_size(memory_size)} has {frames:,}, and the heap may take at most "
            f"{frames - 1:,}, leaving one for frames)",
        )


def machine_sizes(
    memory_size: int | None, heap_start: int | None, heap_size: int | None
) -> tuple[int, int, int]:
    """`(memory_size, heap_start, heap_size)` with defaults for what is not given (None;
    a 0 stays 0, for the check to refuse): the default heap at `HEAP_START`, and memory
    of 1 GiB, or the heap and 1 MiB more rounded up to a MiB if that is larger."""
    heap_start = HEAP_START if heap_start is None else heap_start
    heap_size = HEAP_SIZE if heap_size is None else heap_size
    if memory_size is None:
        memory_size = max(1 << 30, -(-(heap_size + (1 << 20)) // (1 << 20)) << 20)
    return memory_size, heap_start, heap_size


def _bytes(size: int) -> str:
    """`size` for a message, even if it is absurdly large or negative."""
    return format_size(size) if 0 <= size < U64_LIMIT else f"{size:#x} bytes"


def _address(address: int) -> str:
    return f"{address:#x}" if address.bit_length() <= 64 else "beyond 2**64"


class Machine:
    """A frame allocator, a heap allocator, and the page-to-frame mapping between them.

    Raises `InvalidMachineError` for a machine `check_machine` refuses.
    """

    def __init__(
        self,
        memory_size: int = 1 << 30,
        heap_start: int = HEAP_START,
        heap_size: int = HEAP_SIZE,
        *,
        heap: str = "guide",
        heap_params: dict | None = None,
        frames: str = "bitmap",
        boot: bool = True,
    ) -> None:
        check_machine(memory_size, heap_start, heap_size)
        self.frames: FrameAllocator = create(frames, memory_size=memory_size)
        self.heap: HeapAllocator = create(heap, **(heap_params or {}))
        self.heap.init(heap_start, heap_size)
        self.heap_kind = heap
        """The registry name the heap was made by (with `heap.params`, what remakes it)."""
        self.frames_kind = frames
        """The registry name the frame allocator was made by."""
        self.hands_out_blocks = registry_kind(frames).blocks
        """Its frame allocator hands out blocks of contiguous frames (a buddy): known
        once, not asked of the allocator's protocol at every operation."""
        self.page_base = heap_start - heap_start % PAGE_SIZE
        self.pages = HeapPages(
            self.frames, self.page_base, heap_pages(heap_start, heap_size), self.hands_out_blocks
        )
        """The heap's page table: which frame backs each page."""
        self.heap_grows = registry_kind(heap).grows
        """Its heap takes pages as it needs them, none at boot."""
        self._mapping: Event | None = None
        """The event that mapped the heap's pages, while they are mapped."""
        if self.heap_grows:
            self.heap.use_pages(self.pages)
        elif boot:
            self.map_heap_pages()

    @property
    def heap_frames(self) -> np.ndarray:
        """The frame backing each heap page, page 0 first (`pages.UNMAPPED`: none)."""
        return self.pages.frames

    def map_heap_pages(self) -> Event:
        """Map every page the heap touches to a frame, in order, as the kernel does
        when it starts its heap; `FrameError` for a heap that maps its own pages, or
        pages mapped already."""
        if self.heap_grows or self.pages.mapped:
            raise FrameError("the heap's pages are mapped already, or the heap maps its own")
        pages = heap_pages(self.heap.heap_start, self.heap.heap_size)
        event = self.frames.allocate_first_frames_event(pages, self.page_base)
        self.pages.map_boot(event.frames)
        self._mapping = event
        return event

    # Frames, guarded

    def free_frame_event(self, frame: Frame):
        """`free_frame`, refused for a frame that backs a heap page."""
        page = self.page_of_frame(frame.start_address.as_u64() // FRAME_SIZE)
        if page is not None and frame.start_address.as_u64() % FRAME_SIZE == 0:
            raise HeapFrameError(
                f"{frame} backs heap page {self.page_address(page):#_x}: "
                "it cannot be freed while the heap uses it"
            )
        return self.frames.free_frame_event(frame)

    def allocate_frames_event(self, count: int) -> Event:
        """`count` contiguous frames, from a frame allocator that hands out blocks (a
        buddy allocator); `FrameError` from one that hands out a frame at a time."""
        if not self.hands_out_blocks:
            raise FrameError(
                f"the {self.frames_kind} frame allocator hands out one frame at a time: "
                f"{count:,} contiguous frames need one that hands out blocks "
                f"({', '.join(block_allocators())})"
            )
        return self.frames.allocate_frames_event(count)

    def revert(self, event: Event) -> None:
        """Undo the latest operation, on whichever allocator made it."""
        (self.frames if event.layer == FRAMES else self.heap).revert(event)
        if event is self._mapping:  # (each frame allocator maps pages with its own event)
            self.pages.unmap_boot()
            self._mapping = None

    # The mapping

    def page_address(self, page: int) -> int:
        """Virtual address of heap page `page`."""
        return self.page_base + page * PAGE_SIZE

    def page_of_frame(self, frame_number: int) -> int | None:
        """The heap page a frame backs, or None."""
        return self.pages.page_of(frame_number)

    def frames_under(self, start: int, size: int) -> np.ndarray:
        """Frame numbers backing the heap bytes `[start, start + size)` (unmapped pages
        left out)."""
        first = (start - self.page_base) // PAGE_SIZE
        last = (start + max(size, 1) - 1 - self.page_base) // PAGE_SIZE
        frames = self.heap_frames[max(first, 0) : last + 1]
        return frames if self.pages.mapped == len(self.heap_frames) else frames[frames >= 0]

    def heap_range_of_frame(self, frame_number: int) -> tuple[int, int] | None:
        """`(start, end)` of the heap bytes inside a frame, or None if it backs no heap page."""
        page = self.page_of_frame(frame_number)
        if page is None:
            return None
        start = max(self.page_address(page), self.heap.heap_start)
        end = min(self.page_address(page + 1), self.heap.heap_start + self.heap.heap_size)
        return start, end

"""One machine, two layers: physical memory, and the kernel heap that lives in it.

As in the blog_os design the guide follows, the heap's virtual pages are
mapped, when the heap is initialised, to frames taken from the frame
allocator, one `allocate_frame()` per page. A frame that backs the heap
cannot be freed while the heap uses it: in a kernel that would hand the
heap's memory to someone else.
"""

from __future__ import annotations

import numpy as np

from .addresses import FRAME_SIZE, Frame
from .errors import HeapFrameError, InvalidHeapRegionError
from .events import Event, FrameAllocation, FrameRelease
from .frames import FrameAllocator
from .heap import HEAP_SIZE, HEAP_START, LinkedListAllocator

PAGE_SIZE = FRAME_SIZE
"""A virtual page is as big as a physical frame."""


class Machine:
    """A frame allocator, a heap allocator, and the page-to-frame mapping between them."""

    def __init__(
        self, memory_size: int = 1 << 30, heap_start: int = HEAP_START, heap_size: int = HEAP_SIZE
    ) -> None:
        frames = FrameAllocator(memory_size)
        heap = LinkedListAllocator()
        heap.init(heap_start, heap_size)
        self.page_base = heap_start - heap_start % PAGE_SIZE
        pages = -(-(heap_start + heap_size - self.page_base) // PAGE_SIZE)
        if pages > frames.total_frames:
            raise InvalidHeapRegionError(
                f"a {heap_size:,}-byte heap needs {pages:,} frames; memory has "
                f"{frames.total_frames:,}"
            )
        self.frames, self.heap = frames, heap
        self.heap_frames = np.array(
            [frames.allocate_frame().number for _ in range(pages)], dtype=np.int64
        )
        """Frame number backing each heap page, page 0 first."""
        self._page_of_frame = {int(f): page for page, f in enumerate(self.heap_frames)}

    # Frames, guarded

    def free_frame_event(self, frame: Frame) -> FrameRelease:
        """`free_frame`, refused for a frame that backs a heap page."""
        page = self._page_of_frame.get(frame.start_address.as_u64() // FRAME_SIZE)
        if page is not None and frame.start_address.as_u64() % FRAME_SIZE == 0:
            raise HeapFrameError(
                f"{frame} backs heap page {self.page_address(page):#_x}: "
                "it cannot be freed while the heap uses it"
            )
        return self.frames.free_frame_event(frame)

    def revert(self, event: Event) -> None:
        """Undo the latest operation, on whichever allocator made it."""
        target = self.frames if isinstance(event, FrameAllocation | FrameRelease) else self.heap
        target.revert(event)

    # The mapping

    def page_address(self, page: int) -> int:
        """Virtual address of heap page `page`."""
        return self.page_base + page * PAGE_SIZE

    def page_of_frame(self, frame_number: int) -> int | None:
        """The heap page a frame backs, or None."""
        return self._page_of_frame.get(frame_number)

    def frames_under(self, start: int, size: int) -> np.ndarray:
        """Frame numbers backing the heap bytes `[start, start + size)`."""
        first = (start - self.page_base) // PAGE_SIZE
        last = (start + max(size, 1) - 1 - self.page_base) // PAGE_SIZE
        return self.heap_frames[max(first, 0) : last + 1]

    def heap_range_of_frame(self, frame_number: int) -> tuple[int, int] | None:
        """`(start, end)` of the heap bytes inside a frame, or None if it backs no heap page."""
        page = self._page_of_frame.get(frame_number)
        if page is None:
            return None
        start = max(self.page_address(page), self.heap.heap_start)
        end = min(self.page_address(page + 1), self.heap.heap_start + self.heap.heap_size)
        return start, end

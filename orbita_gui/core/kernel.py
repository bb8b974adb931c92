"""The guide's global allocators and the free functions that reach them.

In the kernel these are statics behind a spin lock; here they are module
globals, for notebooks and scripts that want to type the guide's examples.
The application itself makes its own allocator objects.
"""

from __future__ import annotations

from .addresses import Frame
from .allocators.bitmap_frames import FrameAllocator
from .allocators.free_list_heap import LinkedListAllocator
from .layout import Layout
from .stats import HeapStats

FRAME_ALLOCATOR: FrameAllocator | None = None
"""The global frame allocator; None until `init_frame_allocator`."""


def init_frame_allocator(memory_size: int) -> None:
    """Initialize the global frame allocator with `memory_size` bytes."""
    global FRAME_ALLOCATOR
    FRAME_ALLOCATOR = FrameAllocator(memory_size)


def allocate_frame() -> Frame | None:
    """Allocate a frame from the global allocator; None if it is not initialised."""
    return None if FRAME_ALLOCATOR is None else FRAME_ALLOCATOR.allocate_frame()


def free_frame(frame: Frame) -> None:
    """Free a frame to the global allocator; nothing if it is not initialised."""
    if FRAME_ALLOCATOR is not None:
        FRAME_ALLOCATOR.free_frame(frame)


class HeapAllocator:
    """The guide's `GlobalAlloc` wrapper around one `LinkedListAllocator`."""

    def __init__(self) -> None:
        self.allocator = LinkedListAllocator()

    def init(self, heap_start: int, heap_size: int) -> None:
        self.allocator.init(heap_start, heap_size)

    def alloc(self, layout: Layout) -> int | None:
        return self.allocator.allocate(layout)

    def dealloc(self, ptr: int, layout: Layout) -> None:
        self.allocator.deallocate(ptr, layout)


ALLOCATOR = HeapAllocator()
"""The global heap allocator (`#[global_allocator]`)."""


def init_heap(heap_start: int, heap_size: int) -> None:
    """Initialize the kernel heap."""
    ALLOCATOR.init(heap_start, heap_size)


def heap_stats() -> HeapStats:
    """The global heap's statistics, tracked for real (the guide returns zeros)."""
    return ALLOCATOR.allocator.stats()

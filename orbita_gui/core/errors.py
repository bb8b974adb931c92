"""One exception hierarchy for every request the allocators refuse.

An allocator that raises one of these has changed nothing: each check runs
before the first write. Messages name the problem and the values involved, so
the application can show them as they are.
"""


class OrbitaError(Exception):
    """Base of every error the core raises on bad input."""


class AddressOverflowError(OrbitaError):
    """An address or a size does not fit in the 64-bit address space."""


# Frames


class FrameError(OrbitaError):
    """A request to the frame allocator that cannot be honoured."""


class InvalidMemorySizeError(FrameError):
    """The memory size holds no 4 KiB frame (zero, negative, or too small)."""


class FrameOutOfRangeError(FrameError):
    """A frame address lies beyond the end of physical memory."""


class MisalignedFrameError(FrameError):
    """A frame address is not a multiple of the frame size."""


class FrameDoubleFreeError(FrameError):
    """A frame that is not allocated was freed (the guide ignores this silently)."""


class HeapFrameError(FrameError):
    """A frame that backs a heap page was freed while the heap uses it."""


# Heap


class HeapError(OrbitaError):
    """A request to the heap allocator that cannot be honoured."""


class LayoutError(HeapError):
    """A layout Rust's `Layout::from_size_align` would refuse."""


class InvalidHeapRegionError(HeapError):
    """The heap region is misaligned, too small for a list node, or overflows."""


class InvalidFreeError(HeapError):
    """A pointer that is not a live allocation was deallocated (double or wild free)."""


class LayoutMismatchError(HeapError):
    """A live allocation was deallocated with a layout other than its own."""


class RevertError(OrbitaError):
    """An event was reverted out of order: it is not the latest one applied."""

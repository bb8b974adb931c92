"""One exception hierarchy for every request the allocators refuse.

An allocator that raises one of these has changed nothing: each check runs
before the first write. Messages name the problem and the values involved, so
the application can show them as they are.
"""

ECHO_LIMIT = 40
"""Characters of a user's text echoed in a message, at most."""


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` shortened to `limit` characters with an ellipsis: a message stays readable
    when the offending input is a megabyte long."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


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


class InvalidMachineError(OrbitaError):
    """A machine outside the supported limits (see `core.machine`).

    `parameter` names the argument at fault, `"memory_size"`, `"heap_start"` or
    `"heap_size"`, so that a trace reader can point at the text that gave it.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class RevertError(OrbitaError):
    """An event was reverted out of order: it is not the latest one applied."""


class InvalidParameterError(OrbitaError):
    """An allocator's parameter that is not one it takes (a fit, an order, a size)."""

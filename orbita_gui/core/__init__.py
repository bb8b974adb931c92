"""The Orbita OS memory allocators in pure Python: no Qt, usable from any script.

>>> from orbita_gui.core import FrameAllocator, LinkedListAllocator, Layout
>>> frames = FrameAllocator(1 << 30)
>>> frames.allocate_frame()
Frame(0x0)
>>> heap = LinkedListAllocator()
>>> heap.init(0x4444_4444_0000, 100 * 1024)
>>> hex(heap.allocate(Layout(24, 8)))
'0x444444440000'
"""

from .addresses import FRAME_SIZE, Frame, PhysAddr, align_up
from .allocators.bitmap_frames import FrameAllocator
from .allocators.frame_bytes import FREE, USED
from .allocators.free_list_heap import FreeListHeap, LinkedListAllocator
from .allocators.heap_rules import HeapRules
from .errors import (
    AddressOverflowError,
    FrameDoubleFreeError,
    FrameError,
    FrameOutOfRangeError,
    HeapError,
    HeapFrameError,
    InvalidFreeError,
    InvalidHeapRegionError,
    InvalidMachineError,
    InvalidMemorySizeError,
    InvalidParameterError,
    LayoutError,
    LayoutMismatchError,
    MisalignedFrameError,
    OrbitaError,
    RevertError,
)
from .events import (
    Allocation,
    Event,
    FrameAllocation,
    FrameRelease,
    FrameScan,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
    LeftoverPushed,
    Merged,
    PaddingLost,
    PagesMapped,
    RegionVisit,
    Verdict,
    VisitsNotKept,
)
from .layout import Layout
from .machine import (
    HEAP_SIZE,
    HEAP_START,
    MAX_HEAP,
    MAX_MEMORY,
    MIN_HEAP,
    MIN_MEMORY,
    PAGE_SIZE,
    Machine,
    check_machine,
)
from .registry import create, kinds
from .stats import HeapStats, MemoryStats

__all__ = [
    "FRAME_SIZE",
    "FREE",
    "HEAP_SIZE",
    "HEAP_START",
    "MAX_HEAP",
    "MAX_MEMORY",
    "MIN_HEAP",
    "MIN_MEMORY",
    "PAGE_SIZE",
    "USED",
    "AddressOverflowError",
    "Allocation",
    "Event",
    "Frame",
    "FrameAllocation",
    "FrameAllocator",
    "FrameDoubleFreeError",
    "FrameError",
    "FrameOutOfRangeError",
    "FrameRelease",
    "FrameScan",
    "FreeListHeap",
    "HeapAllocation",
    "HeapError",
    "HeapFrameError",
    "HeapReallocation",
    "HeapRelease",
    "HeapRules",
    "HeapStats",
    "InvalidFreeError",
    "InvalidHeapRegionError",
    "InvalidMachineError",
    "InvalidMemorySizeError",
    "InvalidParameterError",
    "Layout",
    "LayoutError",
    "LayoutMismatchError",
    "LeftoverPushed",
    "LinkedListAllocator",
    "Machine",
    "MemoryStats",
    "Merged",
    "MisalignedFrameError",
    "OrbitaError",
    "PaddingLost",
    "PagesMapped",
    "PhysAddr",
    "RegionVisit",
    "RevertError",
    "Verdict",
    "VisitsNotKept",
    "align_up",
    "check_machine",
    "create",
    "kinds",
]

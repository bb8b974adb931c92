"""What every allocator and every event of the family answers, whatever its kind.

Code outside the core reads allocators and events through these protocols
only: a new allocator that meets them needs no change anywhere else. They are
structural (`typing.Protocol`): an allocator does not inherit from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from .events import Allocation
from .layout import Layout
from .stats import HeapStats, MemoryStats


@runtime_checkable
class Step(Protocol):
    """One step of an operation, as the narration and the code panel tell it."""

    kind: str
    """"scan", "pass-over", "choose", "padding", "push", "merge", "free", ..."""
    reason: str
    """One sentence a student can read: why this step went as it did."""
    where: tuple[int, int] | None
    """The address range it concerns, `[start, end)`, for highlighting; None if none."""
    code_line: str | None
    """A label in the allocator's source listing (the guide's function names)."""


@runtime_checkable
class Event(Protocol):
    """One operation: what it did, why, and what changed."""

    failed: bool
    """Nothing changed: out of memory, or no region fits."""
    layer: str
    """Which allocator of the machine made it, and reverts it: "frames" or "heap"."""
    frames_taken: tuple[int, ...]
    frames_given: tuple[int, ...]
    blocks_made: tuple[Allocation, ...]
    blocks_freed: tuple[Allocation, ...]
    search: object | None
    """The heap search it made, if any, for the views that show searches."""
    frame_events: tuple
    """The frame allocator's own events this heap operation caused, oldest first (a
    slab's pages taken or given back); none for most."""

    def describe(self) -> str:
        """The operation and its result in one line, as the log prints it."""
        ...

    @property
    def steps(self) -> Sequence[Step]:
        """The steps that explain it, built when read."""
        ...


class Allocator(Protocol):
    """What both layers' allocators share."""

    kind: str
    """The registry's name for this kind of allocator."""

    @property
    def params(self) -> Mapping[str, object]:
        """The parameters it was made with, as `registry.create` takes them."""
        ...

    def revert(self, event: Event) -> None:
        """Undo the latest operation exactly; `RevertError` if `event` is not it."""
        ...


@runtime_checkable
class FrameAllocator(Allocator, Protocol):
    """Physical memory in 4 KiB frames."""

    total_frames: int
    used_frames: int

    def allocate_frame_event(self) -> Event: ...

    def free_frame_event(self, frame) -> Event: ...

    def allocate_first_frames_event(self, count: int, page_base: int = 0) -> Event:
        """Take frames 0 to `count - 1` of a fresh allocator, for the heap's pages."""
        ...

    def stats(self) -> MemoryStats: ...

    def bitmap(self) -> np.ndarray:
        """One uint8 per frame, 0 free and 1 used, read only (what the grid draws)."""
        ...


@runtime_checkable
class BlockFrameAllocator(FrameAllocator, Protocol):
    """A frame allocator that also hands out blocks of contiguous frames (a buddy)."""

    top_order: int
    """Blocks have 2**order frames, order 0 to this."""

    def allocate_frames_event(self, count: int) -> Event:
        """`count` contiguous frames (a block may hold more); a failed event if none."""
        ...

    def live_blocks(self) -> Mapping[int, int]:
        """Frames asked for by each live block, by its first frame."""
        ...

    def block_order(self, frame_number: int) -> int | None:
        """The order of the live block that starts at `frame_number`, or None."""
        ...

    def block_start(self, frame_number: int) -> int | None:
        """The first frame of the live block that holds `frame_number`, or None."""
        ...

    def free_blocks(self, order: int) -> Sequence[int]:
        """First frames of the free blocks of `order`, lowest first."""
        ...


@runtime_checkable
class HeapAllocator(Allocator, Protocol):
    """A heap of bytes handing out blocks."""

    heap_start: int
    heap_size: int

    def init(self, heap_start: int, heap_size: int) -> None: ...

    def allocate_event(self, layout: Layout) -> Event: ...

    def deallocate_event(self, ptr: int, layout: Layout) -> Event: ...

    def realloc_event(self, ptr: int, layout: Layout, new_size: int) -> Event: ...

    def stats(self) -> HeapStats: ...

    @property
    def requested(self) -> int:
        """Bytes the live blocks were asked for."""
        ...

    def allocations(self) -> Mapping[int, Allocation]:
        """The live blocks by address."""
        ...

    def free_region_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The free structure in its own order: starts and sizes, head first."""
        ...


class SizeClass(NamedTuple):
    """One size class of a heap that keeps a free list per class: its name ("64 B",
    "129-256 B", "larger: the fallback's list"), and its free blocks in list order."""

    label: str
    starts: Sequence[int]
    sizes: Sequence[int]


@runtime_checkable
class SizeClassHeap(HeapAllocator, Protocol):
    """A heap whose free blocks wait in one list per size class (fixed-size blocks,
    segregated lists): what its picture draws, a row per class."""

    def size_classes(self) -> Sequence[SizeClass]:
        """Every class, smallest first, its free blocks head first (empty ones too)."""
        ...


@runtime_checkable
class GrowingHeap(HeapAllocator, Protocol):
    """A heap that maps pages of its range as it needs them (the slab allocator): the
    machine gives it its page table, and maps nothing at boot."""

    def use_pages(self, pages) -> None:
        """Take pages from `pages` (a `core.pages.HeapPages`) from now on."""
        ...

    def describe_page(self, page: int) -> str:
        """What heap page `page` holds, in a sentence (a frame's tooltip says it)."""
        ...

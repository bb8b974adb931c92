"""What every heap of the family refuses before it changes anything: a heap region it
cannot hold, and a free of a block it did not hand out (the guide's code trusts its
caller with both; here a mistake is a message, not a corrupt heap)."""

from __future__ import annotations

from collections.abc import Mapping

from ..addresses import U64_LIMIT
from ..errors import InvalidFreeError, InvalidHeapRegionError, LayoutMismatchError
from ..events import Allocation
from ..layout import Layout


def check_region(heap, heap_start: int, heap_size: int, align: int, least: int, node: bool):
    """Refuse `heap.init(heap_start, heap_size)` for an initialised heap, or a region not
    `align`-aligned, under `least` bytes (`node`: a ListNode's size) or past 2**64."""
    if heap.initialised:
        raise InvalidHeapRegionError(
            f"the heap is already initialised at {heap.heap_start:#x}; make a new allocator"
        )
    if type(heap_start) is not int or type(heap_size) is not int:
        raise InvalidHeapRegionError(
            f"heap start and size must be integers, not {heap_start!r}, {heap_size!r}"
        )
    if heap_start < 0 or heap_start % align:
        raise InvalidHeapRegionError(
            f"heap start {heap_start:#x} is not {align}-byte aligned for a ListNode"
        )
    if heap_size < least:
        raise InvalidHeapRegionError(
            f"heap size {heap_size} is under {least} bytes"
            + (", the size of a ListNode" if node else "")
        )
    if heap_start + heap_size >= U64_LIMIT:
        raise InvalidHeapRegionError(
            f"heap {heap_start:#x} + {heap_size:#x} overflows the 64-bit address space"
        )


def live_block(live: Mapping[int, Allocation], ptr: int, layout: Layout) -> Allocation:
    """The live block at `ptr`, allocated with `layout`; else a double or wild free, or
    another layout, refused."""
    block = live.get(ptr)
    if block is None:
        where = f"{ptr:#x}" if isinstance(ptr, int) else repr(ptr)
        raise InvalidFreeError(f"{where} is not a live allocation: double free or wild pointer")
    if block.layout != layout:
        raise LayoutMismatchError(f"{ptr:#x} was allocated with {block.layout}, not {layout}")
    return block

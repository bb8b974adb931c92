import tracemalloc

import numpy as np
import pytest

from orbita_gui.core import (
    FRAME_SIZE,
    HEAP_SIZE,
    HEAP_START,
    Frame,
    FrameAllocator,
    HeapFrameError,
    Layout,
    Machine,
)
from orbita_gui.core.errors import FrameError, InvalidMachineError
from orbita_gui.core.machine import MAX_HEAP, MAX_MEMORY, MIN_HEAP, MIN_MEMORY, check_machine


def test_the_heap_pages_take_the_first_frames_in_order():
    machine = Machine()
    assert machine.heap_frames.tolist() == list(range(25))  # 100 KiB = 25 pages
    assert machine.frames.stats().used_frames == 25
    assert machine.frames.next_free == 25
    assert machine.page_base == HEAP_START


def test_mapping_between_heap_bytes_and_frames():
    machine = Machine()
    ptr = machine.heap.allocate(Layout(5000, 8))  # spans pages 0 and 1
    assert machine.frames_under(ptr, 5000).tolist() == [0, 1]
    assert machine.frames_under(HEAP_START + 3 * FRAME_SIZE + 10, 1).tolist() == [3]
    assert machine.heap_range_of_frame(3) == (HEAP_START + 0x3000, HEAP_START + 0x4000)
    assert machine.heap_range_of_frame(24) == (HEAP_START + 0x18000, HEAP_START + HEAP_SIZE)
    assert machine.heap_range_of_frame(25) is None
    assert machine.page_of_frame(7) == 7
    assert machine.page_address(2) == HEAP_START + 0x2000


def test_a_heap_start_inside_a_page_maps_every_page_it_touches():
    machine = Machine(1 << 20, heap_start=0x10_0800, heap_size=FRAME_SIZE)
    assert machine.page_base == 0x10_0000
    assert len(machine.heap_frames) == 2
    assert machine.heap_range_of_frame(0) == (0x10_0800, 0x10_1000)


def test_frames_behind_the_heap_cannot_be_freed():
    machine = Machine()
    with pytest.raises(HeapFrameError, match=r"Frame\(0x3000\) backs heap page 0x4444_4444_3000"):
        machine.free_frame_event(Frame.from_number(3))
    assert machine.frames.is_frame_used(3)
    frame = machine.frames.allocate_frame()
    assert machine.free_frame_event(frame).frame_number == 25


def test_a_heap_larger_than_memory_is_refused():
    with pytest.raises(InvalidMachineError, match="needs 32 frames: memory is too small") as e:
        Machine(16 * FRAME_SIZE, heap_size=32 * FRAME_SIZE)
    assert e.value.parameter == "heap_size"


def test_the_limits_are_the_documented_ones():
    assert (MIN_MEMORY, MAX_MEMORY, MIN_HEAP, MAX_HEAP) == (64 << 10, 16 << 30, 16, 1 << 30)


@pytest.mark.parametrize(
    ("memory", "start", "size"),
    [
        (MIN_MEMORY, HEAP_START, 15 * FRAME_SIZE),  # 16 frames: 15 for the heap, 1 spare
        (MIN_MEMORY, 8, MIN_HEAP),
        (MAX_MEMORY, HEAP_START, MAX_HEAP),
        (1 << 20, (1 << 64) - 4096 - 16, 16),  # ends just below 2**64
    ],
)
def test_the_machines_at_the_limits_are_built(memory, start, size):
    machine = Machine(memory, start, size)
    assert (machine.heap.heap_start, machine.heap.heap_size) == (start, size)


@pytest.mark.parametrize(
    ("memory", "start", "size", "parameter", "message"),
    [
        (0, HEAP_START, 4096, "memory_size", "memory size 0 B is not supported: give 64 KiB"),
        (MIN_MEMORY - FRAME_SIZE, HEAP_START, 4096, "memory_size", "give 64 KiB to 16 GiB"),
        (MIN_MEMORY + 1, HEAP_START, 4096, "memory_size", "a whole number of 4 KiB frames"),
        (MAX_MEMORY + FRAME_SIZE, HEAP_START, 4096, "memory_size", "give 64 KiB to 16 GiB"),
        (1 << 20, 0, 4096, "heap_start", "heap start 0x0 is not supported: give a nonzero"),
        (1 << 20, 0x1004, 4096, "heap_start", "a multiple of 8"),
        (1 << 20, -8, 4096, "heap_start", "a multiple of 8"),
        (1 << 20, 1 << 64, 4096, "heap_start", r"below 2\*\*64"),
        (1 << 20, HEAP_START, 8, "heap_size", "needs at least 16 bytes"),
        (1 << 20, HEAP_START, 0, "heap_size", "needs at least 16 bytes"),
        (MAX_MEMORY, HEAP_START, MAX_HEAP + 1, "heap_size", "at most 1 GiB"),
        (1 << 30, 0xFFFF_FFFF_FFFF_F000, 1 << 20, "heap_size", "overflows the 64-bit"),
        (MIN_MEMORY, HEAP_START, 16 * FRAME_SIZE, "heap_size", "memory is too small"),
        (MIN_MEMORY, HEAP_START + 8, 15 * FRAME_SIZE, "heap_size", "at most 15, leaving one"),
        (1.5, HEAP_START, 4096, "memory_size", "must be an integer"),
        (True, HEAP_START, 4096, "memory_size", "must be an integer"),
    ],
)
def test_unsupported_machines_are_refused_with_what_would_do(
    memory, start, size, parameter, message
):
    with pytest.raises(InvalidMachineError, match=message) as caught:
        check_machine(memory, start, size)
    assert caught.value.parameter == parameter
    with pytest.raises(InvalidMachineError):
        Machine(memory, start, size)


def test_the_largest_machine_is_built_at_once():
    tracemalloc.start()
    try:
        machine = Machine(MAX_MEMORY, HEAP_START, MAX_HEAP)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # One Python object and one dict entry per page took 30 MB (and seconds: bench/frames.py).
    assert peak < 8 << 20  # the bitmap (4 MiB) and heap_frames (2 MiB)
    pages = MAX_HEAP // FRAME_SIZE
    assert len(machine.heap_frames) == pages and machine.heap_frames[-1] == pages - 1
    assert machine.frames.used_frames == machine.frames.next_free == pages
    assert machine.page_of_frame(pages - 1) == pages - 1 and machine.page_of_frame(pages) is None
    assert machine.frames.allocate_frame() == Frame.from_number(pages)


@pytest.mark.parametrize("pages", [1, 2, 25, 255])
def test_the_bulk_mapping_is_the_per_frame_loop(pages):
    machine = Machine(1 << 20, HEAP_START, pages * FRAME_SIZE)
    by_hand = FrameAllocator(1 << 20)
    numbers = [by_hand.allocate_frame().number for _ in range(pages)]
    assert machine.heap_frames.tolist() == numbers
    assert np.array_equal(machine.frames.bitmap(), by_hand.bitmap())
    assert (machine.frames.next_free, machine.frames.used_frames) == (
        by_hand.next_free,
        by_hand.used_frames,
    )
    assert [machine.page_of_frame(n) for n in range(-1, 257)] == [None] + numbers + [None] * (
        257 - pages
    )


def test_bulk_allocation_needs_a_fresh_allocator():
    frames = FrameAllocator(1 << 20)
    frames.allocate_frame()
    with pytest.raises(FrameError, match="fresh allocator"):
        frames.allocate_first_frames_event(3)


def test_revert_goes_to_the_allocator_that_made_the_event():
    machine = Machine()
    frame_event = machine.frames.allocate_frame_event()
    heap_event = machine.heap.allocate_event(Layout(64, 8))
    machine.revert(heap_event)
    machine.revert(frame_event)
    assert machine.frames.next_free == 25
    assert machine.heap.free_regions() == [(HEAP_START, HEAP_SIZE)]

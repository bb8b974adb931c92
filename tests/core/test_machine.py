import pytest

from orbita_gui.core import (
    FRAME_SIZE,
    HEAP_SIZE,
    HEAP_START,
    Frame,
    HeapFrameError,
    InvalidHeapRegionError,
    Layout,
    Machine,
)


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
    with pytest.raises(InvalidHeapRegionError, match="needs 32 frames; memory has 16"):
        Machine(16 * FRAME_SIZE, heap_size=32 * FRAME_SIZE)


def test_revert_goes_to_the_allocator_that_made_the_event():
    machine = Machine()
    frame_event = machine.frames.allocate_frame_event()
    heap_event = machine.heap.allocate_event(Layout(64, 8))
    machine.revert(heap_event)
    machine.revert(frame_event)
    assert machine.frames.next_free == 25
    assert machine.heap.free_regions() == [(HEAP_START, HEAP_SIZE)]

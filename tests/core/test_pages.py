"""The heap's page table: pages mapped to frames as a heap grows, given back as it
shrinks, and both undone exactly; and the bitmap's runs of `allocate_frame` and
`free_frame` calls in one event, equal to the calls one by one."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orbita_gui.core import Layout, Machine
from orbita_gui.core.addresses import Frame
from orbita_gui.core.allocators.bitmap_frames import FrameAllocator
from orbita_gui.core.allocators.buddy_frames import BuddyFrames
from orbita_gui.core.errors import FrameError, RevertError
from orbita_gui.core.pages import PAGE_SIZE, UNMAPPED, HeapPages, frames_words
from orbita_gui.core.protocols import GrowingHeap

BASE = 0x4444_4444_0000


def table(frames="bitmap", pages=16, memory=64):
    allocator = (FrameAllocator if frames == "bitmap" else BuddyFrames)(memory * PAGE_SIZE)
    return HeapPages(allocator, BASE, pages, frames == "buddy")


def test_pages_grow_on_frames_taken_one_per_page_and_shrink_giving_them_back():
    pages = table()
    pages.allocator.allocate_frame_event()  # frame 0 is someone else's
    grant = pages.grow(4, 3)
    assert grant.frames == (1, 2, 3) and pages.frames[4:7].tolist() == [1, 2, 3]
    assert pages.mapped == 3 and pages.page_of(2) == 5 and pages.page_of(0) is None
    assert pages.mapped_frames().tolist() == [1, 2, 3]
    back = pages.shrink(4, 3)
    assert back.frames == (1, 2, 3) and pages.mapped == 0
    assert pages.allocator.bitmap().tolist()[:5] == [1, 0, 0, 0, 0]
    assert pages.allocator.next_free == 1  # as free_frame of each would leave it


def test_undo_puts_the_frames_and_the_table_back_latest_first():
    pages = table()
    grown = pages.grow(0, 2)
    shrunk = pages.shrink(0, 2)
    pages.undo(shrunk)
    assert pages.frames[:2].tolist() == [0, 1] and pages.allocator.used_frames == 2
    pages.undo(grown)
    assert (pages.frames == UNMAPPED).all() and pages.allocator.used_frames == 0
    assert pages.allocator.next_free == 0


def test_a_buddy_backs_a_run_of_pages_with_one_block():
    pages = table("buddy")
    grant = pages.grow(8, 4)
    assert grant.frames == (0, 1, 2, 3) and pages.allocator.block_order(0) == 2
    pages.shrink(8, 4)
    assert pages.allocator.used_frames == 0


def test_growing_fails_changing_nothing_when_frames_run_short():
    pages = table(memory=4)
    pages.allocator.allocate_frame_event()
    before = bytes(pages.allocator.bitmap())
    assert pages.grow(0, 4) is None
    assert bytes(pages.allocator.bitmap()) == before and pages.mapped == 0


def test_the_lowest_unmapped_run_is_aligned_to_its_size():
    pages = table()
    pages.grow(1, 1)
    assert pages.lowest_unmapped(1, 0, 16) == 0
    assert pages.lowest_unmapped(2, 0, 16) == 2  # 0-1 holds page 1
    assert pages.lowest_unmapped(4, 0, 16) == 4
    assert pages.lowest_unmapped(4, 0, 7) is None
    assert pages.lowest_unmapped(16, 0, 16) is None


def test_unmapped_runs_are_the_gaps_between_mapped_pages_clipped_to_the_heap():
    pages = table(pages=8)
    pages.grow(2, 2)
    starts, sizes = pages.unmapped_runs(BASE + 100, BASE + 8 * PAGE_SIZE - 100)
    assert starts.tolist() == [BASE + 100, BASE + 4 * PAGE_SIZE]
    assert sizes.tolist() == [2 * PAGE_SIZE - 100, 4 * PAGE_SIZE - 100]


def test_a_heap_mapped_at_boot_keeps_its_page_n_to_frame_n():
    machine = Machine(1 << 20)
    assert machine.pages.page_of(3) == 3 and machine.pages.page_of(25) is None
    assert machine.pages.unmapped_runs(0, 1 << 60)[0].size == 0


def test_a_slab_machine_maps_nothing_at_boot_and_its_frames_cannot_be_freed_by_hand():
    machine = Machine(1 << 20, heap="slab")
    assert machine.pages.mapped == 0 and machine.frames.used_frames == 0
    machine.heap.allocate_event(Layout(24, 8))
    assert machine.page_of_frame(0) == 0 and machine.heap_frames[0] == 0
    with pytest.raises(FrameError, match="backs heap page"):
        machine.free_frame_event(Frame.from_number(0))


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 9), st.randoms()), max_size=30))
def test_runs_of_calls_in_one_event_equal_the_calls_one_by_one_and_revert(script):
    """allocate_each_event(n) is n calls of allocate_frame; free_each_event, free_frame of
    each; each undone by revert back to the state before it."""
    run, one = FrameAllocator(48 * PAGE_SIZE), FrameAllocator(48 * PAGE_SIZE)
    for taking, count, rng in script:
        before = (bytes(run.bitmap()), run.next_free, run.used_frames)
        if taking:
            event = run.allocate_each_event(count)
            enough = one.total_frames - one.used_frames >= count
            expected = [one.allocate_frame_event().frame_number for _ in range(count * enough)]
            assert list(event.frames) == expected
        else:
            used = np.flatnonzero(one.bitmap()).tolist()
            chosen = rng.sample(used, min(count, len(used)))
            if not chosen:
                continue
            event = run.free_each_event(tuple(chosen))
            for number in chosen:
                one.free_frame_event(Frame.from_number(number))
        assert (bytes(run.bitmap()), run.next_free) == (bytes(one.bitmap()), one.next_free)
        if rng.random() < 0.3:
            run.revert(event)
            assert (bytes(run.bitmap()), run.next_free, run.used_frames) == before
            return  # the calls one by one have no undo to follow


def test_a_run_refuses_a_frame_not_allocated_and_an_undo_out_of_turn():
    frames = FrameAllocator(16 * PAGE_SIZE)
    taken = frames.allocate_each_event(3)
    with pytest.raises(FrameError, match="not allocated"):
        frames.free_each_event((1, 5))
    assert frames.used_frames == 3
    later = frames.allocate_frame_event()
    with pytest.raises(RevertError):
        frames.revert(taken)
    frames.revert(later)
    frames.revert(taken)
    assert frames.used_frames == 0


def test_a_run_of_consecutive_frames_is_freed_at_once_and_checked_first():
    frames = FrameAllocator(16 * PAGE_SIZE)
    frames.allocate_each_event(6)
    run = frames.free_each_event((1, 2, 3))
    assert frames.bitmap().tolist()[:6] == [1, 0, 0, 0, 1, 1] and frames.next_free == 1
    before = bytes(frames.bitmap())
    with pytest.raises(FrameError, match=r"frame 3\b.*not allocated"):
        frames.free_each_event((3, 4))
    assert bytes(frames.bitmap()) == before and frames.used_frames == 3
    frames.revert(run)
    assert frames.used_frames == 6 and frames.next_free == 6


def test_many_scattered_frames_are_checked_before_any_is_freed():
    frames = FrameAllocator(64 * PAGE_SIZE)
    frames.allocate_each_event(64)
    evens = tuple(range(0, 64, 2))
    frames.free_each_event(evens)
    assert frames.used_frames == 32 and frames.bitmap()[:4].tolist() == [0, 1, 0, 1]
    before, odds = bytes(frames.bitmap()), range(1, 41, 2)  # 20 used frames: in numpy
    with pytest.raises(FrameError, match=r"frame 2\b.*not allocated"):
        frames.free_each_event((*odds, 2))
    with pytest.raises(FrameError, match="beyond the end of memory"):
        frames.free_each_event((*odds, 99))
    assert bytes(frames.bitmap()) == before


def test_frames_are_named_as_a_range_or_the_first_few():
    assert frames_words((3,)) == "frame 3"
    assert frames_words((1, 2)) == "frames 1, 2"
    assert frames_words(tuple(range(1024))) == "frames 0-1,023"
    scattered = tuple(range(0, 40, 2))
    assert frames_words(scattered) == "frames 0, 2, 4, 6, 8, 10, 12, 14 and 12 more"


def test_a_machine_maps_its_heap_once_and_never_a_heap_that_maps_its_own():
    machine = Machine(1 << 20)
    with pytest.raises(FrameError, match="mapped already"):
        machine.map_heap_pages()
    slab = Machine(1 << 20, heap="slab")
    assert isinstance(slab.heap, GrowingHeap)
    with pytest.raises(FrameError, match="maps its own"):
        slab.map_heap_pages()
    assert slab.frames.used_frames == 0


def test_a_moving_realloc_on_a_slab_tells_the_frames_it_took_and_gave():
    machine = Machine(1 << 20, 0x4444_4444_0000, 2 * PAGE_SIZE, heap="slab")
    old = machine.heap.allocate_event(Layout(8, 8))
    moved = machine.heap.realloc_event(old.ptr, Layout(8, 8), 100)
    assert moved.frames_taken == (1,) and moved.frames_given == (0,)

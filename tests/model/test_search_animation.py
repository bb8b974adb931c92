"""The slow-speed animation of a search: its steps, and what each step shows."""

import itertools

import numpy as np
import pytest

from orbita_gui.core import FrameAllocator, Layout, LinkedListAllocator, Machine
from orbita_gui.core.registry import create
from orbita_gui.model import MachineModel, TracePlayer
from orbita_gui.model.search_animation import MAX_STEPS, STEP_MS, SearchAnimation, step_count
from orbita_gui.traces import parse_native
from orbita_gui.views.free_list_view import before_allocation


def heap_with_free_list(count: int, size: int = 64):
    """A heap whose free list holds `count` regions of `size` bytes, then the tail."""
    heap = LinkedListAllocator()
    heap.init(0x1000, 64 * 1024)
    ptrs = [heap.allocate(Layout(size, 8)) for _ in range(2 * count)]
    for ptr in ptrs[::2]:
        heap.deallocate(ptr, Layout(size, 8))
    return heap


def walk(animation):
    """Every step's heap progress, from the first to the last."""
    seen = [animation.looked()]
    while animation.active:
        animation._advance()
        if animation.active:
            seen.append(animation.looked())
    return seen


def test_a_heap_search_lights_each_node_then_the_chosen_one(qtbot):
    event = heap_with_free_list(3).allocate_event(Layout(100, 8))
    assert event.passed_over == 3
    animation = SearchAnimation()
    animation.start(event)
    assert step_count(event) == 5
    # Looking at nodes 0, 1, 2, then at the chosen one; then done.
    assert walk(animation) == [(0, False), (1, False), (2, False), (3, False), (4, True)]


def test_a_long_search_is_shown_in_at_most_max_steps(qtbot):
    event = heap_with_free_list(100).allocate_event(Layout(100, 8))
    animation = SearchAnimation()
    animation.start(event)
    seen = walk(animation)
    assert len(seen) == MAX_STEPS + 1
    visited = [v for v, _ in seen]
    assert visited == sorted(visited) and seen[-1] == (101, True)


def test_a_frame_scan_sweeps_from_next_free_to_the_frame_found(qtbot):
    frames = FrameAllocator(64 * 4096)
    allocated = [frames.allocate_frame() for _ in range(10)]  # frames 0..9
    frames.free_frame(allocated[3])  # next_free falls back to 3
    frames.allocate_frame()  # frame 3 again: next_free 4, with 4..9 still used
    event = frames.allocate_frame_event()
    assert (event.next_free_before, event.frame_number) == (4, 10)
    animation = SearchAnimation()
    animation.start(event)
    scanned = [animation.frames_scanned()]
    while animation.active:
        animation._advance()
        if animation.active:
            scanned.append(animation.frames_scanned())
    assert scanned[0].start == 4 and scanned[-1] == range(4, 10)  # 10 is found, not passed
    assert all(a.stop <= b.stop for a, b in itertools.pairwise(scanned))


def test_a_failed_heap_search_is_animated_and_search_free_operations_are_not(qtbot):
    heap = heap_with_free_list(2)
    animation = SearchAnimation()
    event = heap.allocate_event(Layout(1 << 20, 8))  # out of memory
    animation.start(event)
    assert animation.active and animation.steps == event.visited + 1
    assert animation.looked() == (0, False)
    animation.start(None)
    assert not animation.active


def test_a_held_search_waits_where_the_student_walked_it(qtbot):
    heap = heap_with_free_list(4)
    event = heap.allocate_event(Layout(100, 8))
    animation = SearchAnimation()
    animation.hold(event, 2, False)
    qtbot.wait(3 * STEP_MS)
    assert animation.held and animation.looked() == (2, False)
    animation.stop()
    assert not animation.held and not animation.active


def test_before_allocation_rebuilds_the_list_the_search_saw():
    heap = heap_with_free_list(4)
    before = heap.free_regions()
    event = heap.allocate_event(Layout(100, 8))
    starts, sizes = heap.free_region_arrays()
    rebuilt = before_allocation(starts, sizes, event)
    assert list(zip(*(a.tolist() for a in rebuilt), strict=True)) == before
    assert isinstance(rebuilt[0], np.ndarray)


@pytest.fixture
def player(qtbot):
    trace = parse_native(
        "heap 0x1000 2KiB\n"
        + "".join(f"malloc m{i} 64\n" for i in range(6))
        + "free m0\nfree m2\nfree m4\nmalloc big 100\n"
    )
    p = TracePlayer(MachineModel(Machine(1 << 20)))
    p.load(trace)
    return p


def test_a_single_step_is_animated_and_finishes(qtbot, player):
    player.seek(9)
    player.step_forward()
    assert player.animation.active and player.animation.current.passed_over == 3
    qtbot.waitUntil(lambda: not player.animation.active, timeout=5000)


def test_fast_play_is_not_animated_and_moving_stops_an_animation(qtbot, player):
    player.seek(9)
    player.step_forward()
    player.step_back()
    assert not player.animation.active
    player.set_speed(30)
    player.play()
    qtbot.waitUntil(lambda: player.position == player.length, timeout=5000)
    assert not player.animation.active


def test_best_fit_is_shown_looking_past_its_choice_to_the_end_of_the_list(qtbot):
    heap = create("free-list", fit="best")
    heap.init(0x1000, 4096)
    ptrs = [heap.allocate(Layout(size, 8)) for size in (64, 16, 32, 16, 128, 16)]
    for ptr, size in zip(ptrs[::2], (64, 32, 128), strict=True):
        heap.deallocate(ptr, Layout(size, 8))
    event = heap.allocate_event(Layout(32, 8))  # the list: 128, 32, 64, tail
    assert event.position == 1 and event.visited == 4
    animation = SearchAnimation()
    animation.start(event)
    seen = walk(animation)
    # It meets its choice second, and is not done until it has looked at all four.
    assert seen == [(0, False), (1, False), (2, False), (3, False), (4, True)]

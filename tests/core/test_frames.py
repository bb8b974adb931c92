import numpy as np
import pytest

from orbita_gui.core import (
    FRAME_SIZE,
    FREE,
    USED,
    Frame,
    FrameAllocator,
    FrameDoubleFreeError,
    FrameOutOfRangeError,
    FrameScan,
    InvalidMemorySizeError,
    MemoryStats,
    MisalignedFrameError,
    PhysAddr,
    RevertError,
    kernel,
)
from orbita_gui.core.events import FRAMES_ONE_BY_ONE


def numbers(frames):
    return [f.number for f in frames]


def snapshot(alloc):
    return alloc.bitmap().tobytes(), alloc.next_free, alloc.used_frames


def test_frames_come_in_address_order():
    alloc = FrameAllocator(16 * FRAME_SIZE)
    assert numbers(alloc.allocate_frame() for _ in range(3)) == [0, 1, 2]
    assert alloc.allocate_frame().start_address == PhysAddr(3 * FRAME_SIZE)


def test_memory_size_rounds_down_to_whole_frames():
    assert FrameAllocator(3 * FRAME_SIZE + 100).total_frames == 3


def test_free_lowers_next_free_and_the_hole_is_reused():
    alloc = FrameAllocator(16 * FRAME_SIZE)
    frames = [alloc.allocate_frame() for _ in range(5)]
    alloc.free_frame(frames[1])
    assert alloc.next_free == 1
    assert alloc.allocate_frame().number == 1
    assert alloc.next_free == 2
    assert alloc.allocate_frame().number == 5  # frames 2..4 are used: skipped


def test_free_above_next_free_leaves_the_hint():
    alloc = FrameAllocator(16 * FRAME_SIZE)
    frames = [alloc.allocate_frame() for _ in range(5)]
    alloc.free_frame(frames[0])
    alloc.free_frame(frames[3])
    assert alloc.next_free == 0


def test_full_memory_runs_both_loops_of_the_search():
    alloc = FrameAllocator(4 * FRAME_SIZE)
    for _ in range(4):
        alloc.allocate_frame()
    alloc.free_frame(Frame.from_number(1))
    alloc.allocate_frame()  # frame 1 again; next_free 2
    event = alloc.allocate_frame_event()
    assert event.frame is None
    first, wrap, second, none = event.steps[:2], event.steps[2], event.steps[3:5], event.steps[5]
    assert first == (FrameScan(2, 3), FrameScan(3, 4))
    assert wrap.code_line == "allocate_frame:wrap"
    assert second == (FrameScan(0, 1, wrapped=True), FrameScan(1, 2, wrapped=True))
    assert (none.code_line, len(event.steps)) == ("allocate_frame:none", 6)


def test_the_scan_is_told_frame_by_frame_and_a_long_run_of_used_frames_in_one_step():
    alloc = FrameAllocator(256 * FRAME_SIZE)
    for _ in range(101):
        alloc.allocate_frame()
    alloc.free_frame(Frame.from_number(0))
    alloc.allocate_frame()  # frame 0 again: next_free 1, frames 1..100 used
    steps = alloc.allocate_frame_event().steps
    looked = [(step.first, step.stop) for step in steps[:-1]]
    told = FRAMES_ONE_BY_ONE
    ones = [(n, n + 1) for n in range(1, 1 + told)]
    ones_at_end = [(n, n + 1) for n in range(101 - told, 101)]
    assert looked == [*ones, (1 + told, 101 - told), *ones_at_end]
    assert {step.kind for step in steps[:-1]} == {"pass-over"}
    assert (steps[-1].kind, steps[-1].first, steps[-1].code_line) == (
        "choose",
        101,
        "allocate_frame:found",
    )
    assert "frame 101 is free" in steps[-1].reason


def test_every_frame_below_next_free_is_used():
    """Why the guide's second loop never finds a frame: nothing below the hint is free."""
    alloc = FrameAllocator(64 * FRAME_SIZE)
    rng = np.random.default_rng(7)
    live = []
    for _ in range(2000):
        if live and rng.random() < 0.45:
            alloc.free_frame(live.pop(int(rng.integers(len(live)))))
        elif (frame := alloc.allocate_frame()) is not None:
            live.append(frame)
        assert alloc.bitmap()[: alloc.next_free].all()


def test_out_of_memory_returns_none_and_changes_nothing():
    alloc = FrameAllocator(2 * FRAME_SIZE)
    alloc.allocate_frame(), alloc.allocate_frame()
    before = snapshot(alloc)
    event = alloc.allocate_frame_event()
    assert event.frame is None
    assert "out of memory" in event.describe()
    assert snapshot(alloc) == before


def test_stats():
    alloc = FrameAllocator(1 << 30)
    assert alloc.stats() == MemoryStats(262_144, 0, 262_144)
    for _ in range(10):
        alloc.allocate_frame()
    assert alloc.stats() == MemoryStats(262_144, 10, 262_134)


@pytest.mark.parametrize("size", [0, -4096, FRAME_SIZE - 1, (1 << 64) + FRAME_SIZE, 4096.0, None])
def test_invalid_memory_sizes_are_refused(size):
    with pytest.raises(InvalidMemorySizeError, match="memory size"):
        FrameAllocator(size)


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (Frame.from_number(3), FrameDoubleFreeError, "not allocated: double free"),
        (Frame(PhysAddr(0x1004)), MisalignedFrameError, "not a frame address"),
        (Frame.from_number(16), FrameOutOfRangeError, "beyond the end of memory"),
        (Frame.from_number(1 << 40), FrameOutOfRangeError, "beyond the end of memory"),
    ],
)
def test_bad_frees_raise_and_change_nothing(frame, error, message):
    alloc = FrameAllocator(16 * FRAME_SIZE)
    for _ in range(3):
        alloc.allocate_frame()
    before = snapshot(alloc)
    with pytest.raises(error, match=message):
        alloc.free_frame(frame)
    assert snapshot(alloc) == before


def test_double_free_is_reported():
    alloc = FrameAllocator(16 * FRAME_SIZE)
    frame = alloc.allocate_frame()
    alloc.free_frame(frame)
    with pytest.raises(FrameDoubleFreeError, match=r"Frame\(0x0\)"):
        alloc.free_frame(frame)


def test_bitmap_is_a_live_read_only_view():
    alloc = FrameAllocator(8 * FRAME_SIZE)
    bitmap = alloc.bitmap()
    assert bitmap.dtype == np.uint8 and bitmap.shape == (8,)
    alloc.allocate_frame()
    alloc.allocate_frame()
    assert bitmap.tolist() == [USED, USED, FREE, FREE, FREE, FREE, FREE, FREE]
    with pytest.raises(ValueError):
        bitmap[0] = FREE


def test_events_describe_what_happened():
    alloc = FrameAllocator(8 * FRAME_SIZE)
    first = alloc.allocate_frame_event()
    assert first.describe() == "allocate_frame() -> Frame(0x0): frame 0, free at next_free"
    alloc.allocate_frame()
    release = alloc.free_frame_event(Frame.from_number(0))
    assert release.describe() == "free_frame(Frame(0x0)): frame 0, next_free 2 -> 0"
    event = alloc.allocate_frame_event()
    assert event.frame_number == 0
    event = alloc.allocate_frame_event()
    assert event.describe() == (
        "allocate_frame() -> Frame(0x2000): frame 2, passed over 1 used frame from next_free"
    )


def test_revert_restores_the_exact_state():
    alloc = FrameAllocator(8 * FRAME_SIZE)
    events = []
    for _ in range(4):
        events.append(alloc.allocate_frame_event())
    states = [snapshot(alloc)]
    events.append(alloc.free_frame_event(Frame.from_number(1)))
    states.append(snapshot(alloc))
    events.append(alloc.allocate_frame_event())
    alloc.revert(events.pop())
    assert snapshot(alloc) == states.pop()
    alloc.revert(events.pop())
    assert snapshot(alloc) == states.pop()


def test_reverting_out_of_order_is_refused():
    alloc = FrameAllocator(8 * FRAME_SIZE)
    first = alloc.allocate_frame_event()
    alloc.allocate_frame_event()
    before = snapshot(alloc)
    with pytest.raises(RevertError, match="not the latest"):
        alloc.revert(first)
    assert snapshot(alloc) == before


def test_guide_module_functions(monkeypatch):
    monkeypatch.setattr(kernel, "FRAME_ALLOCATOR", None)
    assert kernel.allocate_frame() is None  # not initialised: None, as the guide's `?`
    kernel.free_frame(Frame.from_number(0))  # not initialised: nothing
    kernel.init_frame_allocator(1024 * 1024 * 1024)
    frame = kernel.allocate_frame()
    assert frame == Frame.from_number(0)
    kernel.free_frame(frame)
    assert kernel.FRAME_ALLOCATOR.stats().used_frames == 0

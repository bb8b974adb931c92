"""Predict, then check: guesses judged against the allocator, wrong ones explained by the
step where they part."""

from orbita_gui.core import Machine, registry
from orbita_gui.core.addresses import FRAME_SIZE, Frame
from orbita_gui.core.layout import Layout
from orbita_gui.traces.prediction import Score, judge


def heap_with_holes(fit="first"):
    """Free list head first: 0x1100 (256 B), 0x1040 (64 B), 0x1000 (32 B) ... then the
    rest; first fit for 48 B takes 0x1100 (the head), best fit 0x1040."""
    heap = registry.create("free-list", fit=fit)
    heap.init(0x1000, 4096)
    small = heap.allocate(Layout(32, 8))
    heap.allocate(Layout(16, 8))
    middle = heap.allocate(Layout(64, 8))  # at 0x1030
    heap.allocate(Layout(16, 8))
    big = heap.allocate(Layout(256, 8))
    heap.allocate(Layout(16, 8))
    for ptr, size in ((small, 32), (middle, 64), (big, 256)):
        heap.deallocate(ptr, Layout(size, 8))
    return heap, small, middle, big


def test_a_right_guess_says_why():
    heap, _, _, big = heap_with_holes()
    event = heap.allocate_event(Layout(48, 8))
    judgement = judge(event, big)
    assert judgement.right
    assert judgement.said == f"Right: 256 B at {big:#x} holds 48 B: the first region that fits."


def test_best_fit_guessed_for_first_fit_is_explained_by_the_search_order():
    heap, _, middle, big = heap_with_holes()
    judgement = judge(heap.allocate_event(Layout(48, 8)), middle)
    assert not judgement.right
    assert judgement.said.startswith(f"The allocator took {big:#x}: 256 B at {big:#x} holds")
    assert f"never looked at yours ({middle:#x})" in judgement.said


def test_a_region_too_small_is_explained_by_its_own_step():
    heap, small, _, big = heap_with_holes(fit="best")
    judgement = judge(heap.allocate_event(Layout(48, 8)), small)
    assert not judgement.right
    assert judgement.said.endswith(f"Yours: 32 B at {small:#x} is too small for 48 B.")
    first_fits = judge(heap.allocate_event(Layout(48, 8)), big)  # best fit: middle is gone
    assert first_fits.right


def test_null_guessed_and_null_returned():
    heap, small, _, _ = heap_with_holes()
    event = heap.allocate_event(Layout(8000, 8))
    assert judge(event, None).right
    wrong = judge(event, small)
    assert wrong.said.startswith("No region fits: allocate returns null. Yours: 32 B at")


def test_frames_are_judged_by_the_scan_from_next_free():
    frames = registry.create("bitmap", memory_size=8 * FRAME_SIZE)
    for _ in range(4):
        frames.allocate_frame()
    frames.free_frame(Frame.from_number(1))  # next_free back to 1; frame 1 free
    assert judge(frames.allocate_frame_event(), 1).right
    event = frames.allocate_frame_event()  # from next_free 2: 2 and 3 used, takes 4
    assert judge(event, 4).right
    assert judge(event, 3).said == (
        "The allocator took frame 4: frame 3 was used: the scan from next_free (2) passed over it."
    )
    assert "frames below it are all used" in judge(event, 0).said
    assert "stops at the first free frame" in judge(event, 6).said


def test_the_score_counts_and_sums_up():
    score = Score()
    heap, _, middle, big = heap_with_holes()
    score.add(judge(heap.allocate_event(Layout(48, 8)), big))
    score.add(judge(heap.allocate_event(Layout(48, 8)), middle))
    assert score.summary() == "You predicted 1 of 2 right (50%)."


def test_a_slab_allocation_is_judged_by_the_object_it_hands_out():
    heap = Machine(1 << 20, heap="slab").heap
    first = heap.allocate_event(Layout(24, 8))
    second = heap.allocate_event(Layout(24, 8))
    assert judge(second, first.ptr + 32).right
    wrong = judge(second, first.ptr + 64)
    assert not wrong.right and f"took {first.ptr + 32:#x}" in wrong.said
    large = heap.allocate_event(Layout(9000, 8))
    assert judge(large, large.ptr).right and not judge(large, None).right

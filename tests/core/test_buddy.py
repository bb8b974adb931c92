"""The buddy frame allocator: its order, split and merge rules by hand, then random
operations against the plain reference (`buddy_reference.ReferenceBuddy`), undo included.

After every step of the state machine the fast allocator and the reference hold
the same free sets per order, the same live blocks (first frame, order, frames
asked), the same bitmap and the same counts; every event explains itself with
steps whose lines are in the buddy listing; undoing everything gives back the
first state exactly.
"""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from orbita_gui.core import FRAME_SIZE, Frame, Machine, PhysAddr, registry
from orbita_gui.core.allocators.buddy_frames import BuddyFrames
from orbita_gui.core.buddy_events import order_for
from orbita_gui.core.errors import (
    FrameDoubleFreeError,
    FrameError,
    FrameOutOfRangeError,
    MisalignedFrameError,
    RevertError,
)
from orbita_gui.core.listing import listing
from orbita_gui.core.protocols import FrameAllocator

from .buddy_reference import ReferenceBuddy
from .explaining import reasons
from .undo_rules import UndoRules

BUDDY_LISTING = listing("buddy.txt")


def buddy(frames: int) -> BuddyFrames:
    return BuddyFrames(frames * FRAME_SIZE)


def free_sets(frames: BuddyFrames) -> list[list[int]]:
    return [list(frames.free_blocks(order)) for order in range(frames.top_order + 1)]


def live(frames: BuddyFrames) -> dict[int, tuple[int, int]]:
    """First frame -> (order, frames asked), as the reference keeps them."""
    return {start: (order_for(count), count) for start, count in frames.live_blocks().items()}


def state(frames: BuddyFrames) -> tuple:
    return (
        free_sets(frames),
        live(frames),
        frames.bitmap().tobytes(),
        frames.stats(),
        frames.requested_frames,
    )


def explained(event) -> list[str]:
    """The event's reasons, checked (`explaining.reasons`)."""
    return reasons(event, BUDDY_LISTING)


def free(frames: BuddyFrames, start: int):
    return frames.free_frame_event(Frame.from_number(start))


# The rules by hand


@pytest.mark.parametrize(
    ("count", "order"),
    [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4), (512, 9), (513, 10)],
)
def test_a_request_takes_the_smallest_order_that_holds_it(count, order):
    frames = buddy(1024)
    event = frames.allocate_frames_event(count)
    assert (event.order, len(event.frames_taken), event.unused) == (
        order,
        2**order,
        2**order - count,
    )
    assert frames.block_order(event.start) == order
    assert frames.used_frames == 2**order
    assert frames.internal_fragmentation == 2**order - count
    assert frames.bitmap().sum() == 2**order  # the unused frames of the block count as used


def test_a_split_and_a_merge_told_step_by_step():
    frames = buddy(16)
    frames.allocate_frames_event(8)  # frames 0-7; the order-3 block at 8 is free
    event = frames.allocate_frames_event(3)
    assert (
        event.describe()
        == "allocate_frames(3) -> frames 8-11 (order 2, split from order 3, 1 frame unused)"
    )
    assert explained(event) == [
        "3 frames need order 2: 4 frames, the smallest power of two that holds 3",
        "no free block of order 2: look at order 3",
        "order 3's lowest free block is at frame 8: it will be split",
        "split the order-3 block at frame 8: its lower half (frame 8, order 2) goes on, "
        "its upper half (frame 12, order 2) joins order 2's free set",
        "frames 8-11, the order-2 block at frame 8, are marked used and handed out; "
        "1 frame beyond the 3 asked is unused: internal fragmentation",
    ]
    assert free_sets(frames) == [[], [], [12], [], []]
    release = free(frames, 8)
    assert explained(release) == [
        "the order-2 block at frame 8 (frames 8-11) is given back: marked free",
        "its buddy, frame 12 (order 2), is free: merge into the order-3 block at frame 8",
        "its buddy, frame 0 (order 3), is used: the block joins order 3's free set",
    ]
    assert [step.where for step in release.steps[1:]] == [(0x8000, 0x10000)] * 2
    assert free_sets(frames) == [[], [], [], [8], []]


def test_a_2_mib_request_takes_the_lowest_free_order_9_block():
    frames = buddy(2048)  # 8 MiB, top order 11
    frames.allocate_frame_event()  # frame 0: free blocks at 1, 2, 4, ... 512 (order 9), 1024
    frames.allocate_frames_event(256)  # the order-8 block at 256
    assert free_sets(frames)[9:] == [[512], [1024], []]
    event = frames.allocate_frames_event(512)
    assert (event.start, event.order, event.source) == (512, 9, 9)
    assert event.describe() == "allocate_frames(512) -> frames 512-1,023 (order 9)"


def test_a_2_mib_request_splits_the_lowest_larger_block_when_order_9_is_empty():
    frames = buddy(4096)  # 16 MiB: one order-12 block
    frames.allocate_frame_event()  # free: 512 (order 9), 1024 (order 10), 2048 (order 11)
    frames.allocate_frames_event(512)  # 512
    event = frames.allocate_frames_event(512)
    assert (event.start, event.source) == (1024, 10)
    reasons = explained(event)
    assert "no free block of order 9: look at order 10" in reasons
    assert (
        "split the order-10 block at frame 1,024: its lower half (frame 1,024, order 9) goes "
        "on, its upper half (frame 1,536, order 9) joins order 9's free set"
    ) in reasons
    assert free_sets(frames)[9:] == [[1536], [], [2048], []]


def test_the_smallest_order_comes_first_even_at_a_higher_address():
    frames = buddy(2048)
    big = frames.allocate_frames_event(1024)  # frames 0-1023
    frames.allocate_frames_event(512)  # 1024: the order-9 block at 1536 is free
    free(frames, big.start)  # the order-10 block at 0 is free again
    assert free_sets(frames)[9:] == [[1536], [0], []]
    assert frames.allocate_frames_event(512).start == 1536  # not a split of the block at 0


def test_freeing_everything_merges_back_to_the_top_order():
    frames = buddy(1024)
    starts = [frames.allocate_frame_event().start for _ in range(1024)]
    assert starts == list(range(1024)) and frames.allocate_frame_event().failed
    rng = np.random.default_rng(7)
    events = [free(frames, int(start)) for start in rng.permutation(starts)]
    assert free_sets(frames) == [[]] * 10 + [[0]]
    last = events[-1]
    assert last.merges == 10 and last.merged == (0, 10)
    assert (
        explained(last)[-1]
        == "order 10 is the top order, without a buddy: the block joins order 10's free set"
    )
    assert frames.used_frames == frames.requested_frames == 0


@pytest.mark.parametrize(
    ("frames", "cover"),
    [
        (13, [(0, 3), (8, 2), (12, 0)]),
        (12, [(0, 3), (8, 2)]),
        (1, [(0, 0)]),
        (2**18 + 1, [(0, 18), (2**18, 0)]),
        (100, [(0, 6), (64, 5), (96, 2)]),
    ],
)
def test_memory_not_a_power_of_two_is_covered_by_the_largest_aligned_blocks(frames, cover):
    allocator = buddy(frames)
    assert list(allocator.cover) == cover
    assert allocator.top_order == cover[0][1]
    assert (
        sorted((s, o) for o in range(allocator.top_order + 1) for s in allocator.free_blocks(o))
        == cover
    )


def test_at_the_end_of_memory_a_buddy_past_it_stops_the_merge():
    frames = buddy(13)  # blocks of 8, 4 and 1
    assert frames.allocate_frame_event().start == 12  # the only free order-0 block
    assert frames.allocate_frames_event(4).start == 8
    release = free(frames, 12)
    assert explained(release)[-1] == (
        "its buddy, frame 13 (order 0), would pass the end of memory: "
        "the block joins order 0's free set"
    )
    assert free(frames, 8).stop == "beyond"  # its buddy at 12 would end at frame 16
    assert free_sets(frames) == [[12], [], [8], [0]]


def test_too_large_and_out_of_memory_fail_and_change_nothing():
    frames = buddy(12)
    fresh = state(frames)
    too_large = frames.allocate_frames_event(9)
    assert too_large.failed and not too_large.frames_taken
    assert explained(too_large)[-1].startswith("order 4 is above the top order, 3")
    assert state(frames) == fresh
    frames.allocate_frames_event(8)
    frames.allocate_frames_event(4)
    full_state = state(frames)
    full = frames.allocate_frame_event()
    assert full.failed and full.describe().endswith("no free block of order 0 or above")
    assert [step.code_line for step in full.steps][1:] == ["alloc:empty"] * 3 + ["alloc:none"]
    frames.revert(full)  # failed: nothing to undo
    with pytest.raises(FrameError, match="1 frame or more"):
        frames.allocate_frames_event(0)
    assert state(frames) == full_state


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (Frame.from_number(9), MisalignedFrameError),  # inside the order-2 block at 8
        (Frame.from_number(11), MisalignedFrameError),
        (Frame.from_number(5), FrameDoubleFreeError),  # in a free block
        (Frame.from_number(12), FrameDoubleFreeError),
        (Frame.from_number(16), FrameOutOfRangeError),
        (Frame(PhysAddr(0x8001)), MisalignedFrameError),
    ],
)
def test_a_free_that_is_not_a_live_blocks_first_frame_is_refused_and_changes_nothing(frame, error):
    frames = buddy(16)
    frames.allocate_frames_event(2)  # frames 0-1
    frames.allocate_frames_event(4)  # frames 4-7
    frames.allocate_frames_event(3)  # frames 8-11
    free(frames, 4)
    before = state(frames)
    with pytest.raises(error):
        frames.free_frame_event(frame)
    assert state(frames) == before


def test_a_double_free_is_refused():
    frames = buddy(16)
    frames.allocate_frames_event(2)
    free(frames, 0)
    with pytest.raises(FrameDoubleFreeError, match="not allocated: double free"):
        free(frames, 0)


def test_inside_a_block_the_message_names_the_block():
    frames = buddy(16)
    frames.allocate_frames_event(5)
    with pytest.raises(MisalignedFrameError, match="inside the order-3 block of frames 0-7"):
        free(frames, 6)


def test_only_the_latest_operation_reverts_and_a_refused_revert_changes_nothing():
    frames = buddy(16)
    first = frames.allocate_frames_event(2)
    frames.allocate_frames_event(2)
    release = free(frames, 0)
    frames.allocate_frame_event()
    before = state(frames)
    for event in (
        first,
        release,
        registry.create("bitmap", memory_size=1 << 16).allocate_frame_event(),
    ):
        with pytest.raises(RevertError):
            frames.revert(event)
        assert state(frames) == before


def test_it_meets_the_frame_allocator_protocol_from_the_registry():
    frames = registry.create("buddy", memory_size=1 << 20)
    assert isinstance(frames, FrameAllocator) and frames.kind == "buddy"
    assert registry.kind("buddy").listing == "buddy.txt"
    event = frames.allocate_frame_event()
    assert event.frames_taken == (0,) and event.frame == Frame.from_number(0)
    assert not frames.bitmap().flags.writeable


def test_a_machine_boots_on_it_with_the_heap_in_the_first_frames():
    machine = Machine(frames="buddy")  # 1 GiB, a 100 KiB heap: 25 pages
    frames = machine.frames
    assert machine.heap_frames.tolist() == list(range(25))
    assert frames.used_frames == 25 and frames.bitmap()[:26].tolist() == [1] * 25 + [0]
    reference = ReferenceBuddy(frames.total_frames)
    reference.take_first_frames(25)
    assert free_sets(frames) == reference.free_sets()
    assert free_sets(frames)[:6] == [[25], [26], [28], [], [], [32]]
    assert frames.allocate_frame_event().start == 25


def test_the_boot_is_told_split_by_split_and_reverts_to_the_fresh_state():
    frames = buddy(13)
    fresh = state(frames)
    event = frames.allocate_first_frames_event(9, page_base=0x4000)
    assert event.describe() == "mapped 9 heap pages to frames 0-8, as order-0 blocks"
    reasons = explained(event)
    assert reasons[-1] == "heap page 0xc000 -> frame 8, taken as an order-0 block"
    splits = [step.where[0] // FRAME_SIZE for step in event.steps if step.kind == "split"]
    assert splits == [0, 0, 0, 2, 4, 4, 6, 8, 8]  # each free block met, down to order 0
    assert free_sets(frames) == [[9, 12], [10], [], []]
    frames.revert(event)
    assert state(frames) == fresh
    frames.allocate_frame_event()
    with pytest.raises(FrameError, match="needs a fresh allocator"):
        frames.allocate_first_frames_event(3)


# Random operations against the reference

machine_settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class BuddyBesideReference(UndoRules):
    @initialize(
        total=st.one_of(st.integers(1, 300), st.sampled_from([16, 64, 256, 1024])),
        data=st.data(),
    )
    def start(self, total, data):
        self.frames, self.ref = buddy(total), ReferenceBuddy(total)
        self.first_state = state(self.frames)
        self.events, self.history = [], []
        boot = data.draw(st.one_of(st.just(0), st.integers(0, total)), label="boot")
        if boot:
            self.apply(
                lambda: self.frames.allocate_first_frames_event(boot),
                lambda: self.ref.take_first_frames(boot),
            )

    def apply(self, operation, ref_operation):
        """Both results; the event is kept for undo, with a copy of the reference before."""
        self.history.append(copy.deepcopy(self.ref))
        expected = ref_operation()
        event = operation()
        self.events.append(event)
        explained(event)
        return event, expected

    @rule(count=st.one_of(st.integers(1, 8), st.integers(1, 1100)))
    def allocate(self, count):
        event, expected = self.apply(
            lambda: self.frames.allocate_frames_event(count), lambda: self.ref.allocate(count)
        )
        assert event.start == expected
        assert len(event.frames_taken) == (0 if expected is None else 2**event.order)

    @rule()
    def allocate_frame(self):
        event, expected = self.apply(self.frames.allocate_frame_event, lambda: self.ref.allocate(1))
        assert event.start == expected

    @precondition(lambda self: self.ref.live)
    @rule(data=st.data())
    def free(self, data):
        start = data.draw(st.sampled_from(sorted(self.ref.live)), label="block")
        event, merges = self.apply(
            lambda: free(self.frames, start), lambda: self.ref.free_block(start)
        )
        assert event.merges == merges
        assert event.frames_given == tuple(range(start, start + 2**event.order))

    @rule(data=st.data())
    def free_what_is_not_a_block(self, data):
        frame = data.draw(st.integers(0, self.ref.total - 1), label="frame")
        if frame in self.ref.live:
            return
        inside = any(s < frame < s + 2**order for s, (order, _) in self.ref.live.items())
        before = state(self.frames)
        with pytest.raises(MisalignedFrameError if inside else FrameDoubleFreeError):
            free(self.frames, frame)
        assert state(self.frames) == before

    def reverter(self):
        return self.frames

    def state(self):
        return state(self.frames)

    @invariant()
    def same_state_as_the_reference(self):
        frames, ref = self.frames, self.ref
        assert free_sets(frames) == ref.free_sets()
        assert live(frames) == ref.live
        assert frames.bitmap().tolist() == ref.bitmap()
        used = ref.used_frames()
        assert (frames.stats().used_frames, frames.stats().free_frames) == (used, ref.total - used)
        assert frames.internal_fragmentation == used - ref.requested_frames()


def test_the_buddy_allocator_matches_the_reference():
    run_state_machine_as_test(BuddyBesideReference, settings=machine_settings)


def test_a_machine_forgets_its_heap_pages_when_their_mapping_is_undone():
    for frames in ("bitmap", "buddy"):
        machine = Machine(1 << 20, frames=frames, boot=False)
        event = machine.map_heap_pages()
        assert len(machine.heap_frames) == 25
        machine.revert(event)
        assert machine.pages.mapped == 0 and machine.frames.stats().used_frames == 0

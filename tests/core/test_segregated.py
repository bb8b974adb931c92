"""Segregated free lists: the class rules and each step's wording by hand, then random
operations against the plain reference (`segregated_reference.ReferenceSegregated`),
undo included, with and without coalescing.

After every step of the state machine the heap and the reference hold the same
class lists in the same order, the same live blocks and the same byte counts;
every allocation hands out the same pointer after looking at the same number of
regions; every event explains itself with steps whose lines are in the
segregated listing; undoing everything gives back the first state exactly.
"""

import copy
import itertools
import random

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from orbita_gui.core import Machine, registry
from orbita_gui.core.allocators.segregated import SegregatedHeap
from orbita_gui.core.errors import (
    InvalidFreeError,
    InvalidHeapRegionError,
    InvalidParameterError,
    LayoutMismatchError,
    RevertError,
)
from orbita_gui.core.layout import ISIZE_MAX, Layout
from orbita_gui.core.listing import listing
from orbita_gui.core.protocols import SizeClass, SizeClassHeap
from orbita_gui.core.segregated_events import class_label, class_of

from .explaining import reasons
from .segregated_reference import ADDRESS_LIMIT, ReferenceSegregated
from .undo_rules import UndoRules

LISTING = listing("segregated.txt")
BASE = 0x10000


def explained(event) -> list[str]:
    """The event's reasons, checked (`explaining.reasons`)."""
    assert event.search is None and event.frames_taken == event.frames_given == ()
    return reasons(event, LISTING)


def lists(heap) -> list[list[tuple[int, int]]]:
    """Each class's free regions, head first."""
    return [list(zip(c.starts, c.sizes, strict=True)) for c in heap.size_classes()]


def state(heap) -> tuple:
    return lists(heap), dict(heap.allocations()), heap.stats()


def carved(sizes, free, classes=10, coalesce=False, guards=True):
    """A heap of 8 KiB at BASE cut into blocks of `sizes` (8-aligned) in address order,
    each followed by a 16-byte guard block if `guards`; then the blocks at the
    indices `free` freed, in that order."""
    heap = SegregatedHeap(classes, coalesce)
    heap.init(BASE, 8192)
    ptrs = []
    for size in sizes:
        ptrs.append(heap.allocate_event(Layout(size, 8)).ptr)
        if guards:
            heap.allocate_event(Layout(16, 8))
    for index in free:
        heap.deallocate_event(ptrs[index], Layout(sizes[index], 8))
    return heap, ptrs


def at(offset: int) -> str:
    return f"{BASE + offset:#x}"


# The rules by hand


@pytest.mark.parametrize(
    ("size", "classes", "k"),
    [
        (16, 10, 0),
        (31, 10, 0),
        (32, 10, 1),
        (104, 10, 2),
        (4095, 10, 7),
        (4096, 10, 8),
        (8191, 10, 8),
        (8192, 10, 9),
        (1 << 40, 10, 9),
        (64, 3, 2),
        (5000, 3, 2),
        (1 << 20, 1, 0),
    ],
)
def test_a_size_is_in_the_class_of_its_power_of_two_the_last_takes_the_rest(size, classes, k):
    assert class_of(size, classes) == k


def test_classes_are_named_by_their_bytes_the_last_one_open_ended():
    assert [class_label(k, 10) for k in (0, 1, 2, 6, 9)] == [
        "16-31 B",
        "32-63 B",
        "64-127 B",
        "1,024-2,047 B",
        "8 KiB and up",
    ]
    assert class_label(0, 1) == "16 B and up"
    heap = SegregatedHeap()
    heap.init(BASE, 8192)
    assert [c.label for c in heap.size_classes()][-2:] == ["4,096-8,191 B", "8 KiB and up"]
    assert heap.size_classes()[-1] == SizeClass("8 KiB and up", [BASE], [8192])


def test_first_fit_inside_the_class_with_the_guides_verdicts():
    """Four regions of class 64-127 B; 100 B needs 104: too small, a leftover of 8 B
    (passed over: no room for a ListNode), too small, then one that fits exactly
    enough to leave 16 B, which go to the smaller class 16-31 B."""
    heap, _ = carved([120, 96, 112, 80], free=[0, 1, 2, 3])
    assert lists(heap)[2] == [(BASE + 376, 80), (BASE + 248, 112), (BASE + 136, 96), (BASE, 120)]
    event = heap.allocate_event(Layout(100, 8))
    assert (event.ptr, event.visited) == (BASE, 4)
    assert explained(event) == [
        "100 B needs 104 B: class 64-127 B",
        f"80 B at {at(376)} is too small for 104 B",
        f"112 B at {at(248)} is enough for 104 B, but the 8 B left over is smaller than a "
        "ListNode (16 B), so it is passed over",
        f"96 B at {at(136)} is too small for 104 B",
        f"120 B at {at(0)} holds 104 B: the first region that fits",
        "the 16 B left over go to the front of class 16-31 B, a smaller class than the region's",
    ]
    assert [step.code_line for step in event.steps] == [
        "allocate:class",
        "find_region:too-small",
        "find_region:leftover",
        "find_region:too-small",
        "find_region:found",
        "allocate:leftover",
    ]
    assert lists(heap)[0] == [(BASE + 104, 16)]
    assert lists(heap)[2] == [(BASE + 376, 80), (BASE + 248, 112), (BASE + 136, 96)]


def test_the_search_moves_up_the_classes_in_turn():
    heap, _ = carved([80, 304], free=[1, 0])
    event = heap.allocate_event(Layout(100, 8))
    assert (event.ptr, event.visited) == (BASE + 96, 2)
    assert explained(event) == [
        "100 B needs 104 B: class 64-127 B",
        f"80 B at {at(0)} is too small for 104 B",
        "class 64-127 B has nothing that fits: look in class 128-255 B",
        "class 128-255 B is empty: look in class 256-511 B",
        f"304 B at {at(96)} holds 104 B: the first region that fits",
        "the 200 B left over go to the front of class 128-255 B, a smaller class than the region's",
    ]
    assert lists(heap)[3] == [(BASE + 200, 200)]
    event = heap.allocate_event(Layout(600, 8))  # a run of empty classes is one step
    assert explained(event)[1:3] == [
        "classes 512-1,023 B to 2,048-4,095 B are empty: look in class 4,096-8,191 B",
        f"7,776 B at {at(416)} holds 600 B: the first region that fits",
    ]
    assert event.describe() == (
        f"allocate(Layout {{ size: 600, align: 8 }}) -> {at(416)}: class 512-1,023 B, looked "
        "at 1 region, took a 7,776-byte region of class 4,096-8,191 B, 7,176 B left over to "
        "class 4,096-8,191 B"
    )


def test_nothing_fits_in_any_class_returns_null_and_changes_nothing():
    heap, _ = carved([80], free=[0], classes=3)
    before = state(heap)
    event = heap.allocate_event(Layout(9000, 8))
    assert event.failed and event.ptr is None and event.visited == 2
    assert explained(event) == [
        "9,000 B: class 64 B and up",
        f"80 B at {at(0)} is too small for 9,000 B",
        f"8,096 B at {at(96)} is too small for 9,000 B",
        "class 64 B and up, the last, has nothing that fits: allocate returns null",
    ]
    assert state(heap) == before


def test_alignment_padding_in_front_is_lost_and_counts_as_lost():
    heap = SegregatedHeap()
    heap.init(BASE + 8, 4096)
    event = heap.allocate_event(Layout(40, 64))
    assert event.ptr == BASE + 0x40 and event.block.padding == 56
    assert explained(event) == [
        "40 B needs 64 B: class 64-127 B (aligned to 64)",
        "classes 64-127 B to 2,048-4,095 B are empty: look in class 4,096-8,191 B",
        f"4,096 B at {at(8)} holds 64 B after 56 B of alignment padding: the first region "
        "that fits",
        "56 B of padding in front of the block are lost for good",
        "the 3,976 B left over go to the front of class 2,048-4,095 B, a smaller class than "
        "the region's",
    ]
    stats = heap.stats()
    assert (stats.allocated, stats.free, stats.lost) == (64, 3976, 56)
    release = heap.deallocate_event(event.ptr, Layout(40, 64))
    assert heap.stats().lost == 56  # the guide never gives padding back
    assert lists(heap)[2] == [(BASE + 0x40, 64)]
    heap.revert(release)
    heap.revert(event)
    assert lists(heap)[8] == [(BASE + 8, 4096)] and heap.stats().lost == 0


def test_a_region_the_padding_makes_too_small_is_passed_over():
    heap, _ = carved([24, 64], free=[1])  # the 64 B region starts at 8 mod 16
    event = heap.allocate_event(Layout(64, 16))
    assert explained(event)[1] == (
        f"64 B at {at(40)} is too small for 64 B after 8 B of alignment padding"
    )
    assert event.steps[1].code_line == "find_region:too-small-aligned"
    assert event.ptr == BASE + 128  # in the rest of the heap, past the guard


def neighbours(coalesce):
    """x (64 B), a (48 B), y (200 B) side by side, then a guard; x and y freed."""
    heap = SegregatedHeap(coalesce=coalesce)
    heap.init(BASE, 8192)
    x, a, y = (heap.allocate_event(Layout(size, 8)).ptr for size in (64, 48, 200))
    heap.allocate_event(Layout(16, 8))
    first = heap.deallocate_event(x, Layout(64, 8))
    heap.deallocate_event(y, Layout(200, 8))
    return heap, a, first


def test_coalescing_joins_both_neighbours_each_taken_from_its_own_class():
    heap, a, first = neighbours(coalesce=True)
    assert explained(first)[1] == "no neighbour in memory is free: nothing to join"
    assert lists(heap)[2:5] == [[(BASE, 64)], [(BASE + 112, 200)], []]
    before = state(heap)
    event = heap.deallocate_event(a, Layout(48, 8))
    assert explained(event) == [
        f"the 48 B block at {at(64)} is free again",
        f"64 B at {at(0)}, just below, is free: unlinked from class 64-127 B",
        f"200 B at {at(112)}, just above, is free: unlinked from class 128-255 B",
        "neighbours in memory are joined: 64 + 48 + 200 = 312 B",
        "the 312 B region goes to the front of class 256-511 B",
    ]
    merge = next(step for step in event.steps if step.kind == "merge")
    assert merge.where == (BASE, BASE + 312)
    assert lists(heap)[1:5] == [[], [], [], [(BASE, 312)]]
    assert event.describe() == (
        f"deallocate({at(64)}, Layout {{ size: 48, align: 8 }}): joined 2 free neighbours "
        "into 312 B, pushed a 312-byte region to class 256-511 B"
    )
    heap.revert(event)
    assert state(heap) == before


def test_without_coalescing_neighbours_stay_apart():
    heap, a, _ = neighbours(coalesce=False)
    event = heap.deallocate_event(a, Layout(48, 8))
    assert explained(event) == [
        f"the 48 B block at {at(64)} is free again",
        "the 48 B region goes to the front of class 32-63 B",
    ]
    assert lists(heap)[1:4] == [[(BASE + 64, 48)], [(BASE, 64)], [(BASE + 112, 200)]]


def test_stats_add_up_and_size_classes_match_the_free_regions():
    heap, _ = carved([24, 100, 300, 40], free=[2, 0])
    stats = heap.stats()
    assert stats.allocated + stats.free + stats.lost == stats.total == 8192
    assert stats.free_regions == 3 and stats.largest_free == 8192 - 4 * 16 - 24 - 104 - 304 - 40
    assert stats.requested == 100 + 40 + 4 * 16  # live: 100, 40 and the four guards
    classes = heap.size_classes()
    assert len(classes) == 10 and isinstance(heap, SizeClassHeap)
    starts, sizes = heap.free_region_arrays()
    assert list(zip(starts.tolist(), sizes.tolist(), strict=True)) == [
        region for listed in lists(heap) for region in listed
    ]
    assert lists(heap)[0] == [(BASE, 24)] and lists(heap)[4] == [(BASE + 160, 304)]


def test_one_class_is_the_guides_heap_address_for_address():
    for seed in range(8):
        rng = random.Random(seed)
        heap, guide = SegregatedHeap(classes=1), registry.create("guide")
        for each in (heap, guide):
            each.init(BASE, 4096)
        live = []
        for _ in range(300):
            if live and rng.random() < 0.45:
                ptr, layout = live.pop(rng.randrange(len(live)))
                heap.deallocate_event(ptr, layout)
                guide.deallocate_event(ptr, layout)
                continue
            layout = Layout(rng.choice([1, 8, 13, 24, 100, 300, 900]), rng.choice([1, 8, 64]))
            ours, theirs = heap.allocate_event(layout), guide.allocate_event(layout)
            assert (ours.ptr, ours.visited) == (theirs.ptr, theirs.visited)
            if ours.ptr is not None:
                live.append((ours.ptr, layout))
            assert [a.tolist() for a in heap.free_region_arrays()] == [
                a.tolist() for a in guide.free_region_arrays()
            ]


def test_it_is_registered_with_its_parameters_view_and_listing():
    kind = registry.kind("segregated")
    assert (kind.layer, kind.view, kind.listing) == (
        registry.HEAP,
        "size-classes",
        "segregated.txt",
    )
    assert registry.create("segregated").params == {"classes": 10, "coalesce": False}
    assert kind.parse_params(["classes=4", "coalesce=yes"]) == {"classes": 4, "coalesce": True}
    assert registry.create("segregated", classes=4, coalesce=True).params == {
        "classes": 4,
        "coalesce": True,
    }
    for bad in ({"classes": 0}, {"classes": 61}, {"classes": "4"}, {"coalesce": 1}):
        with pytest.raises(InvalidParameterError):
            registry.create("segregated", **bad)


def test_a_machine_makes_it_by_name_and_reverts_its_operations():
    machine = Machine(1 << 20, BASE, 8192, heap="segregated", heap_params={"coalesce": True})
    heap = machine.heap
    assert heap.params == {"classes": 10, "coalesce": True} and heap.heap_size == 8192
    before = state(heap)
    allocation = heap.allocate_event(Layout(100, 8))
    event = heap.realloc_event(allocation.ptr, Layout(100, 8), 300)
    assert (event.new_ptr, event.visited, event.failed) == (BASE + 104, 1, False)
    for latest in (event, allocation):
        machine.revert(latest)
    assert state(heap) == before


def test_refusals_change_nothing():
    heap, ptrs = carved([64, 32], free=[])
    with pytest.raises(InvalidHeapRegionError):
        heap.init(BASE, 8192)
    for start, size in ((BASE + 4, 64), (BASE, 8), (ADDRESS_LIMIT - 64, 64)):
        with pytest.raises(InvalidHeapRegionError):
            SegregatedHeap().init(start, size)
    before = state(heap)
    with pytest.raises(LayoutMismatchError):
        heap.deallocate_event(ptrs[0], Layout(64, 16))
    with pytest.raises(InvalidFreeError):
        heap.deallocate_event(ptrs[0] + 8, Layout(64, 8))
    older = heap.allocate_event(Layout(50, 8))
    heap.deallocate_event(ptrs[1], Layout(32, 8))
    after = state(heap)
    with pytest.raises(RevertError):
        heap.revert(older)  # not the latest: the leftover is no longer at its head
    assert state(heap) == after
    assert before != after


# Random operations against the reference

machine_settings = settings(
    max_examples=60,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

ALIGNS = st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 4096])
SIZES = st.one_of(
    st.integers(0, 48),
    st.integers(0, 320),
    st.integers(0, 3000),
    st.integers(ISIZE_MAX - 8192, ISIZE_MAX - 4095),  # address overflow, nothing fits
)


class HeapBesideReference(UndoRules):
    def __init__(self, coalesce):
        super().__init__()
        self.coalesce = coalesce

    @initialize(data=st.data())
    def start(self, data):
        classes = data.draw(st.sampled_from([1, 2, 3, 5, 10]), label="classes")
        size = data.draw(st.integers(16, 6000), label="heap_size")
        low = st.integers(0, 0x2000)
        high = st.integers(1, 0x200).map(lambda k: ADDRESS_LIMIT - size - k)
        start = data.draw(st.one_of(low, high), label="heap_start")
        start -= start % 8
        self.heap = SegregatedHeap(classes, self.coalesce)
        self.heap.init(start, size)
        self.ref = ReferenceSegregated(start, size, classes, self.coalesce)
        self.first_state = state(self.heap)
        self.events, self.history = [], []

    def apply(self, heap_operation, ref_operation):
        """Both results; the heap's event is kept for undo, with a copy of the reference
        before it."""
        self.history.append(copy.deepcopy(self.ref))
        expected = ref_operation()
        event = heap_operation()
        self.events.append(event)
        explained(event)
        return event, expected

    def _live(self, data):
        live = sorted(self.heap.allocations())
        return data.draw(st.sampled_from(live), label="block") if live else None

    @rule(size=SIZES, align=ALIGNS)
    def allocate(self, size, align):
        event, expected = self.apply(
            lambda: self.heap.allocate_event(Layout(size, align)),
            lambda: self.ref.allocate(size, align),
        )
        assert (event.ptr, event.visited) == expected

    @rule(data=st.data())
    def deallocate(self, data):
        ptr = self._live(data)
        if ptr is not None:
            layout = self.heap.allocations()[ptr].layout
            self.apply(
                lambda: self.heap.deallocate_event(ptr, layout), lambda: self.ref.deallocate(ptr)
            )

    @rule(data=st.data(), new_size=SIZES)
    def realloc(self, data, new_size):
        ptr = self._live(data)
        if ptr is None:
            return
        layout = self.heap.allocations()[ptr].layout
        event, expected = self.apply(
            lambda: self.heap.realloc_event(ptr, layout, new_size),
            lambda: self.ref.realloc(ptr, new_size),
        )
        assert (event.new_ptr, event.visited) == expected
        assert event.failed == (expected[0] is None)

    def reverter(self):
        return self.heap

    def state(self):
        return state(self.heap)

    @invariant()
    def same_state_as_the_reference(self):
        heap, ref = self.heap, self.ref
        assert lists(heap) == ref.lists
        blocks = {ptr: (b.start, b.size, b.padding) for ptr, b in heap.allocations().items()}
        assert blocks == {ptr: (b.start, b.size, b.padding) for ptr, b in ref.blocks.items()}
        stats = heap.stats()
        assert {name: getattr(stats, name) for name in ref.stats()} == ref.stats()

    @invariant()
    def every_region_is_in_its_class_and_the_heap_is_tiled(self):
        heap = self.heap
        for k, listed in enumerate(lists(heap)):
            assert all(class_of(size, heap.classes) == k for _, size in listed)
        pieces = [region for listed in lists(heap) for region in listed]
        pieces += [(b.start, b.size) for b in heap.allocations().values()]
        pieces += self.ref.lost  # the heap keeps only their sum (checked against the reference)
        cursor = heap.heap_start
        for start, size in sorted(pieces):
            assert start == cursor, "a gap or an overlap"
            cursor = start + size
        assert cursor == heap.heap_start + heap.heap_size

    @invariant()
    def coalescing_leaves_no_two_free_regions_touching(self):
        if self.coalesce:
            regions = sorted(region for listed in lists(self.heap) for region in listed)
            for (start, size), (next_start, _) in itertools.pairwise(regions):
                assert start + size < next_start


@pytest.mark.parametrize("coalesce", [False, True], ids=["no-coalescing", "coalescing"])
def test_the_heap_matches_the_reference(coalesce):
    run_state_machine_as_test(lambda: HeapBesideReference(coalesce), settings=machine_settings)

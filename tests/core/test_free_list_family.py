"""The free-list heap family against a plain reference, every combination of rules.

For each fit x list order x coalescing x leftover x ListNode rules (headers,
size rounding and the heap's place drawn at random), random allocations,
frees, reallocations and undos run on `FreeListHeap` and on
`free_list_reference.ReferenceHeap` side by side. After every step both must
hand out the same pointers after looking at the same number of nodes, and
hold the same free list in the same order, the same live blocks, the same
next-fit rover and the same byte counts; and the heap keeps its invariants:
blocks, free regions and lost padding tile the heap without gap or overlap.
Undo reverts the heap's event and puts back a copy of the reference taken
before it; undoing everything must give back the first state exactly. The
event-less forms (`allocate`, `deallocate`, `realloc`, a faster path in some
heaps) run too; undo goes back no further than the latest of them.

Below the machine: examples that pin OSTEP malloc.py's semantics and next
fit's wrap-around by hand, and the smallest case of each discrepancy the
machine found (all in zero-byte blocks and regions, and one above 2**63).
"""

import copy
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from orbita_gui.core.allocators.free_list_heap import FreeListHeap
from orbita_gui.core.allocators.heap_rules import FITS, LEFTOVERS, ORDERS, HeapRules
from orbita_gui.core.errors import HeapError
from orbita_gui.core.layout import ISIZE_MAX, Layout
from orbita_gui.core.registry import create

from .free_list_reference import ADDRESS_LIMIT, AddressTaken, ReferenceHeap
from .undo_rules import UndoRules

COMBINATIONS = list(itertools.product(FITS, ORDERS, (False, True), LEFTOVERS, (False, True)))
"""fit x order x coalesce x leftover x node_rules: 160 heaps."""

machine_settings = settings(
    max_examples=10,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

ALIGNS = st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 4096])
SIZES = st.one_of(
    st.integers(0, 48),
    st.integers(0, 320),
    st.integers(0, ISIZE_MAX - 4095),  # address overflow, and nothing fits
)


class HeapBesideReference(UndoRules):
    def __init__(self, fit, order, coalesce, leftover, node_rules):
        super().__init__()
        self.params = dict(
            fit=fit, order=order, coalesce=coalesce, leftover=leftover, node_rules=node_rules
        )

    @initialize(data=st.data())
    def start(self, data):
        node_rules = self.params["node_rules"]
        headers = [0, 8, 16] if node_rules else [0, 1, 3, 8]
        header = data.draw(st.sampled_from(headers), label="header")
        round_to = data.draw(st.sampled_from([1, 2, 4, 8, 5]), label="round_to")
        size = data.draw(st.integers(16 if node_rules else 1, 700), label="heap_size")
        low = st.integers(0, 0x2000)
        high = st.integers(1, 0x200).map(lambda k: ADDRESS_LIMIT - size - k)
        start = data.draw(st.one_of(low, high), label="heap_start")
        if node_rules:
            start -= start % 8
        params = dict(self.params, header=header, round_to=round_to)
        self.heap = FreeListHeap(HeapRules(**params))
        self.heap.init(start, size)
        self.ref = ReferenceHeap(start, size, **params)
        self.first_state = self.state()
        self.events, self.history = [], []

    def state(self):
        """Everything the heap shows: the free list, blocks, byte counts, rover."""
        heap = self.heap
        return heap.free_regions(), dict(heap.allocations()), heap.stats(), heap.rover

    def apply(self, heap_operation, ref_operation):
        """Both results (None, None if the reference refused the block's address); the
        heap's event is kept for undo, with a copy of the reference before it."""
        before = copy.deepcopy(self.ref)
        try:
            expected = ref_operation()
        except AddressTaken:
            self.ref = before
            with pytest.raises(HeapError):
                heap_operation()
            return None, None
        event = heap_operation()
        self.events.append(event)
        self.history.append(before)
        return event, expected

    def _live(self, data):
        live = sorted(self.heap.allocations())
        return data.draw(st.sampled_from(live), label="block") if live else None

    def forget_history(self):
        """After an operation without an event: undo can go back to here, no further."""
        self.events, self.history = [], []
        self.first_state = self.state()

    def expect_refusal(self, heap_operation, ref_operation):
        """The reference's result; None if it refused the address, and then the heap must
        refuse it too."""
        try:
            return ref_operation()
        except AddressTaken:
            with pytest.raises(HeapError):
                heap_operation()
            return None

    # Operations

    @rule(size=SIZES, align=ALIGNS)
    def allocate(self, size, align):
        event, expected = self.apply(
            lambda: self.heap.allocate_event(Layout(size, align)),
            lambda: self.ref.allocate(size, align),
        )
        if event is not None:
            assert (event.ptr, event.visited) == expected

    @rule(data=st.data())
    def deallocate(self, data):
        ptr = self._live(data)
        if ptr is not None:
            layout = self.heap.allocations()[ptr].layout
            self.apply(
                lambda: self.heap.deallocate_event(ptr, layout),
                lambda: self.ref.deallocate(ptr),
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
        if event is not None:
            assert (event.new_ptr, event.allocation.visited) == expected

    # The same without events (some heaps take a faster path): not undoable

    @rule(size=SIZES, align=ALIGNS)
    def allocate_plain(self, size, align):
        def heap_operation():
            return self.heap.allocate(Layout(size, align))

        expected = self.expect_refusal(heap_operation, lambda: self.ref.allocate(size, align))
        if expected is not None:
            assert heap_operation() == expected[0]
            self.forget_history()

    @rule(data=st.data())
    def deallocate_plain(self, data):
        ptr = self._live(data)
        if ptr is not None:
            self.heap.deallocate(ptr, self.heap.allocations()[ptr].layout)
            self.ref.deallocate(ptr)
            self.forget_history()

    @rule(data=st.data(), new_size=SIZES)
    def realloc_plain(self, data, new_size):
        ptr = self._live(data)
        if ptr is None:
            return
        layout = self.heap.allocations()[ptr].layout

        def heap_operation():
            return self.heap.realloc(ptr, layout, new_size)

        expected = self.expect_refusal(heap_operation, lambda: self.ref.realloc(ptr, new_size))
        if expected is not None:
            assert heap_operation() == expected[0]
            self.forget_history()

    # Undo

    def reverter(self):
        return self.heap

    # After every step

    @invariant()
    def same_state_as_the_reference(self):
        heap, ref = self.heap, self.ref
        assert heap.free_regions() == ref.free_regions()
        blocks = {
            ptr: (block.start, block.size, block.padding)
            for ptr, block in heap.allocations().items()
        }
        assert blocks == {
            ptr: (block.start, block.size, block.padding) for ptr, block in ref.blocks.items()
        }
        stats = heap.stats()
        assert {name: getattr(stats, name) for name in ref.stats()} == ref.stats()
        if ref.fit == "next":
            assert heap.rover == ref.rover

    @invariant()
    def blocks_never_overlap(self):
        """(A zero-byte block, as malloc.py hands out, holds no bytes to overlap: a
        coalescing free may join the bytes around its address into one region.)"""
        blocks = sorted((b.start, b.end) for b in self.heap.allocations().values() if b.size)
        for (_, end), (start, _) in itertools.pairwise(blocks):
            assert end <= start

    @invariant()
    def free_regions_are_disjoint_and_inside_the_heap(self):
        """(Zero-byte regions, from freed zero-byte blocks, hold no bytes to overlap.)"""
        heap = self.heap
        regions = sorted(region for region in heap.free_regions() if region[1])
        for start, size in regions:
            assert heap.heap_start <= start and start + size <= heap.heap_start + heap.heap_size
        for (start, size), (next_start, _) in itertools.pairwise(regions):
            assert start + size <= next_start

    @invariant()
    def blocks_free_regions_and_lost_padding_tile_the_heap(self):
        heap = self.heap
        stats = heap.stats()
        assert stats.allocated + stats.free + stats.lost == stats.total == heap.heap_size
        pieces = [region for region in heap.free_regions() if region[1]]
        pieces += [(b.start, b.size) for b in heap.allocations().values() if b.size]
        pieces += self.ref.lost  # the heap keeps only their sum (checked against the reference)
        cursor = heap.heap_start
        for start, size in sorted(pieces):
            assert start == cursor, "a gap or an overlap"
            cursor = start + size
        assert cursor == heap.heap_start + heap.heap_size


@pytest.mark.parametrize(
    ("fit", "order", "coalesce", "leftover", "node_rules"),
    COMBINATIONS,
    ids=[
        f"{fit}-{order}-{'co' if co else 'noco'}-{left}-{'nodes' if nodes else 'bytes'}"
        for fit, order, co, left, nodes in COMBINATIONS
    ],
)
def test_the_heap_matches_the_reference(fit, order, coalesce, leftover, node_rules):
    run_state_machine_as_test(
        lambda: HeapBesideReference(fit, order, coalesce, leftover, node_rules),
        settings=machine_settings,
    )


# OSTEP's semantics, pinned by hand


def ostep_heap(**params):
    """malloc.py's heap: 100 bytes at 1000 (its -S and -b defaults)."""
    heap = create("ostep", **params)
    heap.init(1000, 100)
    return heap


def test_the_ostep_preset_is_malloc_py_defaults():
    assert ostep_heap().rules == HeapRules(
        fit="best", order="addrsort", coalesce=False, node_rules=False, leftover="in-place"
    )


def test_a_malloc_py_run_best_fit_addrsort_coalescing():
    """`malloc.py -S 100 -b 1000 -p BEST -l ADDRSORT -C -c
    -A +10,+20,+30,-1,+15,-0,-2,+5,+60,+31`."""
    heap = ostep_heap(coalesce=True)
    ptrs = []

    def alloc(size, ptr, searched, free_list):
        event = heap.allocate_event(Layout(size, 1))
        assert (event.ptr, event.visited) == (ptr, searched)
        assert heap.free_regions() == free_list
        ptrs.append(ptr)

    def free(index, free_list):
        heap.deallocate(ptrs[index], heap.allocations()[ptrs[index]].layout)
        assert heap.free_regions() == free_list

    alloc(10, 1000, 1, [(1010, 90)])
    alloc(20, 1010, 1, [(1030, 70)])
    alloc(30, 1030, 1, [(1060, 40)])
    free(1, [(1010, 20), (1060, 40)])
    alloc(15, 1010, 2, [(1025, 5), (1060, 40)])
    free(0, [(1000, 10), (1025, 5), (1060, 40)])
    free(2, [(1000, 10), (1025, 75)])
    alloc(5, 1000, 2, [(1005, 5), (1025, 75)])
    alloc(60, 1025, 2, [(1005, 5), (1085, 15)])
    alloc(31, None, 2, [(1005, 5), (1085, 15)])


def test_a_malloc_py_run_with_headers_and_rounding():
    """`malloc.py -H 4 -a 4 -p FIRST -l INSERT-FRONT -C -A +3,+7,+12,-0,-2,+1,-1,+20 -c`:
    malloc.py prints a block's start; the pointer handed out is past the header."""
    heap = ostep_heap(fit="first", order="insert-front", coalesce=True, header=4, round_to=4)
    a = heap.allocate(Layout(3, 1))
    b = heap.allocate(Layout(7, 1))
    c = heap.allocate(Layout(12, 1))
    assert (a, b, c) == (1004, 1012, 1024)
    assert heap.free_regions() == [(1036, 64)]
    heap.deallocate(a, Layout(3, 1))
    heap.deallocate(c, Layout(12, 1))
    assert heap.free_regions() == [(1020, 16), (1000, 8), (1036, 64)]
    event = heap.allocate_event(Layout(1, 1))
    assert (event.ptr, event.visited) == (1024, 1)
    heap.deallocate(b, Layout(7, 1))
    assert heap.free_regions() == [(1008, 12), (1028, 8), (1000, 8), (1036, 64)]
    event = heap.allocate_event(Layout(20, 1))
    assert (event.ptr, event.visited) == (1040, 4)
    assert heap.free_regions() == [(1008, 12), (1028, 8), (1000, 8), (1060, 40)]


def next_fit_heap(fit):
    """A 60-byte heap at 0 whose free list is [(0, 8), (10, 10), (20, 5), (40, 5)]."""
    heap = create("free-list", fit=fit, order="insert-back", node_rules=False)
    heap.init(0, 60)
    blocks = [(heap.allocate(Layout(size, 1)), size) for size in (8, 2, 10, 5, 15, 5, 15)]
    for index in (0, 2, 3, 5):
        heap.deallocate(blocks[index][0], Layout(blocks[index][1], 1))
    assert heap.free_regions() == [(0, 8), (10, 10), (20, 5), (40, 5)]
    return heap


def test_next_fit_starts_after_the_node_it_took_and_wraps_around():
    heap = next_fit_heap("next")
    assert heap.rover == 0
    event = heap.allocate_event(Layout(10, 1))  # (0, 8) is too small; (10, 10) fits exactly
    assert (event.ptr, event.visited) == (10, 2)
    assert heap.free_regions() == [(0, 8), (20, 5), (40, 5)]
    assert heap.rover == 1  # at (20, 5), the node after the one taken
    event = heap.allocate_event(Layout(8, 1))  # (20, 5), (40, 5), then wraps to (0, 8)
    assert (event.ptr, event.visited) == (0, 3)
    assert heap.rover == 0  # (20, 5) again, now the head
    event = heap.allocate_event(Layout(6, 1))
    assert (event.ptr, event.visited) == (None, 2)
    assert heap.rover == 0


def test_first_fit_on_the_same_list_starts_from_the_head():
    heap = next_fit_heap("first")
    assert heap.allocate_event(Layout(10, 1)).visited == 2
    event = heap.allocate_event(Layout(8, 1))
    assert (event.ptr, event.visited) == (0, 1)


@pytest.mark.parametrize(("leftover", "second"), [("in-place", 16), ("push", 48)])
def test_next_fit_starts_at_a_leftover_left_in_place_else_after_the_node(leftover, second):
    heap = create("free-list", fit="next", order="insert-back", leftover=leftover)
    heap.init(0, 64)
    a, _, c = (heap.allocate(Layout(size, 8)) for size in (32, 16, 16))
    heap.deallocate(a, Layout(32, 8))
    heap.deallocate(c, Layout(16, 8))
    assert heap.free_regions() == [(0, 32), (48, 16)]
    assert heap.allocate(Layout(16, 8)) == 0  # leaves (16, 16)
    event = heap.allocate_event(Layout(16, 8))
    assert (event.ptr, event.visited) == (second, 1)


def test_first_fit_stops_at_an_address_overflow_best_fit_passes_over_it():
    """The guide's `checked_add(size)?`: a block that would end past 2**64 ends a first
    or next fit search, even when a later node would fit; best fit just skips it."""
    start = ADDRESS_LIMIT - 1 - 64
    for fit, expected in (("first", (None, 1, True)), ("best", (start, 2, False))):
        heap = create("free-list", fit=fit, node_rules=False)
        heap.init(start, 64)
        a, b = heap.allocate(Layout(48, 1)), heap.allocate(Layout(16, 1))
        heap.deallocate(a, Layout(48, 1))
        heap.deallocate(b, Layout(16, 1))
        assert heap.free_regions() == [(start + 48, 16), (start, 48)]
        event = heap.allocate_event(Layout(40, 1))
        assert (event.ptr, event.visited, event.overflowed) == expected


# Discrepancies the machine found against commit ba44de0, each as its smallest case


@pytest.mark.parametrize("coalesce", [False, True])
def test_addrsort_puts_a_freed_region_after_one_at_the_same_address(coalesce):
    """A zero-byte block's region starts where the region it was cut from still does.
    malloc.py appends and sorts stably, so the freed one goes after the equal start
    (and then is not merged: 0 + 16 != 0)."""
    heap = create("free-list", order="addrsort", coalesce=coalesce, node_rules=False)
    heap.init(0, 16)
    assert heap.allocate(Layout(0, 1)) == 0
    heap.deallocate(0, Layout(0, 1))
    assert heap.free_regions() == [(0, 16), (0, 0)]


def test_a_block_never_takes_a_live_zero_byte_blocks_address():
    heap = create("free-list", node_rules=False)
    heap.init(0, 16)
    zero = heap.allocate_event(Layout(0, 1))
    with pytest.raises(HeapError):
        heap.allocate_event(Layout(8, 1))
    assert heap.allocations()[0].layout == Layout(0, 1)
    heap.revert(zero)
    assert heap.free_regions() == [(0, 16)] and not heap.allocations()


def test_undoing_a_coalescing_free_above_2_to_the_63():
    heap = create("free-list", coalesce=True)
    heap.init(ADDRESS_LIMIT - 40, 32)
    block = heap.allocate(Layout(16, 8))
    event = heap.deallocate_event(block, Layout(16, 8))
    assert heap.free_regions() == [(ADDRESS_LIMIT - 40, 32)]
    heap.revert(event)
    assert heap.free_regions() == [(ADDRESS_LIMIT - 24, 16)]


def test_next_fit_roves_to_a_zero_byte_node_after_the_one_it_took():
    """The rover follows the node after the one taken, even a zero-byte one (left by a
    freed zero-byte block): it holds no address for the heap to find it by."""
    heap = create("free-list", fit="next", order="insert-back", node_rules=False)
    heap.init(0, 8)
    heap.allocate(Layout(0, 1))
    heap.deallocate(0, Layout(0, 1))
    assert heap.free_regions() == [(0, 8), (0, 0)] and heap.rover == 0
    assert heap.allocate(Layout(0, 1)) == 0  # takes (0, 8); the node after it is (0, 0)
    assert heap.free_regions() == [(0, 0), (0, 8)]  # (0, 8) pushed back at the end
    assert heap.rover == 0  # at (0, 0), not at (0, 8)


def test_next_fits_rover_follows_its_node_through_a_merge_by_position():
    """Found by the state machine: a zero-byte node merged into another zero-byte node at
    the same start holds no address, so the rover must follow it by list position."""
    params = dict(fit="next", order="sizesort-", coalesce=True, node_rules=False)
    heap, ref = create("free-list", **params), ReferenceHeap(0, 1, **params)
    heap.init(0, 1)
    for _ in range(2):
        ptr = heap.allocate(Layout(0, 1))
        assert ref.allocate(0, 1)[0] == ptr
        heap.deallocate(ptr, Layout(0, 1))
        ref.deallocate(ptr)
        assert (heap.free_regions(), heap.rover) == (ref.free_regions(), ref.rover)

"""The fixed-size-block heap: blog_os's rules by hand, then random operations against the
plain reference (`fixed_blocks_reference.ReferenceFixedBlocks`), undo included.

After every step of the state machine the heap and the reference hold the same live
blocks, the same blocks in each list in the same order, the same fallback free list
in the same order and the same byte counts; blocks, free pieces and lost bytes tile
the heap; every event explains itself with steps whose lines are in the listing;
undoing everything gives back the first state exactly.
"""

import copy
import itertools
from functools import partial

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from orbita_gui.core import registry
from orbita_gui.core.allocators.fixed_blocks import FixedBlockHeap
from orbita_gui.core.errors import (
    InvalidFreeError,
    InvalidParameterError,
    LayoutMismatchError,
    RevertError,
)
from orbita_gui.core.layout import ISIZE_MAX, Layout
from orbita_gui.core.listing import listing
from orbita_gui.core.protocols import SizeClassHeap

from .explaining import reasons
from .fixed_blocks_reference import BLOCK_SIZES, ReferenceFixedBlocks
from .free_list_reference import ADDRESS_LIMIT
from .undo_rules import UndoRules

LISTING = listing("fixed_blocks.rs")
START = 0x10000


def heap(size: int = 8192, **params) -> FixedBlockHeap:
    made = registry.create("fixed-blocks", **params)
    made.init(START, size)
    return made


def explained(event) -> list[str]:
    """The event's reasons, checked (`explaining.reasons`)."""
    return reasons(event, LISTING)


def said(event) -> list[str]:
    """The listing's lines the event's steps point at."""
    return [LISTING.lines[LISTING.line_of(step.code_line)].strip() for step in event.steps]


def tiles(fixed: FixedBlockHeap) -> None:
    """Live blocks and free pieces never overlap and stay in the heap; the bytes in
    neither are the lost ones."""
    starts, sizes = fixed.free_region_arrays()
    pieces = [(b.start, b.end) for b in fixed.allocations().values()]
    pieces += [(s, s + n) for s, n in zip(starts.tolist(), sizes.tolist(), strict=True)]
    pieces.sort()
    for (_, end), (start, _) in itertools.pairwise(pieces):
        assert end <= start
    low, high = fixed.heap_start, fixed.heap_start + fixed.heap_size
    assert all(low <= start and end <= high for start, end in pieces)
    stats = fixed.stats()
    assert sum(end - start for start, end in pieces) == stats.allocated + stats.free
    assert stats.allocated + stats.free + stats.lost == stats.total


# Rounding


@pytest.mark.parametrize(
    ("size", "align", "block"),
    [
        (24, 8, 32),
        (8, 64, 64),
        (2048, 8, 2048),
        (2049, 8, None),
        (0, 1, 8),
        (9, 1, 16),
        (16, 16, 16),
        (17, 4, 32),
        (1, 2048, 2048),
        (1, 4096, None),
    ],
)
def test_a_request_takes_the_smallest_block_that_holds_its_size_and_alignment(size, align, block):
    fixed = heap()
    event = fixed.allocate_event(Layout(size, align))
    assert event.block_size == block and not event.failed
    if block is None:
        assert event.fallback.layout == Layout(size, align)
        assert event.block is event.fallback.block  # as the fallback reports it
        assert said(event)[:2] == [
            "None => allocator.fallback_alloc(layout),",
            "match self.fallback_allocator.allocate_first_fit(layout) {",
        ]
        assert explained(event)[0].startswith(
            f"{size:,} B is larger than 2,048" if size > 2048 else "an alignment of 4,096"
        )
    else:
        assert event.block == (event.ptr, Layout(size, align), block, 0, 0)
        assert event.ptr % block == 0
        assert explained(event)[0] == (
            f"{size:,} B aligned to {align:,} takes {'an' if block == 8 else 'a'} "
            f"{block:,}-byte block: the smallest size that holds both"
        )


def test_an_empty_list_takes_a_block_from_the_fallback_sized_and_aligned_to_the_block():
    fixed = heap()
    fixed.allocate_event(Layout(16, 8))  # the fallback's region no longer starts 32-aligned
    event = fixed.allocate_event(Layout(24, 8))
    assert event.fallback.layout == Layout(32, 32)
    assert fixed.fallback.allocations()[event.ptr].layout == Layout(32, 32)
    assert event.ptr == START + 32 and event.search is event.fallback
    reasons = explained(event)
    assert (
        reasons[1]
        == "the 32-byte list is empty: take a 32-byte block aligned to 32 from the fallback"
    )
    assert "fallback: 16 B of padding in front of the block are lost for good" in reasons
    assert said(event)[1] == "let block_size = BLOCK_SIZES[index];"
    assert said(event)[-1] == "allocator.fallback_alloc(layout)"


def test_a_freed_block_is_reused_next_last_in_first_out():
    fixed = heap()
    a, b, c = (fixed.allocate_event(Layout(24, 8)).ptr for _ in range(3))
    fixed.deallocate_event(a, Layout(24, 8))
    fixed.deallocate_event(b, Layout(24, 8))
    assert fixed.free_lists()[2] == [b, a]
    first = fixed.allocate_event(Layout(17, 1))
    assert first.ptr == b and first.fallback is None and first.search is None
    pop = f"pop the head of the 32-byte list: {b:#x}; its next is the new head"
    assert explained(first)[1] == pop
    assert said(first)[1] == "allocator.list_heads[index] = node.next.take();"
    assert fixed.allocate_event(Layout(32, 32)).ptr == a
    new = fixed.allocate_event(Layout(24, 8))
    assert new.fallback is not None and new.ptr == c + 32


def test_blocks_never_go_back_to_the_fallback_and_larger_ones_do():
    fixed = heap()
    small = fixed.allocate_event(Layout(100, 8))
    large = fixed.allocate_event(Layout(3000, 8))
    before = fixed.fallback.free_regions()
    release = fixed.deallocate_event(small.ptr, Layout(100, 8))
    assert fixed.fallback.free_regions() == before
    assert small.ptr in fixed.fallback.allocations() and small.ptr not in fixed.allocations()
    assert fixed.free_lists()[4] == [small.ptr] and release.fallback is None
    assert said(release)[-1] == "allocator.list_heads[index] = Some(&mut *new_node_ptr);"
    release = fixed.deallocate_event(large.ptr, Layout(3000, 8))
    assert fixed.fallback.free_regions()[0] == (large.ptr, 3000)
    assert large.ptr not in fixed.fallback.allocations()
    assert explained(release)[0] == "3,000 B is larger than 2,048: the fallback allocates it"
    assert explained(release)[1].startswith("fallback: the 3,000 B block goes at the front")


def test_the_stats_count_waiting_blocks_free_and_the_fallbacks_extra_bytes_lost():
    fixed = heap(4096)
    tiny = fixed.allocate_event(Layout(8, 8))  # the fallback takes 16 B for it (a ListNode)
    assert fixed.fallback.allocations()[tiny.ptr].size == 16
    assert "so the 8 B after it are lost" in explained(tiny)[-1]
    wide = fixed.allocate_event(Layout(64, 64))  # 48 B of the fallback's padding in front
    fixed.allocate_event(Layout(5000, 8))  # fails: nothing changes
    fixed.deallocate_event(wide.ptr, Layout(64, 64))
    stats = fixed.stats()
    assert (stats.allocated, stats.lost, stats.requested) == (8, 8 + 48, 8)
    assert stats.free == 4096 - 16 - 48 - 64 + 64 and stats.free_regions == 2
    assert stats.largest_free == 4096 - 128
    assert stats.allocated + stats.free + stats.lost == stats.total == 4096
    tiles(fixed)


def test_size_classes_are_the_lists_head_first_then_the_fallbacks_list():
    fixed = heap()
    assert isinstance(fixed, SizeClassHeap)
    ptrs = [fixed.allocate_event(Layout(64, 8)).ptr for _ in range(3)]
    large = fixed.allocate_event(Layout(4000, 8)).ptr
    for ptr in ptrs:
        fixed.deallocate_event(ptr, Layout(64, 8))
    fixed.deallocate_event(large, Layout(4000, 8))
    classes = fixed.size_classes()
    assert [c.label for c in classes] == [f"{size:,} B" for size in BLOCK_SIZES] + [
        "larger: the fallback's free list"
    ]
    assert list(classes[3].starts) == ptrs[::-1] and list(classes[3].sizes) == [64] * 3
    assert all(not c.starts for i, c in enumerate(classes[:-1]) if i != 3)
    assert list(zip(classes[-1].starts, classes[-1].sizes, strict=True)) == (
        fixed.fallback.free_regions()
    )
    starts, sizes = fixed.free_region_arrays()
    assert starts.tolist() == [*classes[-1].starts, *ptrs[::-1]]
    assert sizes.tolist() == [*classes[-1].sizes, 64, 64, 64]
    assert starts.dtype == np.uint64 and not fixed.allocations()


def test_realloc_always_moves_even_within_its_class():
    fixed = heap()
    old = fixed.allocate_event(Layout(20, 4)).ptr
    event = fixed.realloc_event(old, Layout(20, 4), 30)
    assert event.new_ptr != old and fixed.free_lists()[2] == [old]
    reasons = explained(event)
    assert "the old 32-byte block would hold it" in reasons[0]
    assert f"copy 20 B from {old:#x} to {event.new_ptr:#x}, then free the old block" in reasons
    assert said(event)[0] == "let new_ptr = self.alloc(new_layout);"
    fixed.revert(event)
    assert fixed.allocations()[old].layout == Layout(20, 4) and fixed.free_lists()[2] == []
    assert not fixed.fallback.allocations().keys() - {old}


def test_a_failed_realloc_keeps_the_old_block():
    fixed = heap(64)
    old = fixed.allocate_event(Layout(16, 8)).ptr
    event = fixed.realloc_event(old, Layout(16, 8), 100)
    assert event.failed and not event.blocks_made and not event.blocks_freed
    assert explained(event)[-1] == "realloc returns null: the old block stays where it is"
    assert old in fixed.allocations()
    fixed.revert(event)  # changed nothing: nothing to undo
    assert old in fixed.allocations()


def test_reverting_frees_and_allocations_puts_every_list_back_in_its_order():
    fixed = heap()
    ptrs = [fixed.allocate_event(Layout(24, 8)).ptr for _ in range(4)]
    events = [fixed.deallocate_event(ptr, Layout(24, 8)) for ptr in ptrs]
    events.append(fixed.allocate_event(Layout(24, 8)))
    assert fixed.free_lists()[2] == ptrs[-2::-1]
    fixed.revert(events.pop())
    assert fixed.free_lists()[2] == ptrs[::-1]
    fixed.revert(events.pop())
    assert fixed.free_lists()[2] == ptrs[-2::-1] and ptrs[-1] in fixed.allocations()
    while events:
        fixed.revert(events.pop())
    assert fixed.free_lists()[2] == [] and sorted(fixed.allocations()) == ptrs


def test_revert_refuses_an_event_that_is_not_the_latest():
    fixed = heap()
    first = fixed.allocate_event(Layout(24, 8))
    second = fixed.allocate_event(Layout(24, 8))
    fixed.deallocate_event(first.ptr, Layout(24, 8))
    with pytest.raises(RevertError, match="is not the latest"):
        fixed.revert(second)
    other = heap()
    other.allocate_event(Layout(24, 8))
    with pytest.raises(RevertError, match="is not the latest"):  # another heap's
        other.revert(first)
    with pytest.raises(RevertError, match="not an operation of a fixed-block heap"):
        fixed.revert(registry.create("guide").allocate_event(Layout(8, 8)))


def test_a_wild_or_double_free_or_another_layout_is_refused_before_any_change():
    fixed = heap()
    ptr = fixed.allocate_event(Layout(24, 8)).ptr
    with pytest.raises(LayoutMismatchError, match="was allocated with"):
        fixed.deallocate_event(ptr, Layout(32, 8))
    fixed.deallocate_event(ptr, Layout(24, 8))
    with pytest.raises(InvalidFreeError, match="double free or wild pointer"):
        fixed.deallocate_event(ptr, Layout(24, 8))
    assert fixed.free_lists()[2] == [ptr]


@pytest.mark.parametrize("largest", [0, 4, 24, 4096 * 1024, "64", True])
def test_the_largest_block_is_a_power_of_two_from_8_to_1_mib(largest):
    with pytest.raises(InvalidParameterError, match="largest_block"):
        FixedBlockHeap(largest)


def test_a_smaller_largest_block_sends_more_to_the_fallback():
    fixed = heap(largest_block=64)
    assert fixed.block_sizes == (8, 16, 32, 64) and fixed.params == {"largest_block": 64}
    event = fixed.allocate_event(Layout(100, 8))
    assert event.block_size is None and len(fixed.size_classes()) == 5
    assert explained(event)[0] == "100 B is larger than 64: the fallback allocates it"


# Random operations against the reference

ALIGNS = st.one_of(
    st.sampled_from([1, 2, 4, 8, 16]), st.sampled_from([32, 64, 128, 256, 2048, 4096])
)
SIZES = st.one_of(
    st.sampled_from([8, 24, 32]),  # the same few lists, deep enough to keep an order
    st.integers(0, 80),
    st.integers(0, 300),
    st.integers(0, 2100),
    st.integers(2000, 5000),
    st.integers(0, ISIZE_MAX - 8191),  # address overflow, and nothing fits
)


class HeapBesideReference(UndoRules):
    @initialize(data=st.data())
    def start(self, data):
        size = data.draw(
            st.one_of(st.integers(16, 300), st.integers(8192, 65_536)), label="heap_size"
        )
        low = st.integers(1, 0x4000)
        high = st.integers(1, 0x400).map(lambda k: ADDRESS_LIMIT - size - k)
        start = data.draw(st.one_of(low, high), label="heap_start") & ~7
        self.heap = FixedBlockHeap()
        self.heap.init(start, size)
        self.ref = ReferenceFixedBlocks(start, size)
        self.events, self.history = [], []
        self.first_state = self.state()

    def state(self):
        fixed = self.heap
        return (
            dict(fixed.allocations()),
            fixed.free_lists(),
            fixed.fallback.free_regions(),
            dict(fixed.fallback.allocations()),
            fixed.stats(),
        )

    def apply(self, operation, ref_operation):
        """Both results; the event is kept for undo, with a copy of the reference."""
        self.history.append(copy.deepcopy(self.ref))
        event = operation()
        self.events.append(event)
        explained(event)
        return event, ref_operation()

    def live(self, data):
        live = sorted(self.heap.allocations())
        return data.draw(st.sampled_from(live), label="block") if live else None

    @rule(size=SIZES, align=ALIGNS, count=st.integers(1, 6))
    def allocate(self, size, align, count):
        """Several of the same layout in a row: lists to fill, then to empty."""
        for _ in range(count):
            event, expected = self.apply(
                partial(self.heap.allocate_event, Layout(size, align)),
                partial(self.ref.allocate, size, align),
            )
            assert event.ptr == expected

    @rule(data=st.data(), count=st.integers(1, 6))
    def deallocate(self, data, count):
        """Several frees in a row, so that lists grow deep enough to have an order."""
        for _ in range(count):
            ptr = self.live(data)
            if ptr is None:
                return
            layout = self.heap.allocations()[ptr].layout
            self.apply(
                partial(self.heap.deallocate_event, ptr, layout), partial(self.ref.deallocate, ptr)
            )

    @rule(data=st.data(), new_size=SIZES)
    def realloc(self, data, new_size):
        ptr = self.live(data)
        if ptr is not None:
            layout = self.heap.allocations()[ptr].layout
            event, expected = self.apply(
                lambda: self.heap.realloc_event(ptr, layout, new_size),
                lambda: self.ref.realloc(ptr, new_size),
            )
            assert event.new_ptr == expected

    def reverter(self):
        return self.heap

    @invariant()
    def same_state_as_the_reference(self):
        fixed, ref = self.heap, self.ref
        blocks = {
            ptr: (block.size, block.padding, block.layout.size, block.layout.align)
            for ptr, block in fixed.allocations().items()
        }
        assert blocks == ref.blocks()
        assert fixed.free_lists() == ref.free_lists()
        assert fixed.fallback.free_regions() == ref.fallback.free_regions()
        stats = fixed.stats()
        assert {name: getattr(stats, name) for name in ref.stats()} == ref.stats()

    @invariant()
    def pieces_tile_the_heap(self):
        tiles(self.heap)


def test_the_heap_matches_the_reference_address_for_address():
    run_state_machine_as_test(
        HeapBesideReference,
        settings=settings(
            max_examples=100,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

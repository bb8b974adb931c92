import re

import pytest

from orbita_gui.core import (
    HEAP_SIZE,
    HEAP_START,
    InvalidFreeError,
    InvalidHeapRegionError,
    Layout,
    LayoutError,
    LayoutMismatchError,
    LeftoverPushed,
    LinkedListAllocator,
    PaddingLost,
    RegionVisit,
    RevertError,
    Verdict,
    VisitsNotKept,
    kernel,
)
from orbita_gui.core.events import VISITS_KEPT

L24 = Layout(24, 8)


def make_heap(start=HEAP_START, size=HEAP_SIZE):
    heap = LinkedListAllocator()
    heap.init(start, size)
    return heap


def snapshot(heap):
    return heap.free_regions(), dict(heap.allocations()), heap.stats()


def test_first_block_is_at_the_heap_start_and_the_rest_goes_to_the_front():
    heap = make_heap()
    assert heap.allocate(L24) == HEAP_START
    assert heap.free_regions() == [(HEAP_START + 24, HEAP_SIZE - 24)]


def test_a_freed_block_goes_to_the_front_and_is_never_merged():
    heap = make_heap()
    a = heap.allocate(L24)
    b = heap.allocate(L24)
    heap.deallocate(a, L24)
    heap.deallocate(b, L24)
    assert heap.free_regions() == [(b, 24), (a, 24), (HEAP_START + 48, HEAP_SIZE - 48)]


def test_first_fit_takes_the_first_region_in_list_order_not_the_best():
    heap = make_heap(0x1000, 1024)
    a = heap.allocate(Layout(64, 8))
    heap.allocate(Layout(16, 8))
    b = heap.allocate(Layout(32, 8))
    heap.allocate(Layout(16, 8))
    heap.deallocate(a, Layout(64, 8))
    heap.deallocate(b, Layout(32, 8))
    # List: b (32), a (64), the tail. A 32-byte request fits b exactly: taken whole.
    assert heap.allocate(Layout(32, 8)) == b
    # A 24-byte request would leave 8 bytes of a 32-byte region... b is gone; a (64) fits.
    assert heap.allocate(Layout(24, 8)) == a


def test_a_region_that_would_leave_1_to_15_bytes_is_passed_over():
    heap = make_heap(0x1000, 1024)
    a = heap.allocate(Layout(32, 8))
    heap.allocate(Layout(16, 8))
    heap.deallocate(a, Layout(32, 8))
    event = heap.allocate_event(Layout(24, 8))  # 32 - 24 = 8 bytes: too few for a node
    assert event.ptr == 0x1000 + 48
    assert event.steps[0] == RegionVisit(0, a, 32, a, Verdict.LEFTOVER_TOO_SMALL)
    assert event.steps[1].verdict is Verdict.CHOSEN
    assert heap.free_regions()[1] == (a, 32)


def test_alignment_padding_is_lost_not_returned():
    heap = make_heap(0x1000, 1024)
    heap.allocate(Layout(16, 8))  # the next free byte is 0x1010
    event = heap.allocate_event(Layout(64, 64))
    assert event.ptr == 0x1040
    assert event.padding == 0x30
    assert PaddingLost(0x1010, 0x30) in event.steps
    assert LeftoverPushed(0x1080, 1024 - 0x80) in event.steps
    stats = heap.stats()
    assert stats.lost == 0x30
    assert 0x1010 not in dict(heap.free_regions())
    heap.deallocate(event.ptr, Layout(64, 64))
    assert heap.stats().lost == 0x30  # freeing the block does not give the padding back
    assert heap.free_regions()[0] == (0x1040, 64)


def test_out_of_memory_returns_null_and_changes_nothing():
    heap = make_heap(0x1000, 64)
    heap.allocate(Layout(32, 8))
    before = snapshot(heap)
    event = heap.allocate_event(Layout(64, 8))
    assert event.ptr is None
    assert event.passed_over == 1
    assert (
        event.describe()
        == "allocate(Layout { size: 64, align: 8 }) -> null: out of memory, "
        + ("passed over 1 region")
    )
    assert snapshot(heap) == before


def test_describe_matches_the_log_format():
    heap = make_heap(0x444444440000, 0x2000)
    a = heap.allocate(Layout(16, 8))
    heap.allocate(Layout(16, 8))
    heap.deallocate(a, Layout(16, 8))
    event = heap.allocate_event(Layout(24, 8))
    assert event.describe() == (
        "allocate(Layout { size: 24, align: 8 }) -> 0x444444440020: "
        "passed over 1 region, split a 8,160-byte region"
    )


def test_realloc_allocates_new_then_frees_old():
    heap = make_heap(0x1000, 1024)
    a = heap.allocate(Layout(16, 8))
    event = heap.realloc_event(a, Layout(16, 8), 40)
    assert event.new_ptr == 0x1010
    assert heap.free_regions()[0] == (a, 16)  # the old block, freed last, is the head
    assert heap.allocations()[0x1010].layout == Layout(40, 8)
    assert a not in heap.allocations()
    assert event.describe().startswith(
        "realloc(0x1000, Layout { size: 16, align: 8 }, 40) -> 0x1010"
    )


def test_failed_realloc_keeps_the_old_block():
    heap = make_heap(0x1000, 64)
    a = heap.allocate(Layout(16, 8))
    before = snapshot(heap)
    assert heap.realloc(a, Layout(16, 8), 4096) is None
    assert snapshot(heap) == before


def test_stats_account_for_every_byte():
    heap = make_heap(0x1000, 1024)
    a = heap.allocate(Layout(10, 8))  # 16-byte block for 10 requested
    heap.allocate(Layout(64, 64))  # 48 bytes of padding
    heap.deallocate(a, Layout(10, 8))
    stats = heap.stats()
    assert stats.allocated == 64
    assert stats.requested == 64
    assert stats.lost == 48
    assert stats.free == 1024 - 64 - 48
    assert stats.allocated + stats.free + stats.lost == stats.total == 1024
    assert stats.free_regions == 2
    assert stats.largest_free == 1024 - 128
    assert stats.external_fragmentation == pytest.approx(1 - (1024 - 128) / (1024 - 112))


@pytest.mark.parametrize(
    ("start", "size", "message"),
    [
        (0x1004, 1024, "not 8-byte aligned"),
        (-8, 1024, "not 8-byte aligned"),
        (0x1000, 8, "under 16 bytes"),
        ((1 << 64) - 0x1000, 0x1000, "overflows"),
        (0x1000, 1024.0, "integers"),
    ],
)
def test_invalid_heap_regions_are_refused(start, size, message):
    heap = LinkedListAllocator()
    with pytest.raises(InvalidHeapRegionError, match=message):
        heap.init(start, size)
    assert heap.free_regions() == []


def test_a_heap_cannot_be_initialised_twice():
    heap = make_heap()
    with pytest.raises(InvalidHeapRegionError, match="already initialised"):
        heap.init(0x1000, 4096)
    assert heap.stats().total == HEAP_SIZE


def test_bad_frees_raise_and_change_nothing():
    heap = make_heap()
    a = heap.allocate(L24)
    heap.allocate(Layout(48, 16))
    heap.deallocate(a, L24)
    before = snapshot(heap)
    with pytest.raises(InvalidFreeError, match="double free"):
        heap.deallocate(a, L24)
    with pytest.raises(InvalidFreeError, match="0x1234 is not a live allocation"):
        heap.deallocate(0x1234, L24)
    with pytest.raises(
        LayoutMismatchError, match=re.escape("allocated with Layout { size: 48, align: 16 }")
    ):
        heap.deallocate(HEAP_START + 32, Layout(48, 8))
    with pytest.raises(InvalidFreeError):
        heap.realloc(a, L24, 64)
    with pytest.raises(LayoutError):
        heap.realloc(HEAP_START + 32, Layout(48, 16), -1)
    assert snapshot(heap) == before


def test_overflowing_address_ends_the_search_with_null():
    """Near the top of the address space the guide's `checked_add(size)?` returns None
    from the whole search, even if a later region would fit."""
    top = (1 << 64) - 0x1000 - 8
    heap = make_heap(top - 0x1000, 0x2000)
    low = heap.allocate(Layout(0x800, 8))
    heap.deallocate(low, Layout(0x800, 8))  # list: low (0x800), rest (0x1800, up to the top)
    assert heap.free_regions()[0] == (low, 0x800)
    huge = Layout((1 << 63) - 64, 64)
    event = heap.allocate_event(huge)
    assert event.ptr is None
    assert event.passed_over == 1  # the head's block would end past 2**64: search over
    assert event.steps[0].verdict is Verdict.ADDRESS_OVERFLOW
    assert "address overflow" in event.describe()


def test_allocations_are_a_read_only_view():
    heap = make_heap()
    a = heap.allocate(L24)
    view = heap.allocations()
    assert view[a].layout == L24 and view[a].size == 24 and view[a].padding == 0
    with pytest.raises(TypeError):
        view[0] = None


def test_revert_restores_the_exact_state():
    heap = make_heap(0x1000, 2048)
    events, states = [], []
    requests = [
        lambda: heap.allocate_event(Layout(40, 8)),
        lambda: heap.allocate_event(Layout(100, 64)),
        lambda: heap.allocate_event(Layout(16, 8)),
        lambda: heap.deallocate_event(0x1000, Layout(40, 8)),
        lambda: heap.allocate_event(Layout(24, 8)),
        lambda: heap.realloc_event(0x1040, Layout(100, 64), 300),
        lambda: heap.allocate_event(Layout(9999, 8)),
    ]
    for request in requests:
        states.append(snapshot(heap))
        events.append(request())
    while events:
        heap.revert(events.pop())
        assert snapshot(heap) == states.pop()
    assert heap.free_regions() == [(0x1000, 2048)]


def test_reverting_out_of_order_is_refused():
    heap = make_heap()
    first = heap.allocate_event(L24)
    heap.allocate_event(L24)
    before = snapshot(heap)
    with pytest.raises(RevertError, match="not the latest"):
        heap.revert(first)
    assert snapshot(heap) == before


def test_guide_global_heap(monkeypatch):
    monkeypatch.setattr(kernel, "ALLOCATOR", kernel.HeapAllocator())
    assert kernel.heap_stats().total == 0
    kernel.init_heap(HEAP_START, HEAP_SIZE)
    ptr = kernel.ALLOCATOR.alloc(L24)
    assert ptr == HEAP_START
    assert kernel.heap_stats().allocated == 24
    kernel.ALLOCATOR.dealloc(ptr, L24)
    assert kernel.heap_stats().allocated == 0


def test_a_long_search_keeps_a_bounded_copy_of_its_visits():
    heap = make_heap(0x1000, 64 * 1024)
    ptrs = [heap.allocate(Layout(16, 8)) for _ in range(600)]
    for ptr in ptrs[::2]:
        heap.deallocate(ptr, Layout(16, 8))  # 300 nodes of 16 bytes, then the tail
    before = snapshot(heap)
    event = heap.allocate_event(Layout(64, 8))
    assert event.passed_over == 300
    assert len(event.passed_starts) == VISITS_KEPT
    assert VisitsNotKept(300 - VISITS_KEPT) in event.steps
    assert event.steps[-2].position == 300 and event.steps[-2].verdict is Verdict.CHOSEN
    assert "passed over 300 regions" in event.describe()
    heap.revert(event)
    assert snapshot(heap) == before


def test_an_event_that_forgets_its_visits_keeps_their_count_its_text_and_exact_revert():
    heap = make_heap(0x1000, 64 * 1024)
    ptrs = [heap.allocate(Layout(16, 8)) for _ in range(20)]
    for ptr in ptrs[::2]:
        heap.deallocate(ptr, Layout(16, 8))  # 10 nodes of 16 bytes, then the tail
    before = snapshot(heap)
    event = heap.allocate_event(Layout(64, 8))
    text, steps = event.describe(), event.steps
    assert len(event.passed_starts) == 10 and steps[0].verdict is Verdict.TOO_SMALL
    event.forget_visits()
    assert len(event.passed_starts) == len(event.passed_sizes) == 0
    assert event.passed_over == 10 and event.describe() == text
    assert event.steps == (VisitsNotKept(10), *steps[10:])
    heap.revert(event)
    assert snapshot(heap) == before


def test_a_search_that_passed_over_nothing_keeps_no_copy():
    heap = make_heap()
    event = heap.allocate_event(L24)
    assert event.visits is None and len(event.passed_starts) == 0
    assert event.block is heap.allocations()[event.ptr]  # the heap's own record, shared

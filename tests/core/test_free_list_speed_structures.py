"""The indexed free list (`free_list_index`) against the plain numpy store it replaces.

Every combination of rules that gets an index runs the same random operations on
two heaps: one indexed, one forced onto `FreeListStore` (the reference: searched
in full by numpy). After every operation their events must say the same thing
(position, nodes visited, the nodes passed over, where the leftover went, the
rover), their free lists must be equal, and undo must take both back alike. The
visits are read at once for some events and only several operations later for
others: the index copies them lazily and must still give what the search saw.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from orbita_gui.core.allocators.free_list_heap import FreeListHeap
from orbita_gui.core.allocators.free_list_index import IndexedFreeList
from orbita_gui.core.allocators.heap_rules import FITS, LEFTOVERS, HeapRules
from orbita_gui.core.errors import HeapError, LayoutError
from orbita_gui.core.layout import Layout


class PlainHeap(FreeListHeap):
    """The heap on the plain store, whatever its rules."""

    def _index_mode(self, heap_size: int) -> str | None:
        return None

    def _sizes_indexed(self) -> bool:
        return False

    def _addresses_indexed(self) -> bool:
        return False


def indexed_rules() -> list[HeapRules]:
    rules = []
    for fit, order, leftover, nodes in itertools.product(
        FITS, ("insert-front", "insert-back"), LEFTOVERS, (True, False)
    ):
        rules.append(HeapRules(fit=fit, order=order, leftover=leftover, node_rules=nodes))
    for fit, coalesce, leftover in itertools.product(FITS, (False, True), LEFTOVERS):
        rules.append(HeapRules(fit=fit, order="addrsort", coalesce=coalesce, leftover=leftover))
    for fit, order, nodes in itertools.product(FITS, ("sizesort+", "sizesort-"), (True, False)):
        rules.append(HeapRules(fit=fit, order=order, node_rules=nodes))
    for fit, coalesce, leftover in itertools.product(("best", "worst"), (False, True), LEFTOVERS):
        rules.append(
            HeapRules(
                fit=fit, order="addrsort", coalesce=coalesce, leftover=leftover, node_rules=False
            )
        )
    return [r for r in rules if FreeListHeap(r)._index_mode(1 << 20) is not None or is_sized(r)]


def is_sized(rules: HeapRules) -> bool:
    heap = FreeListHeap(rules)
    return heap._sizes_indexed() or heap._addresses_indexed()


RULES = indexed_rules()


def event_fields(event) -> tuple:
    if hasattr(event, "allocation") and hasattr(event, "old"):  # a reallocation
        return ("realloc", event_fields(event.allocation), event_fields(event.release))
    if event is None:
        return (None,)
    if hasattr(event, "visited"):
        return (
            event.ptr,
            event.region,
            event.position,
            event.visited,
            event.overflowed,
            event.search_start,
            event.length,
            event.placed,
            event.passed_starts.tolist(),
            event.passed_sizes.tolist(),
            event.describe(),
        )
    return (event.ptr, event.position, event.merges, event.rover, event.describe())


def state(heap: FreeListHeap) -> tuple:
    return heap.free_regions(), dict(heap.allocations()), heap.stats(), heap.rover


def run(rules: HeapRules, seed: int, steps: int = 400) -> None:
    rng = random.Random(seed)
    heap_size = rng.choice([4096, 20_000, 1 << 16, 3 << 20])  # the last: the index grows
    start = 0x1000 * rng.randrange(1, 64)
    fast, plain = FreeListHeap(rules), PlainHeap(rules)
    fast.init(start, heap_size)
    plain.init(start, heap_size)
    assert (fast._index is not None or is_sized(rules)) and plain._index is None
    assert type(plain._free).__name__ == "FreeListStore"
    live: list[tuple[int, Layout]] = []
    history: list[tuple] = []  # (fast event, plain event)
    late: list[tuple] = []  # events whose visits are read later, with what they must say
    big = rng.random() < 0.3
    largest = 60_000 if heap_size > 1 << 16 else 2000 if big else 300
    for _ in range(steps):
        roll = rng.random()
        if history and roll < 0.08:  # undo a few
            for _ in range(rng.randrange(1, 4)):
                if not history:
                    break
                fast_event, plain_event = history.pop()
                fast.revert(fast_event)
                plain.revert(plain_event)
                if fast_event is not None and getattr(fast_event, "block", None) is not None:
                    live.remove((fast_event.ptr, fast_event.layout))
                elif hasattr(fast_event, "allocation") and not hasattr(fast_event, "old"):
                    live.append((fast_event.ptr, fast_event.layout))
                elif hasattr(fast_event, "old") and fast_event.release is not None:
                    live.remove((fast_event.new_ptr, fast_event.allocation.layout))
                    live.append((fast_event.ptr, fast_event.layout))
                assert state(fast) == state(plain)
            continue
        if live and roll < 0.15:  # the plain forms (no event: nothing to undo past them)
            ptr, layout = live.pop(rng.randrange(len(live)))
            fast.deallocate(ptr, layout)
            plain.deallocate(ptr, layout)
            history.clear()
            assert state(fast) == state(plain)
            continue
        if roll < 0.2 and heap_size > 1 << 16:
            layout = Layout(rng.randrange(0, largest), 8)
            ptr = fast.allocate(layout)
            assert ptr == plain.allocate(layout)
            if ptr is not None:
                live.append((ptr, layout))
            history.clear()
            assert state(fast) == state(plain)
            continue
        if live and roll < 0.45:
            ptr, layout = live.pop(rng.randrange(len(live)))
            pair = fast.deallocate_event(ptr, layout), plain.deallocate_event(ptr, layout)
        elif live and roll < 0.55:
            index = rng.randrange(len(live))
            ptr, layout = live[index]
            new_size = rng.randrange(0, 600)
            try:
                fast_event = fast.realloc_event(ptr, layout, new_size)
            except HeapError:  # a zero-byte block where another is
                with pytest.raises(HeapError):
                    plain.realloc_event(ptr, layout, new_size)
                continue
            pair = fast_event, plain.realloc_event(ptr, layout, new_size)
            if pair[0].release is not None:
                live[index] = (pair[0].new_ptr, pair[0].allocation.layout)
        else:
            size = rng.randrange(0, largest)
            align = rng.choice([1, 8, 8, 8, 16, 64, 4096] if rng.random() < 0.2 else [8])
            if rng.random() < 0.01:
                size = (1 << 63) - 8192
            try:
                layout = Layout(size, align)
            except LayoutError:
                continue
            try:
                fast_event = fast.allocate_event(layout)
            except HeapError:
                with pytest.raises(HeapError):
                    plain.allocate_event(layout)
                continue
            pair = fast_event, plain.allocate_event(layout)
            if fast_event.block is not None:
                live.append((fast_event.ptr, layout))
        if rng.random() < 0.5:
            assert event_fields(pair[0]) == event_fields(pair[1])
        else:
            late.append((pair[0], event_fields(pair[1])))
        history.append(pair)
        assert state(fast) == state(plain)
        if len(late) > 5 or rng.random() < 0.1:
            for event, expected in late:
                assert event_fields(event) == expected
            late.clear()
    for event, expected in late:
        assert event_fields(event) == expected
    while history:  # undo everything
        fast_event, plain_event = history.pop()
        fast.revert(fast_event)
        plain.revert(plain_event)
        assert state(fast) == state(plain)


@pytest.mark.parametrize("rules", RULES, ids=lambda r: r.describe())
def test_the_indexed_heap_is_the_plain_heap(rules):
    for seed in range(4):
        run(rules, seed)


def test_the_index_finds_the_first_region_that_fits_past_those_too_small():
    index = IndexedFreeList("front")
    for i in range(5000):
        index.push_back(i * 64, 16 if i != 4321 else 48)
    slot = index.find_first(index.head_slot(), 32, 8, 0, 16, False)
    assert index.rank(slot) == 4321 and index.slot_region(slot) == (4321 * 64, 48)
    assert index.find_first(index.head_slot(), 40, 8, 0, 16, False) is None  # 48 - 40 < 16
    assert index.largest() == 48


def test_lazy_visits_are_copied_before_the_list_changes_under_them():
    heap = FreeListHeap()
    heap.init(0x1000, 1 << 16)
    layout = Layout(16, 8)
    ptrs = [heap.allocate(layout) for _ in range(40)]
    for ptr in ptrs[::2]:
        heap.deallocate(ptr, layout)
    event = heap.allocate_event(Layout(64, 8))  # passes the 20 holes
    expected = np.array(ptrs[::2][::-1], dtype=np.uint64)
    for _ in range(5):  # allocations that take some of the nodes it passed
        heap.allocate(layout)
    assert event.passed_starts.tolist() == expected.tolist()
    assert event.passed_sizes.tolist() == [16] * 20


def test_an_address_ordered_index_reuses_a_gone_lists_tree_emptied():
    def fill(heap: FreeListHeap) -> list:
        layout = Layout(40_000, 8)
        ptrs = [heap.allocate(layout) for _ in range(60)]  # past the first 4,096 slots
        for ptr in ptrs[::3]:
            heap.deallocate(ptr, layout)
        return heap.free_regions()

    rules = HeapRules(order="addrsort", coalesce=True)
    first = FreeListHeap(rules)
    first.init(0x10000, 3 << 20)
    regions = fill(first)
    tree = first._index._t
    del first
    second = FreeListHeap(rules)
    second.init(0x10000, 3 << 20)
    assert second._index._t is tree  # the tree was kept and handed on
    assert second.free_regions() == [(0x10000, 3 << 20)]
    assert fill(second) == regions

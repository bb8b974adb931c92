"""What the heap views mark, worked out without Qt: the list a search saw, what it
looked at, next fit's start, the regions a free joined, blocks with headers."""

import itertools
import random
import subprocess
import sys

import numpy as np
import pytest

from orbita_gui.core.allocators.heap_rules import FITS, LEFTOVERS, ORDERS
from orbita_gui.core.layout import Layout
from orbita_gui.core.registry import create
from orbita_gui.views.heap_segments import BLOCK, FREE, heap_segments
from orbita_gui.views.heap_state import (
    animation_positions,
    heap_search,
    list_before,
    merged_regions,
    rover_position,
    search_picture,
)

HEAP_START = 0x10000


def heap(**rules):
    made = create("free-list", **rules)
    made.init(HEAP_START, 1 << 16)
    return made


def free_list(h):
    return tuple(a.astype(np.int64) for a in h.free_region_arrays())


def holes(h, sizes=(64, 200, 64, 300, 64, 500, 64)):
    """Blocks of `sizes`, then the 200, 300 and 500 freed: holes between 64-byte blocks,
    and the rest of the heap after them."""
    ptrs = [h.allocate(Layout(size, 8)) for size in sizes]
    for ptr, size in list(zip(ptrs, sizes, strict=True))[1::2]:
        h.deallocate(ptr, Layout(size, 8))
    return ptrs


@pytest.mark.parametrize(
    ("fit", "order", "leftover"), list(itertools.product(FITS, ORDERS, LEFTOVERS))
)
def test_the_list_before_an_allocation_comes_back_from_the_list_after(fit, order, leftover):
    h = heap(fit=fit, order=order, leftover=leftover, coalesce=True)
    rng, live = random.Random(7), []
    checked = 0
    for _ in range(150):
        if live and rng.random() < 0.45:
            h.deallocate(*live.pop(rng.randrange(len(live))))
            continue
        layout = Layout(rng.choice([8, 24, 40, 100, 500]), rng.choice([8, 16, 64]))
        before = free_list(h)
        event = h.allocate_event(layout)
        if event.failed:
            continue
        got = list_before(*free_list(h), heap_search(event))
        assert got is not None
        assert got[0].tolist() == before[0].tolist() and got[1].tolist() == before[1].tolist()
        live.append((event.ptr, layout))
        checked += 1
    assert checked > 40


def test_a_list_changed_since_the_search_is_not_guessed():
    h = heap()
    holes(h)
    event = h.allocate_event(Layout(100, 8))
    h.allocate(Layout(16, 8))  # takes the leftover: the list is not the one the search left
    assert list_before(*free_list(h), event) is None
    assert search_picture(*free_list(h), event).before is None  # marks from what it kept


@pytest.mark.parametrize("fit", ["best", "worst"])
def test_best_and_worst_fit_looked_at_every_node(fit):
    h = heap(fit=fit, order="addrsort")
    holes(h)
    starts_before, _ = free_list(h)
    event = h.allocate_event(Layout(250, 8))
    picture = search_picture(*free_list(h), event)
    assert picture.whole_list
    chosen = picture.chosen[0]
    # every node but the chosen one, those after it in the list included
    assert sorted(picture.looked.tolist()) == sorted(set(starts_before.tolist()) - {chosen})
    assert starts_before.tolist().index(chosen) == (1 if fit == "best" else 3)


def test_first_fit_looked_only_up_to_the_node_it_took():
    h = heap(order="addrsort")
    holes(h)
    starts_before, _ = free_list(h)
    event = h.allocate_event(Layout(250, 8))
    picture = search_picture(*free_list(h), event)
    taken = starts_before.tolist().index(picture.chosen[0])
    assert taken == 1 and not picture.whole_list
    assert picture.looked.tolist() == starts_before[:taken].tolist()
    assert "too small" in picture.reasons[int(starts_before[0])]


def test_an_animated_best_fit_search_chooses_only_at_the_end():
    h = heap(fit="best", order="addrsort")
    holes(h)
    length = len(free_list(h)[0])
    event = h.allocate_event(Layout(250, 8))  # the 300, second of four
    chosen = event.position
    assert 0 < chosen < length - 1
    middle = animation_positions(event, length, chosen + 1, done=False)
    assert middle.chosen is None and middle.best == chosen  # met, not yet taken
    assert middle.current == chosen + 1  # the search goes on past it
    assert chosen not in middle.passed
    end = animation_positions(event, length, length, done=True)
    assert end.chosen == chosen and end.current is None
    assert sorted(end.passed) == [p for p in range(length) if p != chosen]


def test_next_fit_looks_from_its_rover_and_wraps():
    h = heap(fit="next")
    holes(h)
    h.allocate(Layout(400, 8))  # from the rest of the heap: the list is [rest, 504, 304, 200]
    length = len(free_list(h)[0])
    rover = rover_position(h, length)
    assert rover == 1
    event = h.allocate_event(Layout(600, 8))  # passes 504, 304, 200, wraps to the rest
    assert event.search_start == rover and event.position == 0
    shown = animation_positions(event, length, 1, done=False)
    assert shown.passed == [1] and shown.current == 2
    shown = animation_positions(event, length, 3, done=False)
    assert shown.passed == [1, 2, 3] and shown.current == 0  # wrapped to the head
    assert animation_positions(event, length, 4, done=True).chosen == 0


def test_other_fits_have_no_rover():
    h = heap(fit="first")
    holes(h)
    assert rover_position(h, len(free_list(h)[0])) is None


def test_a_coalescing_free_names_the_regions_it_joined():
    h = heap(order="addrsort", coalesce=True)
    ptrs = holes(h)  # block 64 | free 200 | block 64 | free 304 | ...
    event = h.deallocate_event(ptrs[2], Layout(64, 8))
    (region,) = merged_regions(*free_list(h), event)
    assert region.sizes == (200, 64, 304) and region.count == 3
    assert region.start == ptrs[1] and region.end == ptrs[1] + 568
    assert region.describe() == "joined 3 regions: 200 + 64 + 304 = 568 bytes"


def test_a_free_without_coalescing_joins_nothing():
    h = heap(order="addrsort")
    ptrs = holes(h)
    event = h.deallocate_event(ptrs[2], Layout(64, 8))
    assert merged_regions(*free_list(h), event) == ()


def test_segments_draw_a_block_with_its_header():
    h = heap(header=16)
    ptr = h.allocate(Layout(40, 8))
    segments = heap_segments(h)
    assert segments.kinds.tolist()[:2] == [BLOCK, FREE]
    assert segments.starts[0] == HEAP_START and segments.ptrs[0] == ptr == HEAP_START + 16
    assert segments.ends[0] == segments.starts[1] == HEAP_START + 56  # 16 + 40, no gap


def test_the_state_modules_need_no_qt():
    code = (
        "import sys\n"
        "import orbita_gui.views.frame_codes, orbita_gui.views.heap_segments\n"
        "import orbita_gui.views.heap_state\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""The heap map and the free list: segments, pixels, clicks and hover links."""

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from orbita_gui.core import HEAP_SIZE, HEAP_START
from orbita_gui.model.search_animation import SearchAnimation
from orbita_gui.views import palette
from orbita_gui.views.free_list_view import FreeListView, before_allocation
from orbita_gui.views.heap_map import HeapMapView
from orbita_gui.views.heap_segments import BLOCK, FREE, LOST, heap_segments

from .conftest import pixel


@pytest.fixture
def fragmented(model):
    """Blocks a (24), b (64, 64-aligned: 40 bytes lost), c (100); a freed; then 16 more."""
    a = model.allocate(24, 8).ptr
    b = model.allocate(64, 64).ptr
    c = model.allocate(100, 8).ptr
    model.free_block(a)
    d = model.allocate(40, 8).ptr  # passes over a (24 < 40), splits the tail
    return {"a": a, "b": b, "c": c, "d": d}


def show(qtbot, view, width=900):
    qtbot.addWidget(view)
    view.resize(width, view.heightForWidth(width) if view.hasHeightForWidth() else 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def hover(view, point):
    """Deliver a plain mouse move (no button held) to the view."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(point),
        QPointF(view.mapToGlobal(point)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view, event)


def empty_corner(view, item):
    """A point inside a node's box, clear of its text."""
    box = view._box(item)
    return QPoint(int(box.right()) - 12, int(box.bottom()) - 8)


def middle(view, start, end):
    box = view._rects(start, end)[0]
    return box.center().toPoint()


def test_segments_cover_the_heap_in_address_order(model, fragmented):
    segments = heap_segments(model.machine.heap)
    kinds = segments.kinds.tolist()
    assert segments.starts[0] == HEAP_START and segments.ends[-1] == HEAP_START + HEAP_SIZE
    assert (segments.starts[1:] == segments.ends[:-1]).all()  # no gap, no overlap
    assert kinds[:5] == [FREE, LOST, BLOCK, BLOCK, BLOCK]  # a (freed), padding, b, c, d
    assert segments.ends[1] - segments.starts[1] == 40
    assert segments.at(fragmented["b"] + 10) == 2
    assert segments.at(HEAP_START - 1) is None


def test_map_pixels_show_blocks_free_and_lost(qtbot, model, fragmented):
    view = show(qtbot, HeapMapView(model), width=1800)  # wide enough for small blocks
    lost = middle(view, HEAP_START + 24, HEAP_START + 64)
    assert pixel(view, lost) == palette.LOST.name()
    assert pixel(view, middle(view, HEAP_START + 5000, HEAP_START + 6000)) == palette.FREE.name()
    c = fragmented["c"]
    assert pixel(view, middle(view, c + 10, c + 90)) == palette.USED.name()
    view.cleanup()


def test_clicking_a_block_frees_it_and_ctrl_click_selects(qtbot, model, fragmented):
    view = show(qtbot, HeapMapView(model), width=1800)
    c = fragmented["c"]
    qtbot.mouseClick(
        view,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        middle(view, c, c + 104),
    )
    assert model.selected_blocks == {c}
    with qtbot.waitSignal(model.sig_block_freed) as freed:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=middle(view, c, c + 104))
    assert freed.args[0].ptr == c
    view.cleanup()


def test_hover_reports_the_range_and_explains_it(qtbot, model, fragmented):
    view = show(qtbot, HeapMapView(model), width=1800)
    b = fragmented["b"]
    start, end, tip = view.hit(middle(view, b, b + 64))
    assert (start, end) == (b, b + 64)
    assert "Block of 64 bytes" in tip and "Layout { size: 64, align: 64 }" in tip
    assert "frames 0" in tip
    start, end, tip = view.hit(middle(view, HEAP_START + 24, HEAP_START + 64))
    assert "40 bytes lost" in tip
    with qtbot.waitSignal(view.sig_range_hovered) as hovered:
        hover(view, middle(view, b, b + 64))
    assert hovered.args == [b, b + 64]
    view.cleanup()


def test_free_list_draws_nodes_in_list_order_with_the_last_search(qtbot, model, fragmented):
    view = show(qtbot, FreeListView(model))
    starts, _ = view.nodes
    assert starts.tolist() == [r[0] for r in model.machine.heap.free_regions()]
    a = fragmented["a"]
    # The list is: tail leftover (teal: pushed by the last split), then a (sand: passed over).
    assert starts[1] == a
    assert pixel(view, empty_corner(view, 1)) == palette.MADE.name()
    assert pixel(view, empty_corner(view, 2)) == palette.PASSED.name()
    start, end, tip = view.hit(view._box(2).center().toPoint())
    assert (start, end) == (a, a + 24)
    assert "Node 2 of 2" in tip and "next → null" in tip
    view.cleanup()


def test_free_list_of_thousands_is_tall_and_draws_only_what_shows(qtbot, model):
    ptrs = [model.allocate(16, 8).ptr for _ in range(3000)]
    for ptr in ptrs[::2]:
        model.free_block(ptr)
    view = FreeListView(model)
    qtbot.addWidget(view)
    assert view.heightForWidth(900) > 100 * 78  # many rows of boxes
    view.cleanup()


def test_linked_range_is_shaded(qtbot, model, fragmented):
    view = show(qtbot, HeapMapView(model), width=1800)
    point = middle(view, HEAP_START + 5000, HEAP_START + 6000)
    view.highlight_range(HEAP_START + 4096, HEAP_START + 8192)
    assert pixel(view, point) not in (palette.FREE.name(), palette.USED.name())
    view.highlight_range(-1, -1)
    assert pixel(view, point) == palette.FREE.name()
    view.cleanup()


def test_free_list_shows_an_animated_search_on_the_list_it_saw(qtbot, model):
    ptrs = [model.allocate(64, 8).ptr for _ in range(6)]
    for ptr in ptrs[::2]:
        model.free_block(ptr)
    event = model.allocate(100, 8)
    view = show(qtbot, FreeListView(model))
    animation = SearchAnimation()
    view.follow(animation)
    animation.start(event)
    animation._advance()  # looking at the second node, the first passed over
    starts, _ = before_allocation(*view.nodes, event)
    fill_of = view._fills(starts, view.animated_search())
    assert fill_of(0, int(starts[0])) == (palette.PASSED, False)
    assert fill_of(1, int(starts[1])) == (palette.FREE, True)
    assert fill_of(3, int(starts[3])) == (palette.FREE, False)
    assert pixel(view, empty_corner(view, 1)) == palette.PASSED.name()
    animation.stop()
    assert pixel(view, empty_corner(view, 1)) == palette.MADE.name()  # the leftover, settled
    view.cleanup()


def test_quick_changes_still_end_in_a_repaint(qtbot, model):
    view = show(qtbot, HeapMapView(model))
    qtbot.wait(100)  # a quiet spell: the next change repaints at once
    view._on_changed()
    assert not view.repaints.pending
    before = view.grab().toImage()
    model.allocate(4000, 8)
    view._on_changed()  # within 1/15 s of the last one: put off, not dropped
    assert view.repaints.pending
    qtbot.waitUntil(lambda: not view.repaints.pending, timeout=2000)
    assert view.grab().toImage() != before  # the new block shows
    view.cleanup()

"""The heap map and the free list: segments, pixels, clicks and hover links."""

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from orbita_gui.core import HEAP_SIZE, HEAP_START, Machine
from orbita_gui.model import MachineModel
from orbita_gui.model.search_animation import SearchAnimation
from orbita_gui.views import palette
from orbita_gui.views.free_list_view import FreeListView, before_allocation
from orbita_gui.views.heap_map import HeapMapView
from orbita_gui.views.heap_segments import BLOCK, FREE, LOST, UNMAPPED, heap_segments

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
    assert "Block b2 of 64 bytes" in tip and "Layout { size: 64, align: 64 }" in tip
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
    assert fill_of(0, int(starts[0])) == (palette.PASSED, None)
    assert fill_of(1, int(starts[1])) == (palette.FREE, "looking")
    assert fill_of(3, int(starts[3])) == (palette.FREE, None)
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


# The heap's policies, drawn as they are


def policy(**rules):
    """A model of a small machine whose heap is the free-list heap with these rules."""
    return MachineModel(Machine(4 << 20, heap="free-list", heap_params=rules))


def holes(model, sizes=(64, 200, 64, 300, 64, 500, 64)):
    """Blocks of `sizes`, then the 200, 300 and 500 freed: holes between 64-byte blocks."""
    ptrs = [model.allocate(size, 8).ptr for size in sizes]
    for ptr in ptrs[1::2]:
        model.free_block(ptr)
    return ptrs


def rover_bar(view, node):
    """A point on the bar next fit's start has down its node's left edge."""
    box = view._box(node + 1)
    return QPoint(int(box.left()) + 2, int(box.center().y()))


@pytest.mark.parametrize(("order", "key"), [("addrsort", 0), ("sizesort+", 1), ("sizesort-", 1)])
def test_the_free_list_is_drawn_in_its_own_order(qtbot, order, key):
    model = policy(order=order)
    holes(model)
    view = show(qtbot, FreeListView(model))
    regions = model.machine.heap.free_regions()
    values = [region[key] for region in regions]
    assert values == sorted(values, reverse=order == "sizesort-")
    for node, (start, size) in enumerate(regions):  # box i is node i, in list order
        assert view.hit(view._box(node + 1).center().toPoint())[:2] == (start, start + size)
    view.cleanup()


def test_next_fits_start_is_marked_on_the_list_and_the_map(qtbot):
    model = policy(fit="next")
    holes(model)
    model.allocate(400, 8)
    rover = model.machine.heap.rover
    assert rover == 1
    free_list = show(qtbot, FreeListView(model))
    assert free_list.rover == rover
    assert pixel(free_list, rover_bar(free_list, rover)) == palette.MARKER.name()
    assert pixel(free_list, rover_bar(free_list, 0)) != palette.MARKER.name()
    tip = free_list.hit(free_list._box(rover + 1).center().toPoint())[2]
    assert "next fit starts here" in tip
    assert "next fit" not in free_list.hit(free_list._box(1).center().toPoint())[2]
    heap_map = show(qtbot, HeapMapView(model), width=1800)
    start, size = model.machine.heap.free_regions()[rover]
    corner = heap_map._rects(start, start + size)[0].topLeft().toPoint() + QPoint(2, 2)
    assert pixel(heap_map, corner) == palette.MARKER.name()  # the triangle
    assert "next fit starts here" in heap_map.hit(middle(heap_map, start, start + size))[2]
    free_list.cleanup()
    heap_map.cleanup()


def test_first_fit_has_no_roving_start(qtbot, model, fragmented):
    view = show(qtbot, FreeListView(model))
    assert view.rover is None
    assert pixel(view, rover_bar(view, 0)) != palette.MARKER.name()
    view.cleanup()


def test_a_coalescing_free_shows_the_regions_it_joined(qtbot):
    model = policy(order="addrsort", coalesce=True)
    ptrs = holes(model)
    heap_map = show(qtbot, HeapMapView(model), width=1800)
    free_list = show(qtbot, FreeListView(model))
    model.free_block(ptrs[2])  # the 64 between the 200 and the 300
    start, end = ptrs[1], ptrs[1] + 568
    for view in (heap_map, free_list):
        (region,) = view.merged
        assert (region.start, region.end, region.count) == (start, end, 3)
    assert (
        "joined 3 regions: 200 + 64 + 304 = 568 bytes"
        in heap_map.hit(middle(heap_map, start, end))[2]
    )
    assert "joined 3 regions" in free_list.hit(free_list._box(1).center().toPoint())[2]
    inner = heap_map._rects(start, end)[0].topLeft().toPoint() + QPoint(1, 12)
    assert pixel(heap_map, inner) == palette.MARKER.name()  # the outline, double
    assert "joined 3 neighbours" in model.history[-1].describe()  # the log's line
    model.undo_stack.undo()  # the regions are apart again: nothing joined shows
    assert heap_map.merged == () and free_list.merged == ()
    model.undo_stack.redo()
    assert len(heap_map.merged) == 1
    model.allocate(16, 8)  # the next operation joins nothing
    assert heap_map.merged == () and free_list.merged == ()
    heap_map.cleanup()
    free_list.cleanup()


def test_best_fit_shows_it_looked_at_the_whole_list(qtbot):
    model = policy(fit="best", order="addrsort")
    holes(model)
    event = model.allocate(250, 8)  # the 300: second of four
    view = show(qtbot, FreeListView(model))
    starts, _ = view.nodes
    fill_of = view._fills(starts, None)
    passed = [p for p in range(len(starts)) if fill_of(p, int(starts[p]))[0] == palette.PASSED]
    leftover = [p for p in range(len(starts)) if int(starts[p]) == event.leftover[0]]
    assert sorted(passed + leftover) == list(range(len(starts)))  # all of them, past it too
    animation = SearchAnimation()
    view.follow(animation)
    animation.start(event)
    before, _ = before_allocation(*view.nodes, event)
    chosen, last = event.position, len(before) - 1
    assert 0 < chosen < last
    states = []
    while view.animated_search() is not None:  # to the end, step by step
        fill_of = view._fills(before, view.animated_search())
        looks = [fill_of(p, 0) for p in range(len(before))]
        states.append(
            (
                [p for p, (_, mark) in enumerate(looks) if mark == "looking"],
                [p for p, (fill, _) in enumerate(looks) if fill == palette.MADE],
                looks[chosen][1],
            )
        )
        animation._advance()
    # it looks at the last node, past the winner, before it takes the winner
    assert ([last], [], "best") in states
    assert states[-1][:2] == ([], [chosen])
    taken = [i for i, (_, made, _) in enumerate(states) if made]
    assert all(not looking for looking, _, _ in states[taken[0] :])
    view.cleanup()


def test_a_block_is_drawn_with_its_header(qtbot):
    model = policy(header=64)
    ptr = model.allocate(200, 8).ptr
    block = model.machine.heap.allocations()[ptr]
    assert block.start == ptr - 64
    view = show(qtbot, HeapMapView(model), width=1800)
    start, end, tip = view.hit(middle(view, block.start, block.start + 60))  # in the header
    assert (start, end) == (block.start, block.end)
    assert "Header: 64 bytes in front" in tip and f"{ptr:#_x}" in tip
    header = middle(view, block.start, ptr)
    assert pixel(view, header) in (palette.HEADER.name(), palette.USED.name())
    assert pixel(view, header + QPoint(0, 1)) != pixel(view, middle(view, ptr, block.end))
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=header)  # the header is the block
    assert ptr not in model.machine.heap.allocations()
    view.cleanup()


def test_a_narrow_map_labels_pages_short_and_says_them_in_full(qtbot, model):
    view = show(qtbot, HeapMapView(model), width=1800)
    assert not view.compact
    view.resize(420, view.height())
    assert view.compact and view._bar_width() > 150  # room left for the bars
    start, end, tip = view.label_hit(QPoint(20, 8 + 30 + 15))  # page 1's label
    assert (start, end) == (HEAP_START + 0x1000, HEAP_START + 0x2000)
    assert tip == "Heap page 0x4444_4444_1000 (virtual) is mapped to frame 1 (physical)"
    with qtbot.waitSignal(view.sig_range_hovered) as hovered:
        hover(view, QPoint(20, 8 + 30 + 15))
    assert hovered.args == [start, end]  # its frame lights up in the grid
    view.cleanup()


def test_neighbouring_free_regions_stay_apart_and_ctrl_wheel_widens_the_bars(qtbot, window):
    model = window.model
    blocks = [model.allocate(256, 8).ptr for _ in range(3)]
    for ptr in blocks[:2]:
        model.free_block(ptr)  # two free regions side by side, never merged
    heap_map = window.heap_map
    qtbot.waitUntil(lambda: not heap_map.repaints.pending)
    second = heap_map._rects(blocks[1], blocks[1] + 256)[0]
    zoom = heap_map.zoom
    at_boundary = QPoint(round(second.left() * zoom), round(second.center().y() * zoom))
    assert pixel(heap_map, at_boundary) == palette.INK.name()
    width = second.width()
    scroller = heap_map.parentWidget().parentWidget()
    event = QWheelEvent(
        QPointF(200, 20),
        QPointF(200, 20),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(heap_map, event)  # two notches: four times wider
    qtbot.waitUntil(lambda: heap_map.width() > scroller.viewport().width())
    assert heap_map._rects(blocks[1], blocks[1] + 256)[0].width() == pytest.approx(
        4 * width, rel=0.05
    )
    assert scroller.horizontalScrollBar().maximum() > 0


def test_each_passed_over_node_says_why_in_words(qtbot, window):
    model = window.model
    small = model.allocate(16, 8).ptr  # +0: 16 bytes, too small for 32
    model.allocate(24, 8)
    padded = model.allocate(40, 8).ptr  # +40: 40 bytes, but aligned to 32 the block starts
    model.allocate(16, 8)  # at +64 and would end past +80: too small once aligned
    model.free_block(small)
    model.free_block(padded)
    model.allocate(32, 32)  # passes over both, then splits the rest
    picture = window.free_list.search
    assert picture.verdicts[small] == "✗ too small"
    assert picture.verdicts[padded] == "✗ too small, aligned"


def test_a_failed_search_shows_every_node_it_passed_over_and_why(qtbot, window):
    model = window.model
    blocks = [model.allocate(64, 8).ptr for _ in range(4)]
    model.allocate(100_000, 8)  # takes most of the rest
    for ptr in blocks[::2]:
        model.free_block(ptr)
    model.allocate(5_000, 8)  # null: no region holds it
    picture = window.free_list.search
    assert window.free_list.looked.all()
    assert picture.chosen is None
    assert picture.verdicts[blocks[0]] == "✗ too small"


def test_a_heap_mapped_at_boot_has_no_unmapped_segments_even_before_its_mapping(qtbot):
    """Its blocks and regions cover it: "not mapped" painted over them would hide them."""
    model = MachineModel(Machine(1 << 20, boot=False))
    model.allocate(100, 8)
    view = show(qtbot, HeapMapView(model))
    assert UNMAPPED not in view.segments.kinds.tolist()
    assert (view.segments.starts[1:] == view.segments.ends[:-1]).all()  # no overlap

"""The lifetime view: the image shows bars where blocks lived, clicks ask to go there."""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from orbita_gui.traces.lifetimes import Lifetimes
from orbita_gui.views import lifetime_view, palette
from orbita_gui.views.lifetime_view import EMPTY, LIVE, LifetimeView

from ..traces.test_lifetimes import TRACE, recorded

HEAP = 0x10000
"""TRACE's heap start; its 1 KiB heap holds, by position (operations applied):
a [+0x0, +0x18) from 1 to 3; b [+0x18, +0x80) from 2 to 4; b again [+0x80, +0x1b0)
from 4 on; d [+0x18, +0x28) from 6 to 7; the allocation at operation 5 fails."""


@pytest.fixture
def view(qtbot):
    shown = LifetimeView()
    qtbot.addWidget(shown)
    shown.resize(800, 400)
    shown.show()
    qtbot.waitExposed(shown)
    shown.set_lifetimes(recorded(TRACE), HEAP, HEAP + 1024, 7)
    drawn(qtbot, shown)
    yield shown
    shown.cleanup()


def drawn(qtbot, view):
    qtbot.waitUntil(lambda: view.image.image is not None and not view._timer.isActive())


def code_at(view, x, y):
    """The image's code at view point (position, offset)."""
    rect = view.image.mapRectToParent(view.image.boundingRect())
    height, width = view.image.image.shape
    col = int((x - rect.left()) / rect.width() * width)
    row = int((y - rect.top()) / rect.height() * height)
    return view.image.image[row, col]


def widget_point(view, x, y):
    return view.mapFromScene(view.view.mapViewToScene(QPointF(x, y)))


def test_the_image_shows_bars_where_blocks_lived_and_paper_where_none_did(view):
    assert code_at(view, 1.5, 0x8) == LIVE  # a
    assert code_at(view, 3.5, 0x8) == EMPTY  # a freed by operation 3
    assert code_at(view, 2.5, 0x40) == LIVE  # b
    assert code_at(view, 5.5, 0x100) == LIVE  # b after its realloc
    assert code_at(view, 3.5, 0x100) == EMPTY  # not yet
    assert code_at(view, 6.5, 0x20) == LIVE  # d
    assert code_at(view, 6.5, 0x300) == EMPTY  # nothing up there, ever
    assert code_at(view, 0.5, 0x8) == EMPTY  # before the first operation


def test_blocks_are_drawn_in_the_heap_maps_colours_where_they_lived(view):
    picture = view.viewport().grab().toImage()
    for x, y, colour in ((5.5, 0x100, palette.USED), (3.5, 0x300, palette.FREE)):
        assert picture.pixelColor(widget_point(view, x, y)).name() == colour.name()


def test_zooming_in_draws_again_at_the_new_range(qtbot, view):
    view.view.setRange(xRange=(5, 7), yRange=(0x10, 0x30), padding=0)
    drawn(qtbot, view)
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.left() == pytest.approx(5) and rect.right() == pytest.approx(7)
    assert code_at(view, 6.5, 0x20) == LIVE  # d, now hundreds of pixels
    assert code_at(view, 5.5, 0x20) == EMPTY
    assert code_at(view, 6.5, 0x2C) == EMPTY  # above d's end (0x28)


def test_zoomed_in_neighbouring_blocks_are_kept_apart_by_a_line_of_paper(qtbot, view):
    view.view.setRange(xRange=(1, 4), yRange=(0, 0x40), padding=0)
    drawn(qtbot, view)
    pixel = 0x40 / view.image.image.shape[0]
    first_of_b = 0x18 // pixel  # the row b starts in is b's
    for row, code in ((first_of_b - 2, LIVE), (first_of_b - 1, EMPTY), (first_of_b, LIVE)):
        assert code_at(view, 2.5, (row + 0.5) * pixel) == code  # a, a line of paper, b


def test_a_block_far_smaller_than_a_pixel_still_shows(qtbot, view):
    lifetimes = Lifetimes()
    block = SimpleNamespace(start=HEAP + 0x1000, end=HEAP + 0x1008)
    made = SimpleNamespace(layer="heap", failed=False, blocks_made=(block,), blocks_freed=())
    freed = SimpleNamespace(layer="heap", failed=False, blocks_made=(), blocks_freed=(block,))
    lifetimes.observe(150_000, made)
    lifetimes.observe(150_001, freed)
    view.set_lifetimes(lifetimes, HEAP, HEAP + (20 << 20), 300_000)
    drawn(qtbot, view)
    assert code_at(view, 150_001.5, 0x1004) == LIVE
    assert (view.image.image != EMPTY).sum() == 1


def test_many_refreshes_draw_once(qtbot, view, monkeypatch):
    calls = []
    real = lifetime_view.raster
    monkeypatch.setattr(lifetime_view, "raster", lambda *a: calls.append(1) or real(*a))
    for _ in range(50):
        view.refresh()
    drawn(qtbot, view)
    qtbot.wait(30)
    assert len(calls) == 1


def test_clicking_a_bar_asks_for_the_position_after_its_allocation(qtbot, view):
    with qtbot.waitSignal(view.sig_seek_requested, timeout=1000) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=widget_point(view, 5.5, 0x100)
        )
    assert blocker.args == [4]  # the realloc, operation index 3
    with qtbot.waitSignal(view.sig_seek_requested, timeout=1000) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=widget_point(view, 6.5, 0x20)
        )
    assert blocker.args == [6]


def test_clicking_empty_space_asks_for_nothing(qtbot, view):
    with qtbot.assertNotEmitted(view.sig_seek_requested, wait=100):
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=widget_point(view, 3.5, 0x300)
        )


def test_dragging_from_a_bar_pans_and_asks_for_nothing(qtbot, view):
    view.view.setRange(xRange=(2, 7), padding=0)
    qtbot.waitUntil(lambda: not view._timer.isActive())
    start, left = widget_point(view, 5.5, 0x100), view.view.viewRange()[0][0]
    with qtbot.assertNotEmitted(view.sig_seek_requested, wait=100):
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 6):
            qtbot.mouseMove(view.viewport(), start + QPoint(20 * step, 0))
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(100, 0))
    assert view.view.viewRange()[0][0] < left  # dragged right: earlier operations in sight


def test_the_cursor_follows_the_player(qtbot, view):
    view.set_cursor(5)
    assert view.cursor.value() == 5
    point = widget_point(view, 5, 0x300)
    image = view.viewport().grab().toImage()
    assert image.pixelColor(point).name() == palette.INK.name()


def test_failures_are_marked_after_their_operation_at_the_top(view):
    x, y = view.failures.getData()
    assert x.tolist() == [5, 5]  # one stroke
    assert 0.9 * 1024 < y.min() < y.max() == pytest.approx(1024)


def test_the_tooltip_names_the_block(view):
    bar = view.bar_at_view(5.5, 0x100)
    assert view.describe_bar(bar) == (
        "block 0x10080–0x101b0 (304 B)\nallocated by operation 4, still live"
    )
    assert "freed by operation 3" in view.describe_bar(view.bar_at_view(1.5, 0x8))
    assert np.isfinite(view.view.viewPixelSize()).all()


def test_hovering_a_bar_shows_its_tooltip(qtbot, view):
    for x, y, shown in ((5.5, 0x100, True), (3.5, 0x300, False)):
        point = widget_point(view, x, y)
        event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
        QApplication.sendEvent(view.viewport(), event)
        if shown:
            qtbot.waitUntil(QToolTip.isVisible)
            assert QToolTip.text().startswith("block 0x10080–0x101b0")
        else:
            qtbot.waitUntil(lambda: not QToolTip.isVisible())

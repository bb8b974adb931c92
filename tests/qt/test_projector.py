"""For a projector: text zoom, lecture mode, the layout at 1024x768, screenshots at a
size, and the sample lessons in Help > Examples."""

import subprocess
import sys
from itertools import pairwise

import pytest
from PIL import Image, ImageStat
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication

from orbita_gui.resources import resource_path
from orbita_gui.views import type_scale
from orbita_gui.views.frame_codes import CODE_LINKED

SAMPLE = resource_path("traces", "2-no-coalescing.trace")
FRAMES_SAMPLE = resource_path("traces", "1-next-free-hint.trace")
SLAB_SAMPLE = resource_path("traces", "5-slabs-take-frames.trace")


@pytest.fixture(autouse=True)
def normal_type():
    """Type back at its normal size after each test: the scale is the process's, and a
    test that ends in lecture mode would leave its large type to the next."""
    yield
    type_scale.set_scale(1.0)


def capitals(widget) -> float:
    return QFontMetricsF(widget.font()).capHeight()


def test_ctrl_plus_and_minus_scale_all_text_and_ctrl_0_puts_it_back(qtbot, window, settings):
    status = window.status
    before = capitals(status)
    ticks = window.grid.getPlotItem().getAxis("left").style["tickFont"].pointSizeF()
    plot_ticks = window.traces.plots.plots[0].getAxis("left").style["tickFont"].pointSizeF()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert capitals(status) > before * 1.25
    assert float(settings.value("view/text_scale")) == type_scale.scale() > 1.3
    assert window.heap_map.sizeHint().height() > window.heap_map.design_size().height()
    assert window.grid.getPlotItem().getAxis("left").style["tickFont"].pointSizeF() > ticks
    plot = window.traces.plots.plots[0]
    assert plot.getAxis("left").style["tickFont"].pointSizeF() > plot_ticks  # plots too
    qtbot.keyClick(window.grid, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert type_scale.scale() == 1.0
    assert capitals(status) == before


def test_f5_turns_lecture_mode_on_and_off(qtbot, window):
    window.resize(1024, 768)
    qtbot.wait(50)
    assert window.dock("controls").isVisible()
    qtbot.keyClick(window.grid, Qt.Key.Key_F5)
    assert window.lecture.lecturing
    assert not window.dock("controls").isVisible() and not window.dock("stats").isVisible()
    qtbot.keyClick(window.grid, Qt.Key.Key_F5)
    assert not window.lecture.lecturing
    assert window.dock("controls").isVisible() and type_scale.scale() == 1.0
    panels = window.explain.panels  # narration beside code again, the code titled
    assert (
        panels.orientation() == Qt.Orientation.Horizontal and window.explain.code.title.isVisible()
    )


def application_capitals() -> float:
    """How tall the capitals of the application's font are, in pixels."""
    return QFontMetricsF(QApplication.font()).capHeight()


def test_lecture_type_has_capitals_about_24_px_tall_per_768_lines(qtbot, window):
    window.resize(1024, 768)
    qtbot.wait(50)
    window.lecture.set_lecture(True)
    assert abs(application_capitals() - 24) <= 1
    assert abs(QFontMetricsF(window.explain.narration.font()).capHeight() - 24 * 13 / 11) <= 1.5
    window.resize(1280, 720)  # a wider, shorter projector: type follows the height
    qtbot.waitUntil(lambda: abs(application_capitals() - 22.5) <= 1)
    window.lecture.set_lecture(False)
    assert type_scale.scale() == 1.0


def free_nodes_shown(window) -> int:
    """How many free-list boxes lie wholly inside the free list's visible region."""
    view = window.free_list
    shown = view.visibleRegion().boundingRect()
    count = 0
    for item in range(1, len(view.nodes[0]) + 1):
        box = view._box(item)
        zoom = view.zoom
        corners = (box.topLeft() * zoom, box.bottomRight() * zoom)
        if all(shown.contains(corner.toPoint()) for corner in corners):
            count += 1
    return count


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_on_a_projector_every_view_shows_its_content_in_both_modes(qtbot, window, size):
    assert window.minimumSizeHint().width() <= 800 and window.minimumSizeHint().height() <= 600
    window.traces.load(SAMPLE)
    for _ in range(22):  # five 128-byte regions in the free list
        window.traces.player.step_forward()
    for lecture in (False, True):
        window.lecture.set_lecture(lecture)
        window.resize(*size)
        qtbot.wait(200)
        heap_map = window.heap_map
        bar = heap_map._bar(0)
        corner = (bar.bottomRight() * heap_map.zoom).toPoint() - QPoint(1, 1)
        assert heap_map.visibleRegion().contains(corner), lecture  # bars whole, not scrolled
        assert free_nodes_shown(window) >= 3, lecture
        assert window.explain.narration.isVisible() and window.explain.code.isVisible()


def shown(views) -> bool:
    return all(view.isVisible() for view in views)


def test_lecture_mode_shows_the_pictures_of_the_layer_explained_at_full_width(qtbot, window):
    frames, heap = window.layer_views("frames"), window.layer_views("heap")
    window.resize(1024, 768)
    window.lecture.set_lecture(True)
    assert shown(frames) and not any(view.isVisible() for view in heap)  # nothing explained
    window.model.allocate(24, 8)
    assert shown(heap) and not window.grid.isVisible()
    qtbot.waitUntil(lambda: window.free_list.width() > 0.8 * window.width())
    window.model.allocate_frame()
    assert shown(frames) and not any(view.isVisible() for view in heap)
    qtbot.waitUntil(lambda: window.grid.width() > 0.8 * window.width())
    window.traces.load(SAMPLE)  # before a trace's first operation: the layer that works on
    assert shown(heap) and not window.grid.isVisible()
    window.traces.load(FRAMES_SAMPLE)
    assert shown(frames) and not window.heap_map.isVisible()
    window.lecture.set_lecture(False)
    assert shown(frames) and shown(heap)


def test_lecture_mode_shows_the_frames_at_the_step_a_slab_maps_its_pages(qtbot, window):
    window.resize(1024, 768)
    window.traces.load(SLAB_SAMPLE)
    window.lecture.set_lecture(True)
    window.traces.player.step_forward()  # alloc-frame driver
    window.traces.player.step_forward()  # malloc a 24: a new slab
    explanation = window.explain.explanation
    assert explanation.step.kind == "choose" and not window.grid.isVisible()
    for _ in range(len(explanation.steps)):  # bounded: a key that went astray fails here
        if explanation.step.kind == "map":
            break
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Up)
    assert explanation.step.kind == "map"
    assert window.grid.isVisible() and not window.heap_map.isVisible()
    assert window.grid.codes.codes[1] == CODE_LINKED  # the frame the slab's page took
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Down)
    assert window.heap_map.isVisible() and not window.grid.isVisible()


def test_the_step_keys_still_walk_when_lecture_mode_changes_the_pictures(qtbot, window):
    window.lecture.set_lecture(True)
    window.model.allocate_frame()
    window.grid.setFocus()
    window.model.allocate(24, 8)  # the grid, which had the keyboard, goes
    explanation = window.explain.explanation
    last = explanation.index
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Up)
    assert explanation.index == last - 1


def tick_words(axis) -> list:
    """Where an axis writes its ticks' words, as it works them out when it paints."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(axis.style["tickFont"])
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return sorted((rect for rect, _, text in texts if text), key=lambda rect: rect.left())


@pytest.mark.parametrize(("lecture", "size"), [(False, (1440, 900)), (True, (1024, 768))])
def test_the_grid_s_top_ticks_thin_out_as_type_grows(qtbot, window, lecture, size):
    window.resize(*size)
    window.model.allocate_frame()  # in lecture mode, the grid alone
    window.lecture.set_lecture(lecture)
    qtbot.wait(200)
    words = tick_words(window.grid.getPlotItem().getAxis("top"))
    assert len(words) >= 2
    for left, right in pairwise(words):
        assert left.right() < right.left(), (left, right)


def test_help_examples_open_the_samples_as_lessons(qtbot, window):
    help_menu = window.menuBar().actions()[-1].menu()
    examples = next(a.menu() for a in help_menu.actions() if a.text() == "&Examples")
    titles = [action.text() for action in examples.actions()]
    assert titles[1] == "&2. Fragmentation grows: freed neighbours are never merged"
    examples.actions()[1].trigger()
    assert window.traces.player.length == 16
    qtbot.waitUntil(
        lambda: window.explain.narration.toPlainText().startswith("Fragmentation grows")
    )


def test_the_open_dialog_starts_in_the_samples_then_where_the_last_trace_was(
    window, dialogs, tmp_path
):
    dialogs.choose_file(SAMPLE)
    window.traces.open_action.trigger()
    assert dialogs.file_dialogs[-1][1] == str(resource_path("traces"))
    mine = tmp_path / "mine.trace"
    mine.write_text("malloc a 8\n")
    dialogs.choose_file(mine)
    window.traces.open_action.trigger()
    dialogs.choose_file(mine)
    window.traces.open_action.trigger()
    assert dialogs.file_dialogs[-1][1] == str(tmp_path)


def orbita(*args):
    command = [sys.executable, "-m", "orbita_gui", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_screenshot_at_a_size_in_lecture_mode(tmp_path):
    path = tmp_path / "lecture.png"
    result = orbita(SAMPLE, "--screenshot", path, "--size", "1024x768", "--lecture")
    assert result.returncode == 0, result.stderr
    assert Image.open(path).size == (1024, 768)


def test_a_screenshot_in_the_dark_theme_is_dark(tmp_path):
    light, dark = tmp_path / "light.png", tmp_path / "dark.png"
    for path, theme in ((light, "light"), (dark, "dark")):
        result = orbita("--screenshot", path, "--size", "800x600", "--theme", theme)
        assert result.returncode == 0, result.stderr
    brightness = [ImageStat.Stat(Image.open(p).convert("L")).mean[0] for p in (light, dark)]
    assert brightness[0] > 150 > 80 > brightness[1]


def test_a_bad_size_is_one_line(tmp_path):
    result = orbita("--screenshot", tmp_path / "x.png", "--size", "big")
    assert result.returncode == 2
    assert "expected WIDTHxHEIGHT such as 1024x768, found 'big'" in result.stderr


def test_a_features_tool_button_has_the_tool_bars_type(window):
    buttons = [window.toolbar.widgetForAction(a) for a in window.toolbar.actions()]
    sizes = {b.font().pointSizeF() for b in buttons if b is not None}
    assert len(sizes) == 1  # Lecture mode, added by a feature, as large as New machine

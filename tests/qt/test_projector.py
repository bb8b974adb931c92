"""For a projector: text zoom, lecture mode, the layout at 1024x768, screenshots at a
size, and the sample lessons in Help > Examples."""

import subprocess
import sys

from PIL import Image, ImageStat
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetricsF

from orbita_gui.app.lecture_ui import LECTURE_CAPITALS
from orbita_gui.resources import resource_path
from orbita_gui.views import type_scale

SAMPLE = resource_path("traces", "2-no-coalescing.trace")


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
    capital = QFontMetricsF(type_scale.font()).capHeight()
    assert abs(capital - LECTURE_CAPITALS * window.height() / 768) < 2
    qtbot.keyClick(window.grid, Qt.Key.Key_F5)
    assert not window.lecture.lecturing
    assert window.dock("controls").isVisible() and type_scale.scale() == 1.0


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


def test_at_1024_by_768_every_view_shows_its_content_in_both_modes(qtbot, window):
    assert window.minimumSizeHint().width() <= 800 and window.minimumSizeHint().height() <= 600
    window.traces.load(SAMPLE)
    for _ in range(22):  # five 128-byte regions in the free list
        window.traces.player.step_forward()
    for lecture in (False, True):
        window.lecture.set_lecture(lecture)
        window.resize(1024, 768)
        qtbot.wait(200)
        heap_map = window.heap_map
        bar = heap_map._bar(0)
        right = QPoint(round(bar.right() * heap_map.zoom) - 1, round(bar.center().y()))
        assert heap_map.visibleRegion().contains(right), lecture  # bars whole, no sideways scroll
        assert free_nodes_shown(window) >= 3, lecture
        assert window.explain.narration.isVisible() and window.explain.code.isVisible()


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

"""The main window: menus, status, remembered layout, linked layers, the command line."""

import os
import struct
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from orbita_gui.app import reset_dialog
from orbita_gui.app.demo import load_demo
from orbita_gui.app.main import unexpected_error_hook
from orbita_gui.app.screenshot import has_display
from orbita_gui.app.window import MainWindow
from orbita_gui.core import HEAP_START
from orbita_gui.views import palette

from .conftest import pixel


def actions_by_text(window):
    found = {}
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            found[action.text().replace("&", "")] = action
    return found


def test_window_has_the_grid_the_heap_and_the_docks(window):
    assert window.windowTitle() == "Orbita OS memory[*]"  # [*]: unsaved work
    assert not window.windowIcon().isNull()
    assert [window.dock(name).windowTitle() for name in ("controls", "stats", "log")] == [
        "Controls",
        "Statistics",
        "Operation log",
    ]
    assert window.grid.codes.total_frames == 1024


def test_menus_have_the_usual_actions_and_shortcuts(window):
    actions = actions_by_text(window)
    assert window.undo_action in actions.values() and window.redo_action in actions.values()
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence("Ctrl+Y") in window.redo_action.shortcuts()
    assert actions["New machine…"].shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert actions["Quit"].shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert actions["Allocate a frame"].shortcut() == QKeySequence("F")
    assert actions["Fit memory"].shortcut() == QKeySequence("Ctrl+Alt+0")
    assert actions["Normal text size"].shortcut() == QKeySequence("Ctrl+0")
    assert actions["Lecture mode"].shortcut() == QKeySequence("F5")
    for dock in ("Controls", "Statistics", "Operation log"):
        assert actions[dock].isCheckable()


def test_undo_and_redo_actions(window, model):
    model.allocate_frame()
    assert window.undo_action.isEnabled()
    assert window.undo_action.text().replace("&", "") == "Undo allocate frame"
    window.undo_action.trigger()
    assert not model.machine.frames.is_frame_used(25)
    window.redo_action.trigger()
    assert model.machine.frames.is_frame_used(25)


def test_errors_appear_in_the_status_bar_in_red(qtbot, window, model):
    model.free_frame(500)
    # The status bar follows the model at most 10 times a second, the last word winning.
    qtbot.waitUntil(lambda: "double free" in window.status.text())
    assert "#b23a2b" in window.status.styleSheet()
    model.allocate_frame()
    qtbot.waitUntil(lambda: window.status.text().startswith("allocate_frame() -> Frame(0x19000)"))
    assert "#b23a2b" not in window.status.styleSheet()


def test_a_burst_of_failures_restyles_the_status_bar_once(qtbot, window, model):
    restyles = []
    window.status.setStyleSheet = lambda sheet: restyles.append(sheet)
    qtbot.wait(150)  # a quiet spell: the next change shows at once
    model.allocate_frame()
    for _ in range(20):
        model.free_frame(500)  # not allocated: refused
        model.allocate_frame()
    qtbot.waitUntil(lambda: window.status.text().startswith("allocate_frame()"))
    qtbot.wait(150)
    assert len(restyles) <= 1  # not 40 flips between red and ink


def test_window_fits_a_1024_by_768_projector(window):
    smallest = window.minimumSizeHint()
    assert smallest.width() <= 1024 and smallest.height() <= 720


def test_window_layout_is_remembered(qtbot, model, settings):
    first = MainWindow(model, settings)
    qtbot.addWidget(first)
    first.show()
    first.dock("log").hide()
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first.dock("stats"))
    first.close()
    assert settings.value("window/geometry") is not None
    second = MainWindow(model, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.dock("log").isHidden()
    assert second.dockWidgetArea(second.dock("stats")) == Qt.DockWidgetArea.RightDockWidgetArea
    assert second.dockWidgetArea(second.dock("controls")) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_new_machine_uses_the_dialog_sizes(window, model, monkeypatch):
    monkeypatch.setattr(reset_dialog.ResetDialog, "exec", lambda self: 1)
    monkeypatch.setattr(reset_dialog.ResetDialog, "sizes", lambda self: (1 << 20, 8192))
    window.new_machine()
    assert model.machine.frames.total_frames == 256
    assert model.machine.heap.heap_size == 8192
    assert window.grid.codes.total_frames == 256


def test_reset_dialog_refuses_a_heap_that_does_not_fit(qtbot):
    dialog = reset_dialog.ResetDialog(1 << 16, 4096)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.heap.setText("1 MiB")
    assert not ok.isEnabled() and "memory is too small" in dialog.error.text()
    dialog.heap.setText("8")
    assert "at least 16 bytes" in dialog.error.text()
    dialog.heap.setText("32K")
    assert ok.isEnabled() and dialog.sizes() == (1 << 16, 32768)


def test_hovering_links_the_two_layers(window, model):
    window.grid.sig_frame_hovered.emit(3)
    assert window.heap_map.linked == (HEAP_START + 0x3000, HEAP_START + 0x4000)
    assert window.free_list.linked == window.heap_map.linked
    window.grid.sig_frame_hovered.emit(-1)
    assert window.heap_map.linked is None
    window.heap_map.sig_range_hovered.emit(HEAP_START + 0x1FF0, HEAP_START + 0x2010)
    assert window.grid._linked.tolist() == [1, 2]


def test_window_renders_the_heap_frames_in_amber(qtbot, window):
    qtbot.waitUntil(lambda: not window.grid.codes.animating, timeout=5000)
    window.grid.refresh()
    point = window.grid.mapFromScene(window.grid.center_on(3))
    assert pixel(window.grid.viewport(), point) == palette.HEAP.name()


def test_demo_leaves_a_search_that_passed_over_two_regions(model):
    load_demo(model)
    event = model.last_heap_event
    assert event.passed_over == 2 and event.leftover is not None
    assert model.machine.frames.next_free == 28
    assert model.machine.heap.stats().lost == 32 + 8 + 232
    model.undo_stack.undo()
    assert model.machine.frames.stats().used_frames == 25


def test_a_bug_becomes_a_message_not_a_traceback(window, monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.critical", lambda *args: shown.append(args[1:])
    )
    try:
        raise KeyError("oops")
    except KeyError as error:
        unexpected_error_hook(window)(KeyError, error, error.__traceback__)
    assert shown[0][0] == "Unexpected error" and "KeyError: 'oops'" in shown[0][1]
    assert "Traceback" in capsys.readouterr().err  # the details stay in the terminal


def test_screenshot_option_writes_the_window_as_a_png(tmp_path):
    path = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "orbita_gui", "--screenshot", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1440, 900)
    assert len(data) > 20_000  # a real picture, not a blank one


def test_without_a_display_it_explains_instead_of_crashing(monkeypatch):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not has_display()
    result = subprocess.run(
        [sys.executable, "-m", "orbita_gui"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert result.returncode == 2
    assert "no display found" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_flag():
    result = subprocess.run(
        [sys.executable, "-m", "orbita_gui", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("orbita-gui 0.1.0")


def test_a_dark_system_theme_leaves_the_window_readable(qtbot, model):
    """The pictures are drawn on paper; under a dark theme the titles and log around
    them took its light text (on paper) or dark ground (under ink)."""
    dark = QPalette()
    for role, color in [("Window", "#202124"), ("WindowText", "#e8eaed"), ("Base", "#171717")]:
        dark.setColor(getattr(QPalette.ColorRole, role), QColor(color))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    QApplication.setPalette(dark)
    window = MainWindow(model)
    qtbot.addWidget(window)
    text, ground = QPalette.ColorRole.Text, QPalette.ColorRole.Base
    assert window.log.palette().color(text) == palette.INK
    assert window.log.palette().color(ground) == QColor("white")
    assert window.dock("controls").palette().color(QPalette.ColorRole.WindowText) == palette.INK

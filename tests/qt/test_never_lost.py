"""Regressions of crashes and lost work, each driven as a person would: keys, the mouse,
and the buttons of the dialogs that ask."""

import subprocess
import sys

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QKeySequence

from orbita_gui.app.window import MainWindow, redo_shortcuts
from orbita_gui.resources import resource_path
from orbita_gui.traces import Replayer, machine_for, read_trace

from ..machine_state import machine_state

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """A key pressed in the window, made active again first (after a dialog, it is not)."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.grid, key, modifiers)


def replayed_state(path):
    trace = read_trace(path)
    replayer = Replayer(trace, machine_for(trace))
    while not replayer.at_end:
        replayer.step()
    return machine_state(replayer.machine)


# 1. New machine, undo and redo: the history follows the machine


def test_new_machine_undo_redo_keeps_each_machines_history(qtbot, window, dialogs, tmp_path):
    model = window.model
    dialogs.click("OK")
    press(qtbot, window, Qt.Key.Key_N, CTRL)  # New machine, as it is offered
    press(qtbot, window, Qt.Key.Key_F)
    dialogs.click("Discard")  # the frame just allocated is unsaved work
    dialogs.click("OK")
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_Z, CTRL)
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # back to the first new machine, frame and all
    assert model.machine.frames.stats().used_frames == len(model.machine.heap_frames) + 1
    assert len(model.history) == 1
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # this undo crashed the process
    assert len(model.history) == 0
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    path = tmp_path / "session.trace"
    dialogs.choose_file(path)
    press(qtbot, window, Qt.Key.Key_S, CTRL)
    assert replayed_state(path) == machine_state(model.machine)


def test_a_command_that_raises_is_reported_not_fatal(qtbot, window, monkeypatch):
    model = window.model
    model.allocate_frame()

    def broken(event):
        raise RuntimeError("revert broke")

    monkeypatch.setattr(model.machine, "revert", broken)
    command = model.undo_stack.command(model.undo_stack.index() - 1)
    with qtbot.captureExceptions() as caught:
        command.undo()  # as Qt calls it: raising here would end the process
        qtbot.waitUntil(lambda: bool(caught))  # reported as a bug, once Qt's call is over
    assert "revert broke" in str(caught[0][1])


# 2. Settings that cannot be read


@pytest.mark.parametrize(
    "lines",
    [
        ["geometry=hello", "state=42"],
        ["geometry=1, 2", "state=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x12NotAType\\0\\x1\\x2)"],
        ["geometry=@ByteArray(garbage)", "state=@ByteArray()"],
    ],
)
def test_the_window_starts_with_settings_it_cannot_read(qtbot, model, tmp_path, lines):
    path = tmp_path / "orbita.ini"
    path.write_text("[window]\n" + "\n".join(lines) + "\n")
    window = MainWindow(model, QSettings(str(path), QSettings.Format.IniFormat))
    window.show()
    qtbot.waitExposed(window)
    window.close()
    written = QSettings(str(path), QSettings.Format.IniFormat)
    assert window.restoreState(written.value("window/state"))  # written anew, readable


# 3. Headless modes print and exit, never wait for a dialog


def screenshot(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "orbita_gui", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )


@pytest.mark.parametrize("text", [None, "frames 1\n", "malloc a 8 3\n"])
def test_screenshot_of_a_bad_or_missing_trace_exits_with_its_message(tmp_path, text):
    trace = tmp_path / "t.trace"
    if text is not None:
        trace.write_text(text)
    result = screenshot(tmp_path, trace, "--screenshot", tmp_path / "s.png")
    assert result.returncode == 1
    assert f"{trace}:1:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "s.png").exists()


def test_a_screenshot_into_a_missing_folder_is_refused_before_rendering(tmp_path):
    result = screenshot(tmp_path, "--screenshot", tmp_path / "no such folder" / "s.png")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no such folder" in result.stderr
    assert not (tmp_path / "no such folder").exists()


def test_a_screenshot_of_a_trace_says_its_warnings(tmp_path):
    trace = tmp_path / "extra.rep"
    trace.write_text("20000\n2\n2\n1\na 0 8\nf 0\nf 1\n")  # one line past the header's two
    result = screenshot(tmp_path, trace, "--screenshot", tmp_path / "s.png")
    assert result.returncode == 0 and (tmp_path / "s.png").exists()
    assert f"{trace}:7:1: warning:" in result.stderr


# 4. Hovering right after a change reads the heap as it is now


def test_hovering_the_heap_right_after_changes_never_reads_a_stale_picture(qtbot, window):
    model, heap_map = window.model, window.heap_map
    window.controls.size_field.setText("3000")
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: heap_map.hit(QPoint(heap_map.width() - 20, 15))[0] >= 0)
    points = [QPoint(x, y) for y in range(12, 120, 6) for x in range(200, heap_map.width(), 17)]
    block = next(p for p in points if heap_map.hit(p)[2].startswith("Block"))
    qtbot.mouseClick(heap_map, Qt.MouseButton.LeftButton, pos=block)  # frees it
    for change in (None, Qt.Key.Key_H, Qt.Key.Key_Z):
        if change is not None:
            press(
                qtbot,
                window,
                change,
                CTRL if change == Qt.Key.Key_Z else Qt.KeyboardModifier.NoModifier,
            )
        for point in points:  # no repaint has happened since the change
            qtbot.mouseMove(heap_map, point)
            start, _, tip = heap_map.hit(point)
            if tip.startswith("Block"):
                assert start in model.machine.heap.allocations()


# 5. Redo keys


def test_redo_keys_are_each_bound_once_whatever_the_platform_binds():
    ctrl_y, ctrl_shift_z = QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")
    for platform in ([ctrl_y], [ctrl_shift_z], [ctrl_y, ctrl_shift_z], [ctrl_shift_z, ctrl_y]):
        keys = redo_shortcuts(platform)
        assert sorted(k.toString() for k in keys) == ["Ctrl+Shift+Z", "Ctrl+Y"]


@pytest.mark.parametrize("modifiers,key", [(CTRL | SHIFT, Qt.Key.Key_Z), (CTRL, Qt.Key.Key_Y)])
def test_both_redo_keys_redo(qtbot, window, modifiers, key):
    model = window.model
    press(qtbot, window, Qt.Key.Key_F)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert len(model.history) == 0
    press(qtbot, window, key, modifiers)
    assert len(model.history) == 1


# 6. Work is never thrown away without asking


def test_nothing_is_asked_when_nothing_is_unsaved(qtbot, window, dialogs):
    dialogs.click("Cancel")
    press(qtbot, window, Qt.Key.Key_N, CTRL)  # the reset dialog only: Cancel
    assert dialogs.asked == ["New machine: "]
    window.close()
    assert not window.isVisible()


@pytest.mark.parametrize("key", [Qt.Key.Key_O, Qt.Key.Key_N])
def test_cancel_keeps_the_unsaved_work(qtbot, window, dialogs, key):
    press(qtbot, window, Qt.Key.Key_F)
    before = machine_state(window.model.machine)
    dialogs.click("Cancel")
    press(qtbot, window, key, CTRL)
    assert "loses the operations made by hand" in dialogs.asked[0]
    assert machine_state(window.model.machine) == before and window.model.unsaved


def test_a_new_machine_with_nothing_done_on_it_is_nothing_to_lose(qtbot, window, dialogs):
    dialogs.click("OK")
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    assert window.model.undo_stack.canUndo() and not window.model.unsaved
    window.close()  # no question: any would fail this test
    assert not window.isVisible()


def test_quitting_with_unsaved_work_asks_and_cancel_stays(qtbot, window, dialogs):
    press(qtbot, window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isWindowModified)
    dialogs.click("Cancel")
    window.close()
    assert window.isVisible()
    dialogs.click("Discard")
    window.close()
    assert not window.isVisible()


def test_save_from_the_question_saves_then_goes_on(qtbot, window, dialogs, tmp_path):
    press(qtbot, window, Qt.Key.Key_F)
    path = tmp_path / "work.trace"
    dialogs.click("Save")
    dialogs.choose_file(path)
    window.close()
    assert not window.isVisible()
    assert replayed_state(path) == machine_state(window.model.machine)


def test_a_session_that_cannot_be_written_is_one_message_and_stays_unsaved(
    qtbot, window, dialogs, tmp_path
):
    press(qtbot, window, Qt.Key.Key_F)
    dialogs.choose_file(tmp_path / "no such folder" / "s.trace")
    dialogs.click("OK")
    press(qtbot, window, Qt.Key.Key_S, CTRL)
    assert "no such folder" in dialogs.asked[0] and "No such file" in dialogs.asked[0]
    assert window.model.unsaved and window.isWindowModified()


def test_a_first_start_fits_the_screen(qtbot, model):
    window = MainWindow(model)  # no remembered size
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry()
    assert window.width() <= screen.width() and window.height() <= screen.height()


def test_statistics_that_cannot_be_written_are_one_message(qtbot, window, dialogs, tmp_path):
    window.traces.load(resource_path("traces", "2-no-coalescing.trace"))
    dialogs.choose_file(tmp_path / "no such folder" / "stats.csv")
    dialogs.click("OK")
    window.traces.export_csv()  # File > Export > Statistics as CSV
    assert "no such folder" in dialogs.asked[0] and "No such file" in dialogs.asked[0]
    assert "Cannot write" in window.status.text()

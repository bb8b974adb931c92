"""The window's trace features: open, keys, plots, save session, export."""

import csv

from PIL import Image
from PySide6.QtCore import QPointF, Qt

from orbita_gui.app import gif_dialog
from orbita_gui.model import player as player_module
from orbita_gui.resources import resource_path
from orbita_gui.traces import Replayer, machine_for, parse_native, read_trace

from ..machine_state import machine_state

SAMPLE = resource_path("traces", "2-no-coalescing.trace")


def test_open_trace_loads_it_into_the_player(window, dialogs):
    dialogs.choose_file(SAMPLE)
    window.traces.open_action.trigger()
    player = window.traces.player
    assert player.loaded and player.length == 16
    assert window.model.machine.heap.heap_size == 2048
    assert "16 operations" in window.status.text()
    assert window.traces.panel.label.text().startswith("operation 0 of 16")


def test_a_bad_trace_is_explained_and_changes_nothing(window, tmp_path, dialogs):
    bad = tmp_path / "bad.trace"
    bad.write_text("malloc a 24\nmalloc b 8 3\n")
    window.model.allocate_frame()
    before = machine_state(window.model.machine)
    dialogs.click("OK")
    assert not window.traces.load(bad)
    assert f"{bad}:2:12: alignment 3 is not a power of two" in dialogs.asked[0]
    assert machine_state(window.model.machine) == before
    assert not window.traces.player.loaded


def test_keys_drive_the_player_where_focus_is_not_a_text_field(qtbot, window):
    window.traces.load(SAMPLE)
    player = window.traces.player
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    assert player.position == 2
    qtbot.keyClick(window.grid, Qt.Key.Key_Left)
    assert player.position == 1
    qtbot.keyClick(window.grid, Qt.Key.Key_End)
    assert player.position == 16
    qtbot.keyClick(window.grid, Qt.Key.Key_Home)
    assert player.position == 0
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert player.playing
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert not player.playing
    window.controls.size_field.setFocus()
    qtbot.keyClick(window.controls.size_field, Qt.Key.Key_Right)
    assert player.position == 0  # the arrow moved the text cursor instead


def test_plots_follow_the_player_and_a_click_jumps(qtbot, window):
    window.traces.load(SAMPLE)
    plots = window.traces.plots
    curve = plots.curves["heap_allocated"]  # drawn as the pass behind the trace records it
    qtbot.waitUntil(lambda: curve.xData is not None and len(curve.xData) == 16)
    for plot in plots.plots:  # every trace shown whole, from zero up
        (x0, x1), (y0, _) = plot.getViewBox().viewRange()
        assert x0 <= 0 and x1 >= 16 and y0 <= 0
    window.traces.seek(9)
    qtbot.waitUntil(lambda: all(cursor.value() == 9 for cursor in plots.cursors))
    with qtbot.waitSignal(plots.sig_seek_requested) as wanted:
        plots.sig_seek_requested.emit(4)
    assert wanted.args == [4] and window.traces.player.position == 4


def test_saved_session_loads_to_the_same_state(window, tmp_path, dialogs):
    window.traces.load(SAMPLE)
    window.traces.seek(12)
    path = tmp_path / "session.trace"
    dialogs.choose_file(path)
    window.traces.save_action.trigger()
    saved = read_trace(path)
    replayer = Replayer(saved, machine_for(saved))
    while not replayer.at_end:
        replayer.step()
    assert machine_state(replayer.machine) == machine_state(window.model.machine)


def test_clicks_detach_the_player_and_are_saved_too(window, tmp_path, dialogs):
    window.traces.load(SAMPLE)
    window.traces.seek(3)
    window.model.allocate_frame()  # a click: the trace is let go
    assert not window.traces.player.loaded
    path = tmp_path / "clicked.trace"
    dialogs.choose_file(path)
    window.traces.save_session()
    lines = path.read_text().splitlines()
    assert lines[-1] == "alloc-frame f1" and "malloc b1 128 8" in lines


def test_exports(qtbot, window, tmp_path, monkeypatch, dialogs):
    window.traces.load(SAMPLE)
    png, gif, table = tmp_path / "w.png", tmp_path / "a.gif", tmp_path / "s.csv"
    dialogs.choose_file(png)
    window.traces.export_png(window.grid)
    assert png.read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(gif_dialog.GifDialog, "exec", lambda self: 1)
    choice = gif_dialog.GifChoice(2, 6, 100, picture=0, steps=False)
    monkeypatch.setattr(gif_dialog.GifDialog, "values", lambda self: choice)
    dialogs.choose_file(gif)
    window.traces.export_gif()
    with Image.open(gif) as image:
        assert image.n_frames == 5 and image.width <= 1280
    assert window.traces.player.position == 0  # back where it was
    searches = tmp_path / "steps.gif"  # the free list, a frame per step of each search
    choice = gif_dialog.GifChoice(14, 15, 100, picture=3, steps=True)
    dialogs.choose_file(searches)
    window.traces.export_gif()
    with Image.open(searches) as image:  # line 22: 2 steps (push, merge none); line 23: 6
        assert image.n_frames == 1 + 6 and image.width == window.free_list.width()
    dialogs.choose_file(table)
    window.traces.export_csv()
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == 16 and rows[-1]["kind"] == "malloc"


def test_a_loaded_trace_starts_a_new_log(qtbot, window):
    window.model.allocate_frames(3)  # by hand, before any trace
    log = window.log.log
    qtbot.waitUntil(lambda: log.rowCount() >= 1)
    window.traces.load(SAMPLE)
    window.traces.seek(2)
    qtbot.waitUntil(lambda: log.rowCount() == 3)
    assert log.text(0) == "reset: a new machine"  # the trace's machine; nothing from before
    assert log.text(1).startswith("allocate(")


def test_a_traces_warnings_are_in_the_log(qtbot, window, tmp_path):
    trace = tmp_path / "extra.rep"
    trace.write_text("20000\n2\n2\n1\na 0 8\nf 0\nf 1\n")  # one line past the header's two
    assert window.traces.load(trace)
    log = window.log.log
    qtbot.waitUntil(lambda: log.rowCount() > 0)
    lines = [log.text(row) for row in range(log.rowCount())]
    assert any(f"{trace}:7:1: warning:" in line for line in lines), lines
    assert "2 operations (1 warning in the log)" in window.status.text()


def test_the_player_and_plots_are_the_windows_docks_and_menu(window):
    assert window.dock("player").widget() is window.traces.panel
    assert window.dock("plots").widget() is window.traces.plots
    assert window.dock("lifetimes").widget() is window.traces.lifetimes
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Player", "Help"]  # Help stays last


def test_the_plots_mark_each_allocation_that_ran_out_of_memory(qtbot, window):
    window.traces.load(resource_path("traces", "4-out-of-memory-with-free-bytes.trace"))
    failures = window.traces.plots.failures
    trace = window.traces.player.trace
    failed = [n for n, op in enumerate(trace.ops, 1) if op.name == "big"]
    qtbot.waitUntil(lambda: failures.data["x"].tolist() == failed)
    series = window.traces.player.series
    assert series["failed_allocations"][-1] == 1


def test_clicking_a_block_over_time_goes_to_its_allocation(qtbot, window):
    window.traces.load(SAMPLE)
    window.dock("lifetimes").raise_()
    view, player = window.traces.lifetimes, window.traces.player
    qtbot.waitUntil(lambda: player.report is not None)
    window.traces.seek(player.length)
    where = view.view.mapViewToScene(QPointF(12.5, 0x500))  # "rest", the last 1 KiB
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(where))
    assert player.position == 9  # just after "malloc rest 1024", the ninth operation
    assert view.cursor.value() == 9


def test_the_docks_the_pass_fills_in_say_how_far_it_is(qtbot, window):
    long = parse_native("heap 0x1000 64KiB\n" + "malloc a 16\nfree a\n" * 20_000)
    player, dock = window.traces.player, window.dock("plots")
    window.traces.load_trace(long, "long")
    qtbot.waitUntil(lambda: "(replayed" in dock.windowTitle(), timeout=5000)
    qtbot.waitUntil(lambda: player.report is not None, timeout=20_000)
    assert dock.windowTitle() == "Statistics plots"
    assert window.dock("lifetimes").windowTitle() == "Blocks over time"


def test_a_jump_from_a_checkpoint_starts_the_log_over_with_no_new_machine(
    qtbot, window, monkeypatch
):
    monkeypatch.setattr(player_module, "CHECKPOINT_EVERY", 4)
    monkeypatch.setattr(player_module, "RESUME_COST", 0)
    window.traces.load(SAMPLE)
    player, log = window.traces.player, window.log.log
    qtbot.waitUntil(lambda: player.report is not None)
    window.traces.seek(14)
    assert player.model.kept_operations < 14  # it went from a checkpoint
    log.flush()
    lines = [log.text(row) for row in range(log.rowCount())]
    assert lines and not any("new machine" in line for line in lines)

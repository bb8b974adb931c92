"""Statistics, the operation log and the controls."""

from orbita_gui.traces import machine_for, parse_native
from orbita_gui.views import log_view
from orbita_gui.views.controls import ControlsPanel
from orbita_gui.views.log_view import APPLIED, FAILED, UNDONE, LogView
from orbita_gui.views.stats_panel import StatsPanel


def test_statistics_follow_the_model(qtbot, model):
    panel = StatsPanel(model)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(model.sig_changed):
        model.allocate_frames(5)
        model.allocate(64, 64)
    values = {key: label.text() for key, label in panel.values.items()}
    assert values["frames_total"] == "1,024"
    assert values["frames_used"] == "30"
    assert values["heap_allocated"] == "64 B"
    assert values["heap_lost"] == "0 B"
    assert values["regions"] == "1"
    assert values["fragmentation"] == "0.0%"
    panel.cleanup()


def test_log_has_every_event_failures_and_undos(qtbot, model):
    view = LogView(model)
    qtbot.addWidget(view)
    with qtbot.waitSignal(model.sig_changed):
        model.allocate(24, 8)
    model.free_frame(500)  # not allocated
    model.undo_stack.undo()
    log = view.log
    qtbot.waitUntil(lambda: log.rowCount() == 3)  # lines come at most 10 times a second
    assert log.text(0) == (
        "malloc b1 24 → allocate(Layout { size: 24, align: 8 }) -> 0x444444440000: passed "
        "over 0 regions, split a 102,400-byte region"
    )
    assert [line.kind for line in log.lines] == [APPLIED, FAILED, UNDONE]
    assert [log.number(row) for row in range(3)] == [1, None, None]  # refused: no operation
    assert "double free" in log.text(1)
    assert log.text(2).startswith("undo: allocate(")


def test_many_operations_reach_the_log_in_one_insert(qtbot, model):
    view = LogView(model)
    qtbot.addWidget(view)
    inserts = []
    view.log.rowsInserted.connect(lambda *args: inserts.append(args))
    with qtbot.waitSignal(model.sig_changed):
        model.allocate_frames(300)
    assert view.log.rowCount() == 300 and len(inserts) == 1


def test_controls_check_the_layout_as_typed(qtbot, model):
    panel = ControlsPanel(model)
    qtbot.addWidget(panel)
    panel.align_field.setText("3")
    assert "not a power of two" in panel.heap_error.text()
    assert not panel.allocate_button.isEnabled()
    panel.size_field.setText("lots")
    assert "is not a size" in panel.heap_error.text()
    panel.size_field.setText("0x40")
    panel.align_field.setText("64")
    assert panel.heap_error.text() == "" and panel.allocate_button.isEnabled()
    with qtbot.waitSignal(model.sig_block_allocated) as allocated:
        panel.allocate_button.click()
    assert allocated.args[0].layout.size == 64 and allocated.args[0].layout.align == 64


def test_controls_allocate_frames(qtbot, model):
    panel = ControlsPanel(model)
    qtbot.addWidget(panel)
    panel.frame_count.setValue(7)
    panel.allocate_frames_button.click()
    assert model.machine.frames.stats().used_frames == 32
    assert model.undo_stack.undoText() == "allocate 7 frames"


def test_the_log_keeps_the_newest_lines_numbered_on(qtbot, model, monkeypatch):
    monkeypatch.setattr(log_view, "MAX_LINES", 100)
    view = LogView(model)
    qtbot.addWidget(view)
    log = view.log
    for count in (60, 60, 250):
        log._add_all([f"line {n}" for n in range(count)], APPLIED)
        log.flush()
        assert log.rowCount() <= 100
    assert log.rowCount() == 100 and log.dropped == 270
    assert log.text(99) == "line 249"  # the newest is last


def test_log_rows_are_numbered_by_operation_with_the_traces_lines_and_names(qtbot, model, tmp_path):
    view = LogView(model)
    qtbot.addWidget(view)
    trace = parse_native("heap 0x1000 64\nmalloc a 8\nfree null\nmalloc b 100\nmalloc c 8\n")
    model.start_trace(machine_for(trace))
    for op in trace.ops:
        model.apply(op, undoable=False)
    log = view.log
    qtbot.waitUntil(lambda: log.rowCount() == 4)
    rows = [log.data(log.index(row)) for row in range(4)]
    assert rows[0] == "         reset: a new machine"
    assert rows[1].startswith("      1  line 2: malloc a 8 → allocate(")
    assert rows[2].startswith("      3  line 4: allocate(Layout { size: 100")  # free null: 2
    assert rows[3].startswith("      4  line 5: malloc c 8 → allocate(")
    model.apply_many(trace.ops)  # at once: numbered on (failures after the batch's events)
    qtbot.waitUntil(lambda: log.rowCount() == 7)
    assert [log.number(row) for row in range(4, 7)] == [5, 8, 7]

"""View > Compare allocators: one trace on two to four heap allocators side by side,
under one player, jumping from one operation where they part to the next."""

import math

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialogButtonBox

from orbita_gui.app.compare_ui import CompareDialog
from orbita_gui.app.compare_window import open_comparison
from orbita_gui.resources import resource_path
from orbita_gui.traces import parse_native
from orbita_gui.traces.compare import parse_heap_spec
from orbita_gui.views.compare_plots import PLOTS

from ..compare_trace import churn

SAMPLE = resource_path("traces", "2-no-coalescing.trace")


def compare_window(qtbot, window, *specs):
    window.traces.load(SAMPLE)
    window.compare.open([parse_heap_spec(spec) for spec in specs])
    (opened,) = window.compare.windows
    qtbot.waitExposed(opened)
    with qtbot.waitActive(opened):
        opened.activateWindow()
    return opened


def test_without_a_trace_the_comparison_asks_for_one(window):
    window.compare.ask()
    assert window.status.text() == "Compare allocators: open a trace first (Help > Examples)"


def test_the_dialog_takes_names_and_rules_and_refuses_what_is_neither(qtbot):
    dialog = CompareDialog()
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    dialog.boxes[1].setCurrentText("best,sideways")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "sideways" in dialog.error.text() and not dialog.specs
    dialog.boxes[1].setCurrentText("")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Choose two allocators at least."
    dialog.boxes[1].setCurrentText("ostep")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert [spec.kind for spec in dialog.specs] == ["guide", "ostep"]


def test_the_player_moves_every_allocator_and_jumps_to_where_they_part(qtbot, window):
    opened = compare_window(qtbot, window, "guide", "best,addrsort,coalesce")
    comparison = opened.comparison
    assert len(opened.columns) == 2 and comparison.divergences == (14, 15)
    qtbot.keyClick(opened, Qt.Key.Key_Right)
    assert [player.position for player in comparison.players] == [1, 1]
    qtbot.keyClick(opened, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert [player.position for player in comparison.players] == [15, 15]
    assert "line 23: malloc big 200): the allocators part here (difference 1 of 2)" in (
        opened.difference.text()
    )
    guide, best = (model.machine.heap.stats() for model in comparison.models)
    assert guide.allocated < best.allocated  # the guide returned null; best fit did not
    plots = opened.plots
    qtbot.waitUntil(lambda: plots.cursors[0].value() == 15)  # the cursor follows the lead
    regions_plot = plots.plots[[key for _, key in PLOTS].index("free_list_length")]
    free_regions = [curve.yData[-1] for curve in regions_plot.listDataItems()]
    assert free_regions == [5, 2]  # a curve per allocator: best fit coalesced
    qtbot.keyClick(opened, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert comparison.lead.position == 16 and not opened.next_button.isEnabled()
    qtbot.keyClick(opened, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert [player.position for player in comparison.players] == [15, 15]
    assert window.traces.player.position == 0  # the main window's player stays put
    window.close()  # the comparison goes with the main window
    qtbot.waitUntil(lambda: not window.compare.windows)


class Frames(QObject):
    """The window's screen frames, each with the lead's position and the columns whose
    pictures it painted; and the model's revision each picture last painted."""

    def __init__(self, window) -> None:
        super().__init__()
        self.frames: list[tuple[int, set[int]]] = []
        self.revisions = {}
        self._lead = window.comparison.lead
        self._column = {}
        for number, column in enumerate(window.columns):
            for view in column.views:
                self._column[view] = number
                view.installEventFilter(self)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.frames.append((self._lead.position, set()))
        elif event.type() == QEvent.Type.Paint and watched in self._column:
            self.revisions[watched] = watched.model.revision
            if self.frames:
                self.frames[-1][1].add(self._column[watched])
        return False

    def first_drawn(self) -> dict[int, set[int]]:
        """At each position of the lead, the columns painted by the first frame that
        painted any (a picture resized by the layout may repaint alone later)."""
        first = {}
        for position, columns in self.frames:
            if columns:
                first.setdefault(position, columns)
        return first

    def show_now(self) -> bool:
        """Every picture has painted its machine as it is."""
        return all(self.revisions.get(view) == view.model.revision for view in self._column)


def test_played_as_fast_as_possible_every_column_redraws_in_each_frame(qtbot):
    specs = [parse_heap_spec(text) for text in ("guide", "best,addrsort,coalesce", "segregated")]
    opened = open_comparison(parse_native(churn(6000)), specs)
    qtbot.addWidget(opened)
    frames = Frames(opened)
    qtbot.waitExposed(opened)
    qtbot.waitUntil(frames.show_now)
    lead = opened.comparison.lead
    lead.set_speed(math.inf)
    lead.play()
    qtbot.waitUntil(lambda: lead.position > 3000, timeout=20_000)
    lead.pause()
    assert {player.position for player in opened.comparison.players} == {lead.position}
    qtbot.waitUntil(frames.show_now)  # paused, every column shows the cursor's state
    played = {position: columns for position, columns in frames.first_drawn().items() if position}
    assert len(played) > 3 and all(columns == {0, 1, 2} for columns in played.values())

"""View > Compare allocators: the trace playing on two to four heap allocators side by
side, under one player; where their answers part is marked, and stepping jumps from
one such operation to the next."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from orbita_gui.core.errors import OrbitaError
from orbita_gui.model.comparison import Comparison
from orbita_gui.traces import Trace
from orbita_gui.traces.compare import HeapSpec, compare
from orbita_gui.traces.narration import op_text
from orbita_gui.views import type_scale
from orbita_gui.views.compare_plots import ComparePlots
from orbita_gui.views.heap_state import allocator_words
from orbita_gui.views.player_panel import PlayerPanel
from orbita_gui.views.registry import views_for
from orbita_gui.views.throttle import PICTURE_PER_SECOND, TEXT_PER_SECOND, Throttle


def figures(model) -> str:
    """A column's figures in one line: what the class compares at a glance."""
    stats = model.machine.heap.stats()
    return (
        f"allocated {stats.allocated:,} B · free {stats.free:,} B in {stats.free_regions:,} "
        f"· largest {stats.largest_free:,} B · fragmentation {stats.external_fragmentation:.0%}"
    )


class _Column(QWidget):
    """One allocator: its name and rules, its figures, and its heap's pictures."""

    def __init__(self, spec: HeapSpec, model, player) -> None:
        super().__init__()
        self.model = model
        layout = QVBoxLayout(self)
        words = allocator_words(model.machine)
        named = words if words.startswith(spec.text) else f"{spec.text} — {words}"
        title = QLabel(named, wordWrap=True)
        type_scale.styled(title, 13, bold=True)
        self.figures = QLabel(wordWrap=True)
        type_scale.styled(self.figures, 11)
        layout.addWidget(title)
        layout.addWidget(self.figures)
        self.views = []
        pictures = QSplitter(Qt.Orientation.Vertical)
        for view_spec in views_for(model.machine.heap):
            view = view_spec.factory(model)
            view.follow(player.animation)
            self.views.append(view)
            if view_spec.scrolled:
                area = QScrollArea(widgetResizable=True)
                area.setWidget(view)
                pictures.addWidget(area)
            else:
                pictures.addWidget(view)
        layout.addWidget(pictures, 1)
        self.updates = Throttle(self.refresh, TEXT_PER_SECOND, self)
        model.sig_changed.connect(self.updates.request)
        self.refresh()

    def refresh(self) -> None:
        self.figures.setText(figures(self.model))


class CompareWindow(QMainWindow):
    """The comparison's player, its marks of difference, and a column per allocator."""

    def __init__(self, comparison: Comparison, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison = comparison
        comparison.setParent(self)
        self.setWindowTitle(f"Compare allocators — {comparison.trace.source}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.panel = PlayerPanel(comparison.lead)
        self.panel.sig_seek_requested.connect(comparison.lead.seek)
        layout.addWidget(self.panel)
        differences = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous difference")
        self.next_button = QPushButton("Next difference ▶")
        self.difference = QLabel(wordWrap=True)
        type_scale.styled(self.difference, 12)
        differences.addWidget(self.previous_button)
        differences.addWidget(self.difference, 1)
        differences.addWidget(self.next_button)
        layout.addLayout(differences)
        columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns = [
            _Column(spec, model, player)
            for spec, model, player in zip(
                comparison.specs, comparison.models, comparison.players, strict=True
            )
        ]
        for column in self.columns:
            columns.addWidget(column)
            # All the columns' figures together change as often as one window's words.
            column.updates.set_rate(TEXT_PER_SECOND / len(self.columns))
        self._pace_pictures()
        comparison.lead.sig_playing_changed.connect(lambda _: self._pace_pictures())
        self._keys()
        comparison.lead.sig_position_changed.connect(lambda _: self._tell_difference())
        comparison.start()
        titles = [spec.text for spec in comparison.specs]
        self.plots = ComparePlots(comparison.players, titles)
        self.plots.sig_seek_requested.connect(comparison.lead.seek)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(columns)
        split.addWidget(self.plots)
        split.setSizes([660, 280])  # the plots, and their legend under them
        layout.addWidget(split, 1)
        self.setCentralWidget(body)
        self.resize(1280, 800)
        # The keys go to the pictures: the timeline, had it the focus, would take the
        # arrows for itself.
        self.columns[0].views[0].setFocus()

    def _pace_pictures(self) -> None:
        """Playing as fast as possible, each tick is a screen frame, paced by the lead's
        frame budget: every picture redraws in every frame, all the columns together
        (throttled, each put its redraws off by its own clock, to frames of their own).
        Otherwise all the columns' pictures together redraw as often as one window's."""
        lead = self.comparison.lead
        full_speed = lead.playing and math.isinf(lead.speed)
        rate = math.inf if full_speed else PICTURE_PER_SECOND / len(self.columns)
        for column in self.columns:
            for view in column.views:
                view.repaints.set_rate(rate)

    def _keys(self) -> None:
        """Left and Right step, Space plays; Ctrl+Left and Ctrl+Right jump between the
        operations where the allocators part."""
        lead, comparison = self.comparison.lead, self.comparison
        for text, keys, slot in (
            ("Step back", "Left", lead.step_back),
            ("Step forward", "Right", lead.step_forward),
            ("Play or pause", "Space", lead.toggle),
            ("Previous difference", "Ctrl+Left", comparison.previous_divergence),
            ("Next difference", "Ctrl+Right", comparison.next_divergence),
        ):
            action = QAction(text, self, shortcut=QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
        self.previous_button.clicked.connect(comparison.previous_divergence)
        self.next_button.clicked.connect(comparison.next_divergence)

    def _tell_difference(self) -> None:
        """Whether the operation just applied is one where the allocators part, and how
        many such operations there are."""
        comparison = self.comparison
        divergences, position = comparison.divergences, comparison.lead.position
        count = len(divergences)
        number, after, before = comparison.around()
        if not count:
            self.difference.setText("The allocators answer alike at every operation.")
        elif number is not None:
            op = comparison.trace.ops[position - 1]
            self.difference.setText(
                f"Operation {position:,} ({op_text(op)}): the allocators part here "
                f"(difference {number} of {count})."
            )
        else:
            self.difference.setText(
                f"{count:,} operations where the allocators answer differently; the first is "
                f"operation {divergences[0] + 1:,}. Ctrl+Right goes to the next."
            )
        self.previous_button.setEnabled(before is not None)
        self.next_button.setEnabled(after is not None)

    def closeEvent(self, event) -> None:
        self.comparison.lead.pause()
        for column in self.columns:
            for view in column.views:
                view.cleanup()
        super().closeEvent(event)


def open_comparison(trace: Trace, specs: list[HeapSpec]) -> CompareWindow | str:
    """A comparison window of `trace` on the allocators of `specs`, shown; or why not.
    A window of its own, not the main window's child: the main window's keys (Right
    steps its own player) would act in it too."""
    try:
        compared = compare(trace, specs, record=True)
    except OrbitaError as error:
        return str(error)
    window = CompareWindow(Comparison(compared))
    window.show()
    return window

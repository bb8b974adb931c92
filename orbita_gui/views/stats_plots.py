"""Statistics against operation number, with a cursor that follows the player."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor

from orbita_gui.model import TracePlayer

from . import palette
from .throttle import PICTURE_PER_SECOND, Throttle

PLOTS = (
    (
        "Heap bytes",
        (
            ("heap_allocated", "allocated", palette.USED),
            ("heap_free", "free", QColor("#7a9e7e")),
            ("heap_lost", "lost", palette.LOST),
        ),
    ),
    ("Free-list length", (("free_list_length", "nodes", palette.HEAP),)),
    ("External fragmentation", (("external_fragmentation", "1 - largest / free", palette.LINKED),)),
    ("Frames used", (("frames_used", "frames", palette.MARKER),)),
)


class StatsPlots(pg.GraphicsLayoutWidget):
    """Four plots of the loaded trace, replayed whole when it was loaded. Click a plot
    to go to that operation."""

    sig_seek_requested = Signal(int)
    """Go to the state after this many operations."""

    def __init__(self, player: TracePlayer, parent=None) -> None:
        super().__init__(parent)
        self.setBackground(palette.PAPER)
        self.setMinimumHeight(170)  # below that the curves are flat lines
        self.player = player
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        self.plots: list[pg.PlotItem] = []
        for column, (title, series) in enumerate(PLOTS):
            plot = self.addPlot(row=0, col=column, title=title)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            if len(series) > 1:
                plot.addLegend(offset=(-10, 5), labelTextColor=palette.INK)
            for key, name, colour in series:
                curve = plot.plot(pen=pg.mkPen(colour, width=2), name=name)
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                self.curves[key] = curve
            cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(palette.INK, width=1.5))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        for plot in self.plots:
            plot.setLabel("bottom", "operation")
        self.plots[0].setLabel("left", units="B")  # 20 MB, not 2e+07
        self.scene().sigMouseClicked.connect(self._on_clicked)
        player.sig_trace_loaded.connect(self._on_trace_loaded)
        self.cursor_updates = Throttle(self._move_cursors, PICTURE_PER_SECOND, self)
        player.sig_position_changed.connect(self._on_position_changed)
        player.sig_detached.connect(lambda _: self.clear_data())

    def clear_data(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])

    def _on_trace_loaded(self, trace) -> None:
        series = self.player.report.series
        x = np.arange(1, len(trace.ops) + 1)
        for key, curve in self.curves.items():
            curve.setData(x, series[key])
        for plot, (_, lines) in zip(self.plots, PLOTS, strict=True):
            # From zero: a count that never changes is a flat line at its value, not a
            # line through an axis of fractions around it.
            top = max(float(series[key].max(initial=0)) for key, _, _ in lines)
            plot.setRange(xRange=(0, len(trace.ops)), yRange=(0, top or 1))
        self._on_position_changed(0)

    def _on_position_changed(self, position: int) -> None:
        self.cursor_updates.request()

    def _move_cursors(self) -> None:
        for cursor in self.cursors:
            cursor.setValue(self.player.position)

    def _on_clicked(self, event) -> None:
        if not self.player.loaded:
            return
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.getViewBox().mapSceneToView(event.scenePos()).x()
                self.sig_seek_requested.emit(round(min(max(x, 0), self.player.length)))
                return

    def cleanup(self) -> None:
        self.player.sig_trace_loaded.disconnect(self._on_trace_loaded)
        self.player.sig_position_changed.disconnect(self._on_position_changed)
        self.cursor_updates.stop()

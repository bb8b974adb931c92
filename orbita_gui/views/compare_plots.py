"""The allocators of a comparison, one curve each, against operation number: where one
pulls ahead of another is where their pictures are worth a look."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from orbita_gui.model import TracePlayer

from . import palette
from .stats_plots import paint_plot
from .throttle import TEXT_PER_SECOND, Throttle

PLOTS = (
    ("Heap bytes allocated", "heap_allocated"),
    ("Footprint", "footprint"),
    ("Free regions", "free_list_length"),
    ("Nodes searched", "search_cost"),
    ("External fragmentation", "external_fragmentation"),
)
"""Each plot's title and the replay's series it draws."""
STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
)
"""A line style per allocator besides its colour: told apart without colour too."""


COLOURS = (palette.USED, palette.LOST, palette.MADE, palette.MARKER)
"""The palette's own colour objects: they take a new theme's colours in place."""
CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
"""For the curves and axes: a moving cursor's strip crosses them all (an axis's grid
spans its plot), and redrawing them there cost 25 ms a move; from a cached pixmap, 2."""


class ComparePlots(pg.GraphicsLayoutWidget):
    """A plot per measure, a curve per allocator (`players`, titled by `titles`), and a
    cursor at the lead player's operation. Click a plot to go to that operation."""

    sig_seek_requested = Signal(int)

    def __init__(self, players: list[TracePlayer], titles: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setBackground(palette.PAPER)
        self.cursors: list[pg.InfiniteLine] = []
        self.plots: list[pg.PlotItem] = []
        self.legend = pg.LegendItem(
            labelTextColor=palette.INK, labelTextSize="11pt", colCount=len(players)
        )
        """A line under the plots, not over a curve: narrow plots have no corner to spare."""
        for column, (title, key) in enumerate(PLOTS):
            plot = self.addPlot(row=0, col=column)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            for number, (player, name) in enumerate(zip(players, titles, strict=True)):
                values = player.series.get(key, np.zeros(0))
                pen = pg.mkPen(COLOURS[number], width=2.5, style=STYLES[number])
                curve = plot.plot(np.arange(1, len(values) + 1), values, pen=pen, name=name)
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                curve.curve.setCacheMode(CACHED)
                if column == 0:
                    self.legend.addItem(curve, name)
            paint_plot(plot, title, bytes_=key in ("heap_allocated", "footprint"))
            for side in ("left", "bottom"):
                plot.getAxis(side).setCacheMode(CACHED)
            cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(palette.INK, width=1.5))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self.addItem(self.legend, row=1, col=0, colspan=len(PLOTS))
        self.ci.layout.setRowMaximumHeight(1, 2 * self.fontMetrics().height())
        lead = players[0]
        self.lead = lead
        self.cursor_updates = Throttle(self._move_cursors, TEXT_PER_SECOND, self)
        lead.sig_position_changed.connect(lambda _: self.cursor_updates.request())
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self._move_cursors()

    def _move_cursors(self) -> None:
        for cursor in self.cursors:
            cursor.setValue(self.lead.position)

    def _on_clicked(self, event) -> None:
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.vb.mapSceneToView(event.scenePos()).x()
                self.sig_seek_requested.emit(max(0, min(round(x), self.lead.length)))
                return

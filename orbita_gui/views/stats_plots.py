"""Statistics against operation number, with a cursor that follows the player."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor

from orbita_gui.model import TracePlayer

from . import palette, type_scale
from .throttle import PICTURE_PER_SECOND, Throttle

CURVES_PER_SECOND = 4
"""How often the curves grow while the pass behind a trace records them: each redraw
takes every point so far."""
MARKS_AT_MOST = 2000
"""Out-of-memory marks drawn at most: one per this fraction of the trace (a wider
screen has no more columns than that to tell them apart)."""
STACKED = "Heap bytes"
"""The plot whose series are stacked, as the heap map's bar lays the bytes side by side."""
PLOTS = (
    (
        STACKED,
        (  # top of the stack first: the legend reads as the stack does
            ("heap_free", "free", palette.FREE),
            ("heap_lost", "lost", palette.LOST),
            ("heap_allocated", "allocated", palette.USED),
        ),
    ),
    ("Free-list length", (("free_list_length", "nodes", palette.INK),)),
    ("External fragmentation", (("external_fragmentation", "1 - largest / free", palette.INK),)),
    ("Frames used", (("frames_used", "frames", palette.USED),)),
)
"""Each plot's title and series: key, name, and the palette's colour for what it counts
(the views' colour where a view shows the same thing; ink for the counts no view
colours). A colour object of the palette, so that it follows a change of theme."""


def paint_plot(plot: pg.PlotItem, title: str, bytes_: bool = False) -> None:
    """A plot's title, axes and legend in the palette's colours and the type scale's
    size (`bytes_`: its left axis counts bytes, written 20 MB rather than 2e+07)."""
    ink = palette.INK.name()
    plot.setTitle(title, color=ink, size=f"{12 * type_scale.scale():.1f}pt")
    for side in ("left", "bottom"):
        plot.getAxis(side).setPen(palette.MUTED)
        plot.getAxis(side).setTextPen(palette.INK)
        plot.getAxis(side).setStyle(tickFont=type_scale.font(10))
    # After the pens: an axis's pen colours its label too.
    plot.setLabel("bottom", "operation", color=ink)
    if bytes_:
        plot.setLabel("left", units="B", color=ink)
    legend = plot.legend
    if legend is not None:
        legend.setBrush(palette.PAPER)
        legend.setLabelTextColor(palette.INK)
        for _, label in legend.items:
            label.setText(label.text)  # a label takes a new colour when set anew


class StatsPlots(pg.GraphicsLayoutWidget):
    """Four plots of the loaded trace, filled in as the pass behind it records them.
    Click a plot to go to that operation."""

    sig_seek_requested = Signal(int)
    """Go to the state after this many operations."""

    def __init__(self, player: TracePlayer, parent=None) -> None:
        super().__init__(parent)
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
                plot.addLegend(offset=(-10, 5))
            for key, name, _ in series:
                curve = plot.plot(name=name, fillLevel=0 if title == STACKED else None)
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                self.curves[key] = curve
            if title == STACKED:  # allocations that returned NULL, over the bytes they lacked
                self.failures = pg.ScatterPlotItem(symbol="x", size=12, name="out of memory")
                plot.addItem(self.failures)
            cursor = pg.InfiniteLine(angle=90)
            plot.addItem(cursor)
            self.cursors.append(cursor)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self._paint_in_theme()
        self.scene().sigMouseClicked.connect(self._on_clicked)
        player.sig_trace_loaded.connect(self._on_trace_loaded)
        self.cursor_updates = Throttle(self._move_cursors, PICTURE_PER_SECOND, self)
        self.curve_updates = Throttle(self._draw_recorded, CURVES_PER_SECOND, self)
        self._drawn = -1
        """Operations the curves show: the pass behind the trace fills them in."""
        player.sig_recorded.connect(self._on_recorded)
        player.sig_position_changed.connect(self._on_position_changed)
        player.sig_detached.connect(lambda _: self.clear_data())
        type_scale.changes().sig_scale_changed.connect(self._paint_in_theme)

    def changeEvent(self, event) -> None:
        """A change of theme comes as a new application palette: take its colours."""
        built = hasattr(self, "plots")  # pyqtgraph's set-up changes the palette too
        if event.type() == QEvent.Type.PaletteChange and built:
            self._paint_in_theme()
        super().changeEvent(event)

    def _paint_in_theme(self) -> None:
        """Background, words, axes, curves and cursors in the palette's colours."""
        self.setBackground(palette.PAPER)
        for plot, (title, series) in zip(self.plots, PLOTS, strict=True):
            paint_plot(plot, title, bytes_=title == STACKED)
            for key, _, colour in series:
                self._paint_curve(self.curves[key], colour, stacked=title == STACKED)
        for cursor in self.cursors:
            cursor.setPen(pg.mkPen(palette.INK, width=1.5))
        self.failures.setPen(pg.mkPen(palette.ERROR, width=2))
        self.failures.setBrush(pg.mkBrush(palette.ERROR))

    @staticmethod
    def _paint_curve(curve: pg.PlotDataItem, colour: QColor, stacked: bool) -> None:
        """A line in the colour; in the stack, a band filled with it, edged so that free
        (the paper's colour) shows too."""
        if not stacked:
            curve.setPen(pg.mkPen(colour, width=2))
            return
        curve.setBrush(pg.mkBrush(colour))
        curve.setPen(pg.mkPen(palette.MUTED if colour is palette.FREE else colour, width=1.5))

    def clear_data(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        self.failures.setData([], [])

    def _on_trace_loaded(self, trace) -> None:
        self._drawn = -1
        for plot in self.plots:
            plot.setXRange(0, len(trace.ops))
        self._draw_recorded()
        self._on_position_changed(0)

    def _on_recorded(self, done: int) -> None:
        self.curve_updates.request()

    def _draw_recorded(self) -> None:
        """The curves as far as the pass behind the trace has recorded them."""
        player = self.player
        done, series = player.recorded, player.series
        if not player.loaded or done == self._drawn:
            return
        self._drawn = done
        x = np.arange(1, done + 1)
        for plot, (title, lines) in zip(self.plots, PLOTS, strict=True):
            # The stack's bands are drawn top first, each from zero: a band's top is
            # its series plus those under it.
            stack = np.zeros(done)
            for key, _, _ in reversed(lines):
                y = series[key][:done] + (stack if title == STACKED else 0)
                self.curves[key].setData(x, y)
                stack = y
            # From zero: a count that never changes is a flat line at its value, not a
            # line through an axis of fractions around it. (No series is negative: the
            # last curve drawn, the stack's top, is the highest.)
            plot.setYRange(0, float(stack.max(initial=0)) or 1)
        failures = series["failed_allocations"][:done]
        failed = np.flatnonzero(np.diff(failures, prepend=0) > 0)
        if len(failed) > MARKS_AT_MOST:  # one mark a column: thousands drew slower than all
            columns = failed * MARKS_AT_MOST // max(done, 1)
            failed = failed[np.flatnonzero(np.diff(columns, prepend=-1))]
        in_use = series["heap_allocated"][:done] + series["heap_lost"][:done]
        self.failures.setData(x[failed], in_use[failed])

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
        self.player.sig_recorded.disconnect(self._on_recorded)
        self.curve_updates.stop()
        type_scale.changes().sig_scale_changed.disconnect(self._paint_in_theme)
        self.cursor_updates.stop()

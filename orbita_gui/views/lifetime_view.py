"""Every heap block of a trace as a bar over time at its addresses, as villoc draws a heap.

x is the player's position (operations applied): a block's bar runs from the position
just after its allocation to the position just after its free, so the cursor is inside
a bar exactly when the heap map shows that block. y is the address, from the heap's
start. A trace of 300,000 operations makes some 160,000 bars, too many to draw one by
one: the view rasterises what it shows into one image at the screen's resolution
(`raster`), again when it is zoomed, panned, resized or told the lifetimes grew, once
for all the changes of `RASTER_DELAY_MS`; what is smaller than a pixel still covers one.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QToolTip, QWidget

from orbita_gui.core.units import format_size
from orbita_gui.traces.lifetimes import Lifetimes

from . import palette, type_scale

EMPTY, LIVE, MANY = 0, 1, 2
"""The image's codes: no block, one block, several blocks in one pixel."""
RASTER_DELAY_MS = 10
"""Changes within this long are drawn once: a drag moves the range many times a frame."""
MOST_PIXELS = 4096
"""The image is at most this many pixels a side, whatever the screen."""
CLICK_SLACK = 1.5
"""A click or hover finds the nearest bar within this many pixels: zoomed out, a block
may be much thinner than the pixel that shows it."""
FAILURE_MARK = 12
"""Pixels tall, the mark at the top of the plot for each allocation that failed."""


def raster(bars, x_range, y_range, width: int, height: int) -> np.ndarray:
    """`height` x `width` uint8 codes (row 0 the lowest addresses) of the bars
    `(born, died, low, high)` over times `x_range` and addresses `y_range`, in the bars'
    own units: how many bars cover each pixel, by a difference array summed along both
    axes (built by `bincount`: `np.add.at` on two indexes takes 8 times as long), every
    bar at least one pixel. Zoomed in, a bar three or more pixels across leaves its last
    row or column empty, so that neighbours stay apart."""
    born, died, low, high = bars
    (t0, t1), (a0, a1) = x_range, y_range
    shown = (died > t0) & (born < t1) & (high > a0) & (low < a1)
    sx, sy = width / (t1 - t0), height / (a1 - a0)
    c0, c1 = _pixels(born[shown], died[shown], t0, sx, width)
    r0, r1 = _pixels(low[shown], high[shown], a0, sy, height)
    stride = width + 1
    size = (height + 1) * stride
    up = np.bincount(np.concatenate((r0 * stride + c0, r1 * stride + c1)), minlength=size)
    down = np.bincount(np.concatenate((r0 * stride + c1, r1 * stride + c0)), minlength=size)
    cover = (up - down).reshape(height + 1, stride).cumsum(0).cumsum(1)[:height, :width]
    return np.minimum(cover, MANY).astype(np.uint8)


def _pixels(start, stop, origin, scale, count):
    """First and past-the-last pixel of each span within `count`, at least one: a pixel
    is the span's that starts in it, so neighbours share none (a span that starts and
    stops in one pixel still has it)."""
    first = np.clip(np.floor((start - origin) * scale), 0, count - 1).astype(np.int64)
    last = np.clip(np.floor((stop - origin) * scale), 1, count).astype(np.int64)
    last -= last - first >= 3  # a gap between neighbours that are wide enough
    return first, np.maximum(last, first + 1)


def lookup_table() -> np.ndarray:
    """256 x 3 uint8 colours by code: the heap map's free paper and blocks, and blocks
    several to a pixel a step towards the ink (darker on light themes, lighter on dark)."""
    free, used, ink = (np.array(c.getRgb()[:3]) for c in (palette.FREE, palette.USED, palette.INK))
    lut = np.zeros((256, 3))
    lut[EMPTY], lut[LIVE], lut[MANY] = free, used, 0.65 * used + 0.35 * ink
    return lut.round().astype(np.uint8)


class _OffsetAxis(pg.AxisItem):
    """Left axis: byte offsets from the heap's start in hexadecimal, a power of two
    apart so they come out round."""

    def tickSpacing(self, minVal, maxVal, size):
        metrics = QFontMetricsF(self.style["tickFont"] or QFont())
        bytes_per_pixel = max(maxVal - minVal, 1e-9) / max(size, 1)
        major = 2 ** max(0, math.ceil(math.log2(bytes_per_pixel * 2.5 * metrics.height())))
        return [(major, 0)] + ([(major // 2, 0)] if major >= 2 else [])

    def tickStrings(self, values, scale, spacing):
        return [f"+{int(v):#x}" if v >= 0 else "" for v in values]


class _OperationAxis(pg.AxisItem):
    """Bottom axis: positions with thousands separated, as the player counts them."""

    def tickStrings(self, values, scale, spacing):
        return [f"{v:,.0f}" if v == int(v) else "" for v in values]  # whole operations


class LifetimeView(pg.PlotWidget):
    """Heap blocks over time. Drag to pan, wheel to zoom (over an axis: that axis only);
    hover a block for what it was, click it to go to just after its allocation."""

    sig_seek_requested = Signal(int)
    """Go to the state after this many operations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._left, self._bottom = _OffsetAxis("left"), _OperationAxis("bottom")
        super().__init__(
            parent, background=palette.PAPER, axisItems={"left": self._left, "bottom": self._bottom}
        )
        self.lifetimes = Lifetimes()
        self.heap_start, self.heap_size, self.operations = 0, 1, 1
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.view = plot.getViewBox()
        self.view.disableAutoRange()
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        self.failures = pg.PlotCurveItem(connect="pairs")
        """One vertical stroke at the top per pixel column holding failures, one path."""
        plot.addItem(self.failures)
        self._halo = pg.InfiniteLine(angle=90, movable=False)
        """Paper either side of the cursor: ink alone is lost among dark blocks."""
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        for z, line in enumerate((self._halo, self.cursor), 10):
            line.setZValue(z)
            plot.addItem(line)
        self._dirty = False
        self._timer = QTimer(self, singleShot=True, interval=RASTER_DELAY_MS)
        self._timer.timeout.connect(self._rasterise)
        self.view.sigRangeChanged.connect(self._mark_dirty)
        self.view.sigResized.connect(self._mark_dirty)
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self._paint_in_theme()
        type_scale.changes().sig_scale_changed.connect(self._paint_in_theme)
        self._listening = True
        self.set_lifetimes(self.lifetimes, 0, 1, 0)

    # Public

    def set_lifetimes(
        self, lifetimes: Lifetimes, heap_start: int, heap_end: int, operations: int
    ) -> None:
        """Show these lifetimes of a trace of `operations` on the heap `[heap_start,
        heap_end)`, all of it: time across, addresses up."""
        self.lifetimes = lifetimes
        self.heap_start, self.heap_size = heap_start, max(heap_end - heap_start, 1)
        self.operations = max(operations, 1)
        self.view.setLimits(
            xMin=0,
            xMax=self.operations,
            yMin=0,
            yMax=self.heap_size,
            minXRange=1,  # an operation, 8 bytes: the smallest block, large
            minYRange=min(8, self.heap_size),
        )
        self.view.setRange(xRange=(0, self.operations), yRange=(0, self.heap_size), padding=0)
        self._mark_dirty()

    def refresh(self) -> None:
        """The lifetimes grew: drawn again soon, once however often this is called."""
        self._mark_dirty()

    def set_cursor(self, position: int) -> None:
        """The player's position, operations applied."""
        self.cursor.setValue(position)
        self._halo.setValue(position)

    def bar_at_view(self, x: float, y: float) -> int | None:
        """The bar drawn at view point `(x, y)` (position, offset), or the nearest within
        `CLICK_SLACK` pixels; None if none."""
        if not len(self.lifetimes):
            return None
        pixel_x, pixel_y = self.view.viewPixelSize()
        return self.lifetimes.bar_at(
            x - 1, self.heap_start + y, CLICK_SLACK * pixel_x, CLICK_SLACK * pixel_y
        )

    def describe_bar(self, bar: int) -> str:
        """What a tooltip says of a bar: its block's addresses, size and lifetime."""
        born, died, low, high = (int(column[bar]) for column in self.lifetimes.bars())
        live = died >= self.lifetimes.observed  # what bars() gives a block not yet freed
        freed = "still live" if live else f"freed by operation {died + 1:,}"
        return (
            f"block {low:#x}–{high:#x} ({format_size(high - low)})\n"
            f"allocated by operation {born + 1:,}, {freed}"
        )

    # Qt

    def changeEvent(self, event) -> None:
        """A change of theme comes as a new application palette: take its colours (while
        the view is built and not yet cleaned up or closed)."""
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_listening", False):
            self._paint_in_theme()
        super().changeEvent(event)

    def close(self) -> bool:
        """Closed, a plot widget lets go of its plot: nothing is painted after."""
        self.cleanup()
        return super().close()

    def viewportEvent(self, event) -> bool:
        """The tooltip names the block under the mouse, worked out only when asked."""
        if event.type() == QEvent.Type.ToolTip:
            scene = self.mapToScene(event.pos())
            bar = None
            if self.view.sceneBoundingRect().contains(scene):
                point = self.view.mapSceneToView(scene)
                bar = self.bar_at_view(point.x(), point.y())
            if bar is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.describe_bar(bar), self)
            return True
        return super().viewportEvent(event)

    def cleanup(self) -> None:
        """Stop listening (before the view goes away); safe to call twice."""
        if self._listening:
            self._listening = False
            type_scale.changes().sig_scale_changed.disconnect(self._paint_in_theme)
        self._timer.stop()

    # Private

    def _mark_dirty(self, *_) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _rasterise(self) -> None:
        """The image of what the view shows now, at its size in device pixels."""
        if not self._dirty:
            return
        self._dirty = False
        (x0, x1), (y0, y1) = self.view.viewRange()
        ratio = self.devicePixelRatioF()
        width = int(min(max(self.view.width() * ratio, 1), MOST_PIXELS))
        height = int(min(max(self.view.height() * ratio, 1), MOST_PIXELS))
        born, died, low, high = self.lifetimes.bars()
        start = self.heap_start
        codes = raster(
            (born, died, low - start, high - start), (x0 - 1, x1 - 1), (y0, y1), width, height
        )
        self.image.setImage(codes, autoLevels=False, levels=(0, 255), autoDownsample=False)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._mark_failures(x0, x1, y0, y1, width)

    def _mark_failures(self, x0: float, x1: float, y0: float, y1: float, width: int) -> None:
        """A stroke down from the top after each failed allocation, as the plots mark
        them; the first of each pixel column only (thousands may fail in a row)."""
        failed = self.lifetimes.failures() + 1
        failed = failed[(failed >= x0) & (failed <= x1)]
        _, first = np.unique(np.floor((failed - x0) * width / (x1 - x0)), return_index=True)
        x = np.repeat(failed[first], 2)
        bottom = y1 - (y1 - y0) * FAILURE_MARK / max(self.view.height(), 1)
        self.failures.setData(x, np.tile([bottom, y1], len(first)).astype(float))

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        if not self.view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = self.view.mapSceneToView(event.scenePos())
        bar = self.bar_at_view(point.x(), point.y())
        if bar is not None:
            event.accept()
            self.sig_seek_requested.emit(int(self.lifetimes.bars()[0][bar]) + 1)

    def _paint_in_theme(self, *_) -> None:
        """Background, words, axes, image, marks and cursor in the palette's colours and
        the type scale's size."""
        self.setBackground(palette.PAPER)
        plot, ink = self.getPlotItem(), palette.INK.name()
        size = {"font-size": f"{11 * type_scale.scale():.1f}pt"}
        for side, label in (("left", "heap offset"), ("bottom", "operation")):
            axis = plot.getAxis(side)
            axis.setPen(palette.MUTED)
            axis.setTextPen(palette.INK)
            # A label that would stick out past the plot is left out: the top one was cut.
            axis.setStyle(tickFont=type_scale.font(10), hideOverlappingLabels=True)
            plot.setLabel(side, label, color=ink, **size)  # after the pen, which colours it
        self.image.setLookupTable(lookup_table())
        self.failures.setPen(pg.mkPen(palette.ERROR, width=3))
        self.cursor.setPen(pg.mkPen(palette.INK, width=2))
        self._halo.setPen(pg.mkPen(palette.PAPER, width=6))

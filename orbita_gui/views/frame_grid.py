"""The frame grid: physical memory as one cell per 4 KiB frame, live."""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip, QWidget

from orbita_gui.core import FRAME_SIZE
from orbita_gui.model import MachineModel
from orbita_gui.model.machine_model import frame_changes
from orbita_gui.model.search_animation import frame_scan

from . import palette, type_scale
from .block_outlines import BlockOutlines
from .frame_codes import CODE_FREE, CODE_MADE, FrameCodes
from .grid_overview import overview

ANIMATION_INTERVAL_MS = 33
"""Flashes fade at about 30 frames a second."""


class _PowerOfTwoAxis(pg.AxisItem):
    """Ticks on whole cells, a power of two apart, so addresses come out round; words on
    them only as densely as the words fit at the type scale (lecture mode's are large),
    the ticks half-way between bare."""

    cols = rows = 1
    _worded = 1
    """How far apart, in cells, the ticks with words are."""

    def tickSpacing(self, minVal, maxVal, size):
        cells_per_pixel = max(maxVal - minVal, 1e-9) / max(size, 1)
        major = 2 ** max(0, math.ceil(math.log2(cells_per_pixel * self.label_room())))
        self._worded = major
        return [(major, 0)] + ([(major // 2, 0)] if major >= 2 else [])

    def tickStrings(self, values, scale, spacing):
        if spacing < self._worded:
            return [""] * len(values)
        return [
            self.cell_text(int(v)) if v == int(v) and 0 <= v < self.cells() else "" for v in values
        ]

    def metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.style["tickFont"] or QFont())

    def label_room(self) -> float:
        """Pixels from one tick's words to the next's: enough that they never touch."""
        raise NotImplementedError

    def cells(self) -> int:
        raise NotImplementedError

    def cell_text(self, cell: int) -> str:
        raise NotImplementedError


class _AddressAxis(_PowerOfTwoAxis):
    """Left axis: the physical address where each row starts."""

    def label_room(self) -> float:
        return 2 * self.metrics().height()

    def cells(self) -> int:
        return self.rows

    def cell_text(self, cell: int) -> str:
        return f"{cell * self.cols * FRAME_SIZE:#x}"


class _OffsetAxis(_PowerOfTwoAxis):
    """Top axis: each column's byte offset into its row."""

    def label_room(self) -> float:
        metrics = self.metrics()
        return metrics.horizontalAdvance(self.cell_text(self.cols - 1)) + metrics.height()

    def cells(self) -> int:
        return self.cols

    def cell_text(self, cell: int) -> str:
        return f"+{cell * FRAME_SIZE:#x}"


class _CellLines(pg.GraphicsObject):
    """Thin lines between cells, drawn only where cells are big enough to click."""

    MIN_CELL_PIXELS = 7

    def __init__(self) -> None:
        super().__init__()
        self.cells = (1, 1)
        self._pen = QPen(palette.PAPER, 1)
        self._pen.setCosmetic(True)

    def boundingRect(self) -> QRectF:
        rows, cols = self.cells
        return QRectF(0, 0, cols, rows)

    def paint(self, painter, *args) -> None:
        view = self.getViewBox()
        if view is None or self.pixelWidth() * self.MIN_CELL_PIXELS > 1:
            return
        rows, cols = self.cells
        (x0, x1), (y0, y1) = view.viewRange()
        x0, x1 = max(0, math.floor(x0)), min(cols, math.ceil(x1))
        y0, y1 = max(0, math.floor(y0)), min(rows, math.ceil(y1))
        painter.setPen(self._pen)
        for x in range(x0, x1 + 1):
            painter.drawLine(QPointF(x, y0), QPointF(x, y1))
        for y in range(y0, y1 + 1):
            painter.drawLine(QPointF(x0, y), QPointF(x1, y))


class _CellImage(pg.ImageItem):
    """The grid image, reporting the cell under the mouse and the cell clicked. Zoomed
    out, each of its pixels is a block of `cells_per_pixel` x `cells_per_pixel` cells
    (see `grid_overview`)."""

    cells_per_pixel = 1

    def _cell(self, ev) -> tuple[int, int]:
        k = self.cells_per_pixel
        return int(ev.pos().x() * k), int(ev.pos().y() * k)

    sig_cell_hovered = Signal(int, int)
    """Column and row under the mouse; -1, -1 when it leaves."""
    sig_cell_clicked = Signal(int, int, bool)
    """Column and row of a left click, and whether Ctrl was held."""

    def hoverEvent(self, ev):
        if ev.isExit():
            self.sig_cell_hovered.emit(-1, -1)
        else:
            self.sig_cell_hovered.emit(*self._cell(ev))

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.sig_cell_clicked.emit(*self._cell(ev), ctrl)


def _label_fill():
    """Behind a word on the grid: the paper, a little transparent."""
    paper = QColor(palette.PAPER)
    paper.setAlpha(220)
    return pg.mkBrush(paper)


class FrameGridView(pg.PlotWidget):
    """Click a free cell to allocate a frame (the allocator chooses which: watch where
    it goes), a used one to free it; Ctrl+click selects. Hover for details."""

    sig_frame_hovered = Signal(int)
    """The frame under the mouse, or -1: lets the heap views show what it holds."""
    sig_frame_picked = Signal(int)
    """A frame clicked while `picking`: predict mode's guess."""
    picking = False
    """Clicks pick a frame (`sig_frame_picked`) instead of allocating or freeing one."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        self._left, self._top = _AddressAxis("left"), _OffsetAxis("top")
        super().__init__(
            parent, background=palette.PAPER, axisItems={"left": self._left, "top": self._top}
        )
        self.model = model
        self._machine = None
        """The machine the grid's cells were made for."""
        self._linked: np.ndarray | None = None
        self._shown: np.ndarray | None = None
        """The codes last given to the image, to skip the upload when nothing changed."""
        self._hovered = -1
        self.animation = None
        self.setToolTip("")
        plot = self.getPlotItem()
        plot.hideAxis("bottom")
        plot.showAxis("top")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for axis in (self._left, self._top):
            axis.setTextPen(palette.INK)
            axis.setPen(palette.MUTED)
        view = plot.getViewBox()
        view.invertY(True)
        view.setAspectLocked(True)
        view.setMouseEnabled(True, True)
        view.sigRangeChangedManually.connect(self._stop_following_home)
        view.sigRangeChanged.connect(self._on_range_changed)

        self.image = _CellImage(axisOrder="row-major")
        self.image.setLookupTable(palette.grid_lookup_table())
        plot.addItem(self.image)
        self._lines = _CellLines()
        plot.addItem(self._lines)
        self._blocks = BlockOutlines()
        for item in self._blocks.items:
            plot.addItem(item)
        self._marker = QGraphicsRectItem()
        pen = QPen(palette.MARKER, 3)
        pen.setCosmetic(True)
        self._marker.setPen(pen)
        plot.addItem(self._marker)
        self._marker_label = pg.TextItem(
            "next_free", color=palette.MARKER, anchor=(0, 0), fill=_label_fill()
        )
        plot.addItem(self._marker_label)
        self._arrow = pg.ArrowItem(
            pxMode=True, headLen=26, tailLen=18, tailWidth=7, brush=palette.MARKER, pen=None
        )
        self._arrow.setZValue(10)
        self._arrow.setVisible(False)
        plot.addItem(self._arrow)
        self._arrow_label = pg.TextItem("next_free", color=palette.MARKER, fill=_label_fill())
        self._arrow_label.setVisible(False)
        plot.addItem(self._arrow_label)
        self._choice = pg.PlotCurveItem(
            pen=pg.mkPen(palette.MARKER, width=2, style=Qt.PenStyle.DashLine)
        )
        plot.addItem(self._choice)
        self._choice_timer = QTimer(self, singleShot=True, interval=1500)
        self._choice_timer.timeout.connect(lambda: self._choice.setData([], []))

        self._animation = QTimer(self, interval=ANIMATION_INTERVAL_MS)
        self._animation.timeout.connect(self.refresh)
        self.image.sig_cell_hovered.connect(self._on_cell_hovered)
        self.image.sig_cell_clicked.connect(self._on_cell_clicked)
        model.sig_frame_allocated.connect(self._on_frame_allocated)
        model.sig_frame_freed.connect(self._on_frame_freed)
        model.sig_events_applied.connect(self._on_events_applied)
        model.sig_events_reverted.connect(self._on_events_reverted)
        model.sig_changed.connect(self.refresh)
        model.sig_selection_changed.connect(self.refresh)
        model.sig_machine_reset.connect(self._on_machine_reset)
        self._listening = True
        self._set_fonts()
        type_scale.changes().sig_scale_changed.connect(self._set_fonts)
        self._on_machine_reset()

    # Public

    def cell_of(self, frame: int) -> tuple[int, int]:
        """`(column, row)` of a frame's cell."""
        return frame % self.codes.cols, frame // self.codes.cols

    def follow(self, animation) -> None:
        """Show the frame scans of this `SearchAnimation` as it steps."""
        self.animation = animation
        animation.sig_changed.connect(self.refresh)

    def highlight_frames(self, frames: np.ndarray | None) -> None:
        """Colour these frames as linked to what is hovered in the heap views."""
        self._linked = frames
        self.refresh()

    def fit(self) -> None:
        self._stop_following_home()
        self.getPlotItem().getViewBox().autoRange(padding=0.02)

    def zoom(self, factor: float) -> None:
        self._stop_following_home()
        self.getPlotItem().getViewBox().scaleBy((1 / factor, 1 / factor))

    def refresh(self) -> None:
        """Redraw from the model: one image update, whatever changed, and none when
        nothing did (a heap trace playing leaves every frame as it was)."""
        if self._machine is not self.model.machine:  # replaced, and this view not yet told
            self._on_machine_reset()  # (another listener of the reset drew first)
            return
        frames = self.model.machine.frames
        animation = self.animation
        scanned = scan = None
        if animation is not None and animation.current is not None:
            scan = frame_scan(animation.current)
            scanned = animation.frames_scanned() if scan is not None else None
        image = self.codes.refresh(
            frames.bitmap(), time.monotonic(), self.model.selected_frames, self._linked, scanned
        )
        next_free = getattr(frames, "next_free", None)  # a buddy has no hint
        if scan is not None:  # the grid as the scan sees it: the frame found still free,
            start, found = scan  # next_free where the scan began, until the last step
            done = animation.done
            image.flat[found] = CODE_MADE if done else CODE_FREE
            next_free = next_free if done else start
        k = self._cells_per_pixel()
        image = overview(image, k)
        animating = self.codes.animating  # flashes fading: the image changes every time
        if animating or self._shown is None or not np.array_equal(image, self._shown):
            self.image.setImage(image, autoLevels=False, levels=(0, 255), autoDownsample=False)
            self.image.setRect(QRectF(0, 0, image.shape[1] * k, image.shape[0] * k))
            self.image.cells_per_pixel = k
            self._shown = None if animating else image.copy()
        self._show_next_free(None if next_free is None else next_free % frames.total_frames)
        self._blocks.show(self.model.machine, self.codes.cols, (self.codes, self.model.revision))
        if animating:
            if not self._animation.isActive():
                self._animation.start()
        else:
            self._animation.stop()

    def cleanup(self) -> None:
        """Disconnect from the model (before the view goes away); safe to call twice."""
        if not self._listening:
            return
        self._listening = False
        for signal, slot in (
            (self.model.sig_frame_allocated, self._on_frame_allocated),
            (self.model.sig_frame_freed, self._on_frame_freed),
            (self.model.sig_events_applied, self._on_events_applied),
            (self.model.sig_events_reverted, self._on_events_reverted),
            (self.model.sig_changed, self.refresh),
            (self.model.sig_selection_changed, self.refresh),
            (self.model.sig_machine_reset, self._on_machine_reset),
            (type_scale.changes().sig_scale_changed, self._set_fonts),
        ):
            signal.disconnect(slot)
        if self.animation is not None:  # the player's: it outlives the views it shows in
            self.animation.sig_changed.disconnect(self.refresh)
        self._animation.stop()
        self._following_home = False

    def close(self) -> bool:
        """pyqtgraph deletes the plot's items on close, so stop listening first."""
        self.cleanup()
        return super().close()

    def describe_frame(self, frame: int) -> str:
        """The tooltip of a frame: where it is, what it holds, what last changed it."""
        machine = self.model.machine
        start = frame * FRAME_SIZE
        state = "used" if machine.frames.is_frame_used(frame) else "free"
        lines = [f"Frame {frame:,}: {start:#x} – {start + FRAME_SIZE - 1:#x}", f"State: {state}"]
        page = machine.page_of_frame(frame)
        if page is not None:
            lines.append(
                f"Backs heap page {machine.page_address(page):#_x} (virtual) "
                f"→ frame {frame:,} (physical)"
            )
            if machine.heap_grows:
                lines.append(machine.heap.describe_page(page))
        if frame == getattr(machine.frames, "next_free", None):
            lines.append("next_free: the next search starts here")
        block = self._blocks.describe(machine, frame)
        if block:
            lines.append(block)
        note = self.model.frame_note(frame)
        if note:
            lines.append(f"Last change: {note}")
        elif page is not None and not machine.heap_grows:
            lines.append("Last change: mapped for the heap when it was initialised")
        return "\n".join(lines)

    # Handlers

    def _frame_at(self, col: int, row: int) -> int:
        if not (0 <= col < self.codes.cols and 0 <= row < self.codes.rows):
            return -1
        frame = row * self.codes.cols + col
        return frame if frame < self.codes.total_frames else -1

    def _on_cell_hovered(self, col: int, row: int) -> None:
        frame = self._frame_at(col, row)
        if frame != self._hovered:
            self._hovered = frame
            self.sig_frame_hovered.emit(frame)
        if frame >= 0:
            QToolTip.showText(QCursor.pos(), self.describe_frame(frame), self)
        else:
            QToolTip.hideText()

    def _on_cell_clicked(self, col: int, row: int, ctrl: bool) -> None:
        frame = self._frame_at(col, row)
        if frame < 0:
            return
        if self.picking:
            self.sig_frame_picked.emit(frame)
        elif ctrl:
            if self.model.machine.frames.is_frame_used(frame):
                self.model.toggle_frame_selection(frame)
        elif self.model.machine.frames.is_frame_used(frame):
            self.model.free_frame(frame)
        else:
            event = self.model.allocate_frame()
            if event is not None and event.frames_taken:
                self._show_choice(frame, event.frames_taken[0])

    def _show_choice(self, clicked: int, chosen: int) -> None:
        """A dashed line from the cell clicked to the frame the allocator chose."""
        (x0, y0), (x1, y1) = self.cell_of(clicked), self.cell_of(chosen)
        self._choice.setData([x0 + 0.5, x1 + 0.5], [y0 + 0.5, y1 + 0.5])
        self._choice_timer.start()

    def _on_frame_allocated(self, frame: int) -> None:
        self.codes.flash(frame, made=True)

    def _on_frame_freed(self, frame: int) -> None:
        self.codes.flash(frame, made=False)

    def _on_events_applied(self, events: list) -> None:
        for frame, made in frame_changes(events, undone=False):
            self.codes.flash(frame, made)

    def _on_events_reverted(self, events: list) -> None:
        for frame, made in frame_changes(events, undone=True):
            self.codes.flash(frame, made)

    def _on_machine_reset(self) -> None:
        machine = self._machine = self.model.machine
        self.codes = FrameCodes(machine.frames.total_frames, machine.pages.mapped_frames)
        self._left.cols = self._top.cols = self.codes.cols
        self._left.rows = self.codes.rows
        self._lines.cells = (self.codes.rows, self.codes.cols)
        self._linked = None
        self._shown = None
        if self._hovered >= 0:  # that frame's heap bytes are another machine's now
            self._hovered = -1
            self.sig_frame_hovered.emit(-1)
        self.refresh()
        view = self.getPlotItem().getViewBox()
        margin = max(self.codes.rows, self.codes.cols)  # room for the aspect lock to fit
        view.setLimits(
            xMin=-margin,
            xMax=self.codes.cols + margin,
            yMin=-margin,
            yMax=self.codes.rows + margin,
            minXRange=4,
            minYRange=4,
        )
        self._following_home = True
        self._home()

    def _cells_per_pixel(self) -> int:
        """Frames a screen pixel shows across, a power of two (1 when cells are at least
        a pixel wide)."""
        width, height = self.getPlotItem().getViewBox().viewPixelSize()
        most = max(width, height)
        return 1 << int(math.log2(most)) if most >= 2 else 1

    def _on_range_changed(self, *_) -> None:
        """Zoomed or panned: the overview's blocks, and where the arrow to next_free points."""
        if not getattr(self, "_listening", False):  # still being built, or closed
            return
        if self._cells_per_pixel() != self.image.cells_per_pixel:
            self.refresh()
        else:
            self._point_to(*self._marker.rect().center().toTuple())

    def _show_next_free(self, frame: int | None) -> None:
        """The box, its word and (off-screen) the arrow at `next_free`; none for an
        allocator without that hint."""
        for item in (self._marker, self._marker_label):
            item.setVisible(frame is not None)
        if frame is None:
            self._arrow.hide()
            self._arrow_label.hide()
            return
        col, row = self.cell_of(frame)
        self._marker.setRect(QRectF(col, row, 1, 1))
        (left, right), _ = self.getPlotItem().getViewBox().viewRange()
        on_right = col > (left + right) / 2  # keep the label inside the view
        self._marker_label.setAnchor((1, 0) if on_right else (0, 0))
        self._marker_label.setPos(col if on_right else col + 1, row + 1)
        self._point_to(col + 0.5, row + 0.5)

    def _point_to(self, x: float, y: float) -> None:
        """An arrow at the view's edge towards `next_free` (at cell centre `x, y`) when it
        is off-screen: where the next search starts must never be out of sight."""
        (x0, x1), (y0, y1) = self.getPlotItem().getViewBox().viewRange()
        inside = x0 <= x <= x1 and y0 <= y <= y1
        self._arrow.setVisible(not inside)
        self._arrow_label.setVisible(not inside)
        if inside:
            return
        inset_x, inset_y = (x1 - x0) * 0.06, (y1 - y0) * 0.06
        px = min(max(x, x0 + inset_x), x1 - inset_x)
        py = min(max(y, y0 + inset_y), y1 - inset_y)
        self._arrow.setPos(px, py)
        self._arrow.setStyle(angle=math.degrees(math.atan2(-(y - py), -(x - px))))
        self._arrow_label.setAnchor(
            (1 if px > (x0 + x1) / 2 else 0, 1 if py > (y0 + y1) / 2 else 0)
        )
        self._arrow_label.setPos(px, py)

    def _set_fonts(self, *_) -> None:
        """The axes' and marks' words at the type scale (a zoom, lecture mode)."""
        for axis in (self._left, self._top):
            axis.setStyle(tickFont=type_scale.font(11))
        for label in (self._marker_label, self._arrow_label):
            label.setFont(type_scale.font(12, bold=True))

    def _stop_following_home(self, *_) -> None:
        self._following_home = False

    def _home(self) -> None:
        """Show the first rows, top-left at the origin, cells big enough to click.

        Until the user pans or zooms, every resize comes back here, so the
        corner stays put while the window is laid out.
        """
        view = self.getPlotItem().getViewBox()
        width, height = view.width(), view.height()
        if width <= 1 or height <= 1:
            return
        cols = min(self.codes.cols, 32)
        rows = cols * height / width
        view.setRange(xRange=(0, cols), yRange=(0, rows), padding=0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # pyqtgraph resizes inside its __init__ and after close, without a plot item
        if getattr(self, "_following_home", False) and self.getPlotItem() is not None:
            self._home()

    def center_on(self, frame: int) -> QPointF:
        """Where a frame's cell centre is, in scene coordinates (for tests and tours).
        A range just set is applied first: pyqtgraph would wait for the next paint."""
        self.getPlotItem().getViewBox().updateMatrix()
        col, row = self.cell_of(frame)
        return self.image.mapToScene(QPointF(col + 0.5, row + 0.5))

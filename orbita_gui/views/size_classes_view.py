"""A heap that keeps a free list per size class (fixed-size blocks, segregated lists),
drawn a row per class: the class, then its free blocks head first, as the allocator
will take them. Which row a request goes to, and what waits there, is the point."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from orbita_gui.model import MachineModel

from . import palette
from .heap_canvas import HeapCanvas, StateCache, label_font

MARGIN, ROW_HEIGHT = 8, 56
BOX_WIDTH, BOX_HEIGHT, GAP = 96, 42, 8
"""Design units (pixels at zoom 1)."""


class SizeClassesView(HeapCanvas):
    """One row per size class, its free blocks as boxes (offset from the heap's start,
    size), head first; those beyond the row's width counted. Hover a box to light its
    bytes in the grid; click it to pick it (predict mode)."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._classes = StateCache(model, self._read_classes)
        self._font, self._bold = label_font(11), label_font(12, bold=True)
        self._metrics = QFontMetrics(self._font)
        self._label_widths = StateCache(model, self._widest_label)

    @property
    def classes(self):
        return self._classes.get()

    def _read_classes(self) -> tuple:
        """The heap's classes; none while a reset is replacing this view with the views of
        a heap that keeps no classes (Qt asks its size in between)."""
        reader = getattr(self.model.machine.heap, "size_classes", None)
        return tuple(reader()) if reader is not None else ()

    def design_size(self) -> QSize:
        return QSize(640, 2 * MARGIN + len(self.classes) * ROW_HEIGHT)

    def design_minimum_size(self) -> QSize:
        return QSize(self._label_width() + BOX_WIDTH + MARGIN, self.design_size().height())

    def _label_width(self) -> int:
        return self._label_widths.get()

    def _widest_label(self) -> int:
        """Room for the widest class name, whole (measured once per change)."""
        metrics = QFontMetrics(self._bold)
        widest = max((metrics.horizontalAdvance(c.label) for c in self.classes), default=0)
        return widest + 3 * MARGIN

    def _per_row(self) -> int:
        room = self.design_width() - self._label_width() - MARGIN
        return max(1, int(room // (BOX_WIDTH + GAP)))

    def _box(self, row: int, column: int) -> QRectF:
        top = MARGIN + row * ROW_HEIGHT + (ROW_HEIGHT - BOX_HEIGHT) / 2
        left = self._label_width() + column * (BOX_WIDTH + GAP)
        return QRectF(left, top, BOX_WIDTH, BOX_HEIGHT)

    def paint(self, painter: QPainter, rect) -> None:
        heap_start, per_row = self.model.machine.heap.heap_start, self._per_row()
        linked = self.linked
        for row, size_class in enumerate(self.classes):
            top = MARGIN + row * ROW_HEIGHT
            painter.setFont(self._bold)
            painter.setPen(palette.INK if len(size_class.starts) else palette.MUTED)
            label = QRectF(MARGIN, top, self._label_width() - 2 * MARGIN, ROW_HEIGHT)
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter, size_class.label)
            shown = min(len(size_class.starts), per_row)
            painter.setFont(self._font)
            for column in range(shown):
                start, size = int(size_class.starts[column]), int(size_class.sizes[column])
                lit = linked is not None and start < linked[1] and linked[0] < start + size
                self._draw_box(painter, self._box(row, column), start - heap_start, size, lit)
            rest = len(size_class.starts) - shown
            if rest:
                painter.setPen(palette.MUTED)
                box = self._box(row, shown - 1).translated(BOX_WIDTH + 4, 0)
                painter.drawText(box, Qt.AlignmentFlag.AlignVCenter, f"+{rest:,}")

    def _draw_box(self, painter: QPainter, box: QRectF, offset: int, size: int, lit: bool):
        painter.setBrush(palette.LINKED if lit else palette.FREE)
        pen = QPen(palette.INK, 1.5)
        painter.setPen(pen)
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(palette.PAPER if lit else palette.INK)
        text = f"+{offset:#x}\n{size:,} B"
        if self._metrics.horizontalAdvance(f"+{offset:#x}") > BOX_WIDTH - 8:
            text = f"{size:,} B"
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        row = (pos.y() - MARGIN) // ROW_HEIGHT
        column = int((pos.x() - self._label_width()) // (BOX_WIDTH + GAP))
        classes = self.classes
        if not 0 <= row < len(classes) or not 0 <= column < self._per_row():
            return -1, -1, ""
        size_class = classes[row]
        if column >= len(size_class.starts) or not self._box(row, column).contains(pos):
            return -1, -1, ""
        start, size = int(size_class.starts[column]), int(size_class.sizes[column])
        tip = (
            f"{size:,} free bytes at {start:#_x}\n"
            f"{size_class.label}: number {column + 1:,} of {len(size_class.starts):,} in its list"
        )
        return start, start + size, tip

    def mousePressEvent(self, event) -> None:
        """A click on a box says which (predict mode takes it as the student's guess)."""
        if event.button() == Qt.MouseButton.LeftButton:
            start, _, _ = self.hit(self.design_pos(event))
            if start >= 0:
                self.sig_region_picked.emit(start)

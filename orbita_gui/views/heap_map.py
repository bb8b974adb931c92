"""The heap in address order, one row per 4 KiB page, each labelled with its frame."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from orbita_gui.core import PAGE_SIZE
from orbita_gui.model import MachineModel

from . import palette
from .heap_canvas import HeapCanvas, label_font
from .heap_segments import BLOCK, FREE, LOST

ROW_HEIGHT = 30
MARGIN = 8
BAR_HEIGHT = ROW_HEIGHT - 6
FILL = {BLOCK: palette.USED, FREE: palette.FREE, LOST: palette.LOST}
TEXT = {BLOCK: QColor("white"), FREE: palette.INK, LOST: QColor("white")}


class HeapMapView(HeapCanvas):
    """Blocks (slate), free regions (paper) and lost bytes (coral), page by page.

    The last allocation's block and leftover are outlined in teal and the free
    regions its search passed over in sand. Click a block to free it, Ctrl+click
    to select it.
    """

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._font = label_font(11)
        self._metrics = QFontMetrics(self._font)
        # Labels are mostly digits, which the font draws at one width: estimating from it
        # saves measuring hundreds of strings a frame during a fast replay.
        self._char_width = self._metrics.horizontalAdvance("0000000000") / 10
        self._label_width = 0
        self._shown = (0, 0)
        self._on_changed()

    def sizeHint(self) -> QSize:
        return QSize(640, 2 * MARGIN + self._pages() * ROW_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._label_width + 120, self.sizeHint().height())

    def _on_changed(self) -> None:
        machine = self.model.machine
        widest = f"{machine.page_address(0):#_x} → frame {machine.frames.total_frames:,}"
        self._label_width = self._metrics.horizontalAdvance(widest) + 3 * MARGIN
        super()._on_changed()

    # Geometry

    def _pages(self) -> int:
        return len(self.model.machine.heap_frames)

    def _bar_width(self) -> float:
        """Every page's bar starts at `_label_width` and is this wide."""
        return max(self.width() - self._label_width - MARGIN, 10)

    def _bar(self, page: int) -> QRectF:
        return QRectF(self._label_width, _bar_top(page), self._bar_width(), BAR_HEIGHT)

    def _boxes(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the byte ranges `[starts[i], ends[i])` are drawn, cut at page rows:
        `(index, boxes)`, box `j` being `(x, y, width, height)` of a piece of range
        `index[j]`, pieces in address order. In numpy: a fast replay shows thousands."""
        machine = self.model.machine
        base, left = machine.page_base, self._label_width
        scale = self._bar_width() / PAGE_SIZE
        first = (starts - base) // PAGE_SIZE
        counts = (ends - 1 - base) // PAGE_SIZE - first + 1
        index = np.repeat(np.arange(len(starts)), counts)
        page = first[index] + np.arange(len(index)) - np.repeat(np.cumsum(counts) - counts, counts)
        page_start = base + page * PAGE_SIZE
        x0 = np.maximum(starts[index], page_start) - page_start
        x1 = np.minimum(ends[index], page_start + PAGE_SIZE) - page_start
        boxes = np.empty((len(index), 4))
        boxes[:, 0] = left + x0 * scale
        boxes[:, 1] = _bar_top(page)
        boxes[:, 2] = np.maximum((x1 - x0) * scale, 1.0)
        boxes[:, 3] = BAR_HEIGHT
        return index, boxes

    def _rects(self, start: int, end: int) -> list[QRectF]:
        """The boxes of one byte range, a row each."""
        if end <= start:
            return []
        _, boxes = self._boxes(np.array([start]), np.array([end]))
        return [QRectF(*box) for box in boxes.tolist()]

    # Painting

    def paint(self, painter: QPainter, rect) -> None:
        machine = self.model.machine
        first = max((rect.top() - MARGIN) // ROW_HEIGHT, 0)
        last = min((rect.bottom() - MARGIN) // ROW_HEIGHT, self._pages() - 1)
        if last < first:
            return
        painter.setFont(self._font)
        for page in range(first, last + 1):
            frame = int(machine.heap_frames[page])
            painter.setPen(palette.INK)
            label = QRectF(
                MARGIN, MARGIN + page * ROW_HEIGHT, self._label_width - 2 * MARGIN, ROW_HEIGHT
            )
            text = f"{machine.page_address(page):#_x} → frame {frame:,}"
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter, text)
            painter.fillRect(self._bar(page), palette.OUTSIDE)
        lo = machine.page_address(first)
        hi = machine.page_address(last + 1)
        self._shown = (lo, hi)  # what is drawn below is clipped to the rows on screen
        segments = self.segments
        span = segments.overlapping(lo, hi)
        starts, ends = segments.starts[span], segments.ends[span]
        index, boxes = self._boxes(np.maximum(starts, lo), np.minimum(ends, hi))
        wide = boxes[:, 2] > 3
        boxes[wide, 2] -= 1  # a hairline between neighbours
        kinds = segments.kinds[span][index]
        painter.setPen(Qt.PenStyle.NoPen)
        for kind, colour in FILL.items():
            painter.setBrush(colour)
            painter.drawRects([QRectF(*box) for box in boxes[kinds == kind].tolist()])
        # Label a segment once, where it starts, if its box has room for a size at least.
        opening = np.flatnonzero(
            (starts[index] >= lo)
            & np.r_[True, index[1:] != index[:-1]]
            & (boxes[:, 2] > 3 * self._char_width + 8)
        )
        for j in opening.tolist():
            i = int(index[j])
            self._label(painter, QRectF(*boxes[j]), int(starts[i]), int(ends[i]), int(kinds[j]))
        self._outline_last_allocation(painter, lo, hi)
        for ptr in self.model.selected_blocks:
            block = machine.heap.allocations().get(ptr)
            if block:
                self._outline(painter, ptr, ptr + block.size, palette.MARKER)
        if self.linked:
            overlay = QColor(palette.LINKED)
            overlay.setAlpha(110)
            for box in self._rects(*self._clip(*self.linked)):
                painter.fillRect(box, overlay)

    def _label(self, painter: QPainter, box: QRectF, start: int, end: int, kind: int) -> None:
        offset = start - self.model.machine.heap.heap_start
        size = f"{end - start:,} B"
        text = f"+{offset:#x} · {size}" if kind != LOST else f"lost {size}"
        if len(text) * self._char_width + 8 > box.width():
            text = size
            if len(text) * self._char_width + 8 > box.width():
                return
        painter.setPen(TEXT[kind])
        painter.drawText(box.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _clip(self, start: int, end: int) -> tuple[int, int]:
        """`[start, end)` cut to the rows being painted."""
        lo, hi = self._shown
        return max(start, lo), min(end, hi)

    def _outline(self, painter, start, end, color, style=Qt.PenStyle.SolidLine) -> None:
        pen = QPen(color, 3, style)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for box in self._rects(*self._clip(start, end)):
            painter.drawRect(box.adjusted(1, 1, -1, -1))

    def _outline_last_allocation(self, painter: QPainter, lo: int, hi: int) -> None:
        """Outline, within `[lo, hi)` (the rows on screen), what the last search passed over,
        the block it made and the leftover it pushed."""
        event = self.model.last_heap_event
        if event is None:
            return
        starts, sizes = event.passed_starts, event.passed_sizes
        reached = True
        if self.animated_search() is event:  # only the nodes visited so far
            visited, reached = self.animation.heap_progress()
            starts, sizes = starts[:visited], sizes[:visited]
            if not reached and visited < len(event.passed_starts):  # being looked at now
                start, size = int(event.passed_starts[visited]), int(event.passed_sizes[visited])
                self._outline(painter, start, start + size, palette.MARKER)
        shown = (starts < np.uint64(hi)) & (starts + sizes > np.uint64(lo))
        for start, size in zip(starts[shown].tolist(), sizes[shown].tolist(), strict=True):
            self._outline(painter, start, start + size, palette.PASSED)
        if not reached:
            return
        if event.ptr in self.model.machine.heap.allocations():
            self._outline(painter, event.ptr, event.ptr + event.size, palette.MADE)
        if event.leftover:
            start, size = event.leftover
            self._outline(painter, start, start + size, palette.MADE, Qt.PenStyle.DashLine)

    # Hover and clicks

    def _address_at(self, pos: QPoint) -> int | None:
        page = (pos.y() - MARGIN) // ROW_HEIGHT
        if not 0 <= page < self._pages():
            return None
        bar = self._bar(page)
        if not bar.left() <= pos.x() < bar.right():
            return None
        offset = int((pos.x() - bar.left()) / bar.width() * PAGE_SIZE)
        return self.model.machine.page_address(page) + offset

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        address = self._address_at(pos)
        index = None if address is None else self.segments.at(address)
        if index is None:
            return -1, -1, ""
        start, end = int(self.segments.starts[index]), int(self.segments.ends[index])
        return start, end, self.describe(start, end, int(self.segments.kinds[index]))

    def describe(self, start: int, end: int, kind: int) -> str:
        machine = self.model.machine
        frames = ", ".join(f"{f:,}" for f in machine.frames_under(start, end - start).tolist())
        where = f"{start:#_x} – {end - 1:#_x} (frames {frames})"
        if kind == BLOCK:
            block = machine.heap.allocations()[start]
            return (
                f"Block of {block.size:,} bytes at {where}\n"
                f"Asked for: {block.layout}\n"
                f"Alignment padding lost in front of it: {block.padding:,} bytes\n"
                "Click to free it; Ctrl+click to select it"
            )
        if kind == FREE:
            starts, _ = machine.heap.free_region_arrays()
            position = int(np.flatnonzero(starts == start)[0])
            return (
                f"Free region of {end - start:,} bytes at {where}\n"
                f"Node {position + 1:,} of {machine.heap.free_list_length:,} in the free list"
            )
        return (
            f"{end - start:,} bytes lost at {where}\n"
            "Alignment padding: the guide's allocator never gives it back"
        )

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        address = self._address_at(event.position().toPoint())
        index = None if address is None else self.segments.at(address)
        if index is None or self.segments.kinds[index] != BLOCK:
            return
        ptr = int(self.segments.starts[index])
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.model.toggle_block_selection(ptr)
        else:
            self.model.free_block(ptr)


def _bar_top(page):
    """Top of a page's bar (for a page number or an array of them)."""
    return MARGIN + page * ROW_HEIGHT + 3

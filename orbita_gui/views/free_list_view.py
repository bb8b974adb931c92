"""The free list as the guide's chain of `ListNode`s: head -> node -> ... -> null."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from orbita_gui.model import MachineModel

from . import palette
from .heap_canvas import HeapCanvas, StateCache, label_font

BOX_WIDTH, BOX_HEIGHT = 196, 52
GAP = 40  # room for an arrow between two boxes
ROW_HEIGHT = BOX_HEIGHT + 26
MARGIN = 10


def before_allocation(starts: np.ndarray, sizes: np.ndarray, event) -> tuple[np.ndarray, ...]:
    """The free list as it was before `event`, the latest allocation: without the leftover
    it pushed at the head, with the chosen node back where the search found it."""
    if event.leftover is not None:
        starts, sizes = starts[1:], sizes[1:]
    start, size = event.chosen
    return np.insert(starts, event.passed_over, start), np.insert(sizes, event.passed_over, size)


class FreeListView(HeapCanvas):
    """Each node is a box with its start and size, in list order, with an arrow to the
    next. The nodes the last allocation's search passed over are sand; the leftover
    it pushed at the head is teal. Only the rows on screen are drawn."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._address_font = label_font(11)
        self._size_font = label_font(12, bold=True)
        self._nodes = StateCache(model, self._read_nodes)

    @property
    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and sizes of the free regions, head first."""
        return self._nodes.get()

    def _read_nodes(self) -> tuple[np.ndarray, np.ndarray]:
        starts, sizes = self.model.machine.heap.free_region_arrays()
        return starts.astype(np.int64), sizes.astype(np.int64)

    # Layout: item 0 is "head", items 1..n the nodes, item n + 1 "null"

    def _per_row(self, width: int | None = None) -> int:
        width = self.width() if width is None else width
        return max(1, (width - 2 * MARGIN + GAP) // (BOX_WIDTH + GAP))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = -(-(len(self.nodes[0]) + 2) // self._per_row(width))
        return 2 * MARGIN + rows * ROW_HEIGHT

    def sizeHint(self) -> QSize:
        width = max(self.width(), 3 * (BOX_WIDTH + GAP))
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(BOX_WIDTH + GAP + 2 * MARGIN, ROW_HEIGHT)

    def _box(self, item: int) -> QRectF:
        row, col = divmod(item, self._per_row())
        return QRectF(
            MARGIN + col * (BOX_WIDTH + GAP), MARGIN + row * ROW_HEIGHT, BOX_WIDTH, BOX_HEIGHT
        )

    # Painting

    def paint(self, painter: QPainter, rect) -> None:
        starts, sizes = self.nodes
        search = self.animated_search()
        if search is not None and search is self.model.last_heap_event:
            starts, sizes = before_allocation(starts, sizes, search)
        count, per_row = len(starts), self._per_row()
        first_row = max((rect.top() - MARGIN) // ROW_HEIGHT, 0)
        last_row = (rect.bottom() - MARGIN) // ROW_HEIGHT
        first = first_row * per_row
        last = min((last_row + 1) * per_row, count + 2) - 1
        if last < first:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill_of = self._fills(starts, search)
        for item in range(first, last + 1):
            box = self._box(item)
            if item == 0 or item == count + 1:
                self._pill(painter, box, "head" if item == 0 else "null")
            else:
                node = item - 1
                start, size = int(starts[node]), int(sizes[node])
                fill, looking = fill_of(node, start)
                self._node(painter, box, start, size, fill)
                if looking:
                    painter.setPen(QPen(palette.MARKER, 4))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(box.adjusted(-3, -3, 3, 3), 10, 10)
            if item <= count:
                self._arrow(painter, item)

    def _fills(self, starts: np.ndarray, search):
        """`fill_of(position, start) -> (colour, being looked at)` for the nodes drawn.

        After an allocation: its leftover at the head is teal, the nodes its search passed
        over sand. While its search is animated (`search`), on the list as it was before:
        the nodes passed so far are sand, the one being looked at is outlined, and the
        chosen one turns teal when the search reaches it.
        """
        event = self.model.last_heap_event
        if search is not None:
            visited, reached = self.animation.heap_progress()

            def animated(position: int, start: int):
                if position < visited:
                    return palette.PASSED, False
                if position == visited:
                    return (palette.MADE, False) if reached else (palette.FREE, True)
                return palette.FREE, False

            return animated
        passed = set(event.passed_starts.tolist()) if event is not None else set()
        leftover = event.leftover[0] if event is not None and event.leftover else None

        def settled(position: int, start: int):
            if start == leftover:
                return palette.MADE, False
            return (palette.PASSED if start in passed else palette.FREE), False

        return settled

    def _pill(self, painter: QPainter, box: QRectF, text: str) -> None:
        pill = QRectF(box.left(), box.top() + 10, 86, box.height() - 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.INK)
        painter.drawRoundedRect(pill, 14, 14)
        painter.setPen(QColor("white"))
        painter.setFont(self._size_font)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _node(self, painter: QPainter, box: QRectF, start: int, size: int, fill: QColor) -> None:
        linked = self.linked and start < self.linked[1] and self.linked[0] < start + size
        ink = QColor("white") if fill == palette.MADE else palette.INK
        painter.setPen(QPen(palette.LINKED if linked else palette.MUTED, 3 if linked else 1.2))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(ink)
        painter.setFont(self._address_font)
        top = QRectF(box.left() + 10, box.top() + 4, box.width() - 20, box.height() / 2 - 2)
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter, f"{start:#_x}")
        painter.setFont(self._size_font)
        bottom = top.translated(0, box.height() / 2 - 4)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter, f"{size:,} bytes")

    def _arrow(self, painter: QPainter, item: int) -> None:
        """From `item` to the next: across within a row, or out and in at a wrap."""
        box = self._box(item)
        head_width = 86 if item == 0 else box.width()
        y = box.center().y()
        start = QPointF(box.left() + head_width, y)
        if (item + 1) % self._per_row():
            end = QPointF(self._box(item + 1).left(), y)
        else:  # the next item opens the next row: leave to the right, enter from the left
            painter.setPen(QPen(palette.MUTED, 2))
            painter.drawLine(start, QPointF(start.x() + GAP / 2, y))
            nxt = self._box(item + 1)
            start, end = (
                QPointF(MARGIN / 2, nxt.center().y()),
                QPointF(nxt.left(), nxt.center().y()),
            )
        painter.setPen(QPen(palette.MUTED, 2))
        painter.drawLine(start, QPointF(end.x() - 7, end.y()))
        painter.setBrush(palette.MUTED)
        painter.drawPolygon(
            QPolygonF([end, QPointF(end.x() - 9, end.y() - 5), QPointF(end.x() - 9, end.y() + 5)])
        )

    # Hover

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        starts, sizes = self.nodes
        row = (pos.y() - MARGIN) // ROW_HEIGHT
        col = (pos.x() - MARGIN) // (BOX_WIDTH + GAP)
        item = row * self._per_row() + col
        if not (0 <= col < self._per_row() and 1 <= item <= len(starts)):
            return -1, -1, ""
        if not self._box(item).contains(QPointF(pos)):
            return -1, -1, ""
        node = item - 1
        start, size = int(starts[node]), int(sizes[node])
        following = f"{int(starts[node + 1]):#_x}" if node + 1 < len(starts) else "null"
        tip = (
            f"Node {node + 1:,} of {len(starts):,}: free region {start:#_x} – "
            f"{start + size - 1:#_x}\n{size:,} bytes; next → {following}"
        )
        return start, start + size, tip

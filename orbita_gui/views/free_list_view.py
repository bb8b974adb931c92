"""The free list as the guide's chain of `ListNode`s: head -> node -> ... -> null."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from orbita_gui.model import MachineModel

from . import palette
from .heap_canvas import HeapCanvas, label_font
from .heap_state import animation_positions, list_before

ROVER_TIP = "next fit starts here: its next search begins at this node"

BOX_HEIGHT = 52
GAP = 32  # room for an arrow between two boxes
FULL_FROM = 3
"""Boxes show the full address when this many fit in a row; else their offset in the
heap (the tooltip has the address), as the heap map's labels do."""
ROW_HEIGHT = BOX_HEIGHT + 26
MARGIN = 10


def before_allocation(starts: np.ndarray, sizes: np.ndarray, event) -> tuple[np.ndarray, ...]:
    """The free list as it was before `event`, the latest allocation (whatever its fit,
    list order and leftover rule); the list as it is if that cannot be known."""
    before = list_before(starts, sizes, event)
    return (starts, sizes) if before is None else before


class FreeListView(HeapCanvas):
    """Each node is a box with its start and size, in the list's own order (insert-front,
    addrsort, sizesort ...), with an arrow to the next. The nodes the last allocation's
    search passed over are sand with a dotted edge (every node, for best and worst
    fit); the leftover it put back is teal. Next fit's start has a bar on its left and
    a triangle and words under it; the nodes a coalescing free joined are hatched in a
    double outline. Only the rows on screen are drawn."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._address_font = label_font(11)
        self._size_font = label_font(12, bold=True)
        self._note_font = label_font(10, bold=True)
        self._measure_boxes()

    def _measure_boxes(self) -> None:
        """Boxes as wide as this heap's widest address, offset and size need: a 2 KiB
        heap's nodes fit four to a row where a 20 MiB heap's fit two."""
        heap = self.model.machine.heap
        end, size = heap.heap_start + heap.heap_size, heap.heap_size
        address = QFontMetrics(self._address_font).horizontalAdvance(f"{end:#_x}")
        offset = QFontMetrics(self._address_font).horizontalAdvance(f"+{size:#_x}")
        sizes = QFontMetrics(self._size_font).horizontalAdvance(f"{size:,} B")
        self._full_width, self._compact_width = 20 + max(address, sizes), 20 + max(offset, sizes)

    def _on_reset(self) -> None:
        self._measure_boxes()
        super()._on_reset()

    @property
    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and sizes of the free regions, head first."""
        return self.free_nodes

    # Layout: item 0 is "head", items 1..n the nodes, item n + 1 "null"

    def _per_row(self, width: float | None = None) -> int:
        """Boxes in a row `width` design units wide (the view's own, if None)."""
        width = self.design_width() if width is None else width
        return max(1, int(width - 2 * MARGIN + GAP) // (self._box_width_for(width) + GAP))

    def _box_width_for(self, width: float) -> int:
        full = self._full_width
        return full if FULL_FROM * (full + GAP) - GAP + 2 * MARGIN <= width else self._compact_width

    @property
    def _box_width(self) -> int:
        return self._box_width_for(self.design_width())

    def _design_height(self, width: float) -> int:
        rows = -(-(len(self.nodes[0]) + 2) // self._per_row(width))
        return 2 * MARGIN + rows * ROW_HEIGHT

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(self._design_height(width / self.zoom) * self.zoom)

    def design_size(self) -> QSize:
        width = max(self.design_width(), 3 * (self._box_width + GAP))
        return QSize(round(width), self._design_height(width))

    def design_minimum_size(self) -> QSize:
        return QSize(self._box_width + GAP + 2 * MARGIN, ROW_HEIGHT)

    def _box(self, item: int) -> QRectF:
        row, col = divmod(item, self._per_row())
        width = self._box_width
        return QRectF(MARGIN + col * (width + GAP), MARGIN + row * ROW_HEIGHT, width, BOX_HEIGHT)

    # Painting

    def paint(self, painter: QPainter, rect) -> None:
        starts, sizes = self.nodes
        search = self._animating()
        rover = self.rover
        if search is not None:  # on the list it searched, from where it started
            starts, sizes = self.search.before
            rover = search.search_start if search.rules.fit == "next" else None
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
                fill, mark = fill_of(node, start)
                self._node(painter, box, start, size, fill, dotted=fill == palette.PASSED)
                merged = None if search is not None else self.merged_at(start, start + size)
                if merged is not None:
                    self._merged(painter, box)
                if mark == "looking":
                    painter.setPen(QPen(palette.MARKER, 4))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(box.adjusted(-3, -3, 3, 3), 10, 10)
                elif mark == "best":
                    painter.setPen(QPen(palette.MADE, 3, Qt.PenStyle.DashDotLine))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(box.adjusted(-3, -3, 3, 3), 10, 10)
                notes = []
                verdict = self.search.verdicts.get(start) if self.search is not None else None
                if fill == palette.PASSED and verdict:
                    notes.append(verdict)
                if node == rover:
                    self._rover(painter, box)
                    notes.append("next fit starts here")
                if merged is not None:
                    notes.append(f"joined {merged.count} regions")
                elif mark == "best":
                    notes.append(f"{search.rules.fit} so far")
                if notes:
                    self._under(painter, box, " · ".join(notes), with_triangle=node == rover)
            if item <= count:
                self._arrow(painter, item)

    def _animating(self):
        """The search being animated, if it is the last one and the list it saw is known."""
        search = self.animated_search()
        picture = self.search
        if search is None or search is not self.model.last_heap_event or picture is None:
            return None
        return search if picture.before is not None else None

    def _fills(self, starts: np.ndarray, search):
        """`fill_of(position, start) -> (colour, mark)` for the nodes drawn; `mark` is
        None, "looking" (being looked at now) or "best" (best or worst fit: the winner,
        once the search has met it).

        After an allocation: its leftover is teal, the nodes its search passed over
        sand. While its search is animated (`search`), on the list as it was before:
        the nodes passed so far are sand, the one being looked at is outlined, and the
        chosen one turns teal when the search is done: at once for first and next fit,
        after the last node for best and worst fit, which look at them all.
        """
        if search is not None:
            looked, done = self.search_progress(search)
            shown = animation_positions(search, len(starts), looked, done)
            passed = set(shown.passed)

            def animated(position: int, start: int):
                if position == shown.chosen:
                    return palette.MADE, None
                fill = palette.PASSED if position in passed else palette.FREE
                if position == shown.current:
                    return fill, "looking"
                return fill, ("best" if position == shown.best else None)

            return animated
        picture, looked = self.search, self.looked
        leftover = picture.leftover[0] if picture is not None and picture.leftover else None

        def settled(position: int, start: int):
            if start == leftover:
                return palette.MADE, None
            return (palette.PASSED if looked[position] else palette.FREE), None

        return settled

    def _rover(self, painter: QPainter, box: QRectF) -> None:
        """Next fit's start: a bar down the node's left edge."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.MARKER)
        painter.drawRoundedRect(QRectF(box.left() - 2, box.top(), 8, box.height()), 3, 3)

    def _merged(self, painter: QPainter, box: QRectF) -> None:
        """A node a coalescing free made of several: hatched, in a double outline."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(palette.MARKER, Qt.BrushStyle.FDiagPattern))
        painter.drawRoundedRect(box, 8, 8)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(palette.MARKER, 2))
        painter.drawRoundedRect(box.adjusted(-4, -4, 4, 4), 11, 11)
        painter.setPen(QPen(palette.MARKER, 1.5))
        painter.drawRoundedRect(box, 8, 8)

    def _under(self, painter: QPainter, box: QRectF, text: str, with_triangle: bool) -> None:
        """Words in the gap under a node, after a triangle pointing up at it."""
        x, y = box.left(), box.bottom() + 4
        if with_triangle:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.MARKER)
            painter.drawPolygon(
                QPolygonF([QPointF(x + 6, y), QPointF(x, y + 12), QPointF(x + 12, y + 12)])
            )
            x += 16
        painter.setPen(palette.MARKER)
        painter.setFont(self._note_font)
        painter.drawText(
            QRectF(x, y - 2, self._box_width + GAP - (x - box.left()), 18),
            Qt.AlignmentFlag.AlignVCenter,
            text,
        )

    def _pill(self, painter: QPainter, box: QRectF, text: str) -> None:
        pill = QRectF(box.left(), box.top() + 10, 86, box.height() - 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.INK)
        painter.drawRoundedRect(pill, 14, 14)
        painter.setPen(palette.PAPER)  # on ink: light on dark, dark on light
        painter.setFont(self._size_font)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _node(
        self, painter: QPainter, box: QRectF, start: int, size: int, fill: QColor, dotted=False
    ) -> None:
        linked = self.linked and start < self.linked[1] and self.linked[0] < start + size
        ink = QColor("white") if fill == palette.MADE else palette.INK
        if linked:
            painter.setPen(QPen(palette.LINKED, 3))
        elif dotted:  # passed over: told apart from a plain node by its edge, not only its fill
            painter.setPen(QPen(palette.PASSED_LINE, 2.5, Qt.PenStyle.DotLine))
        else:
            painter.setPen(QPen(palette.MUTED, 1.2))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(ink)
        painter.setFont(self._address_font)
        top = QRectF(box.left() + 10, box.top() + 4, box.width() - 20, box.height() / 2 - 2)
        if self._box_width == self._full_width:
            address = f"{start:#_x}"
        else:
            address = f"+{start - self.model.machine.heap.heap_start:#_x}"
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter, address)
        painter.setFont(self._size_font)
        bottom = top.translated(0, box.height() / 2 - 4)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter, f"{size:,} B")

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

    # Hover and clicks

    def mousePressEvent(self, event) -> None:
        """A click on a node says which (predict mode takes it as the student's guess)."""
        if event.button() == Qt.MouseButton.LeftButton:
            start, _, _ = self.hit(self.design_pos(event))
            if start >= 0:
                self.sig_region_picked.emit(start)

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        starts, sizes = self.nodes
        row = (pos.y() - MARGIN) // ROW_HEIGHT
        col = (pos.x() - MARGIN) // (self._box_width + GAP)
        item = row * self._per_row() + col
        if not (0 <= col < self._per_row() and 1 <= item <= len(starts)):
            return -1, -1, ""
        if not self._box(item).contains(QPointF(pos)):
            return -1, -1, ""
        node = item - 1
        start, size = int(starts[node]), int(sizes[node])
        following = f"{int(starts[node + 1]):#_x}" if node + 1 < len(starts) else "null"
        lines = [
            f"Node {node + 1:,} of {len(starts):,}: free region {start:#_x} – "
            f"{start + size - 1:#_x}",
            f"{size:,} bytes; next → {following}",
        ]
        if node == self.rover:
            lines.append(ROVER_TIP)
        merged = self.merged_at(start, start + size)
        if merged is not None:
            lines.append(f"The latest free {merged.describe()}")
        picture = self.search
        if picture is not None and start in picture.reasons:
            lines.append(f"Last search: {picture.reasons[start]}")
        return start, start + size, "\n".join(lines)

"""A grid of swatches that says what each colour and each mark means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from . import palette, type_scale


@dataclass(frozen=True)
class Mark:
    """A swatch drawn as the views draw the mark: a fill, a hatch over it, an outline
    in a line style, or next fit's triangle. Told apart by shape and line, not by
    colour alone."""

    fill: QColor | None = None
    hatch: Qt.BrushStyle | None = None
    hatch_colour: QColor | None = None
    """The hatch's colour (None: the marker's)."""
    line: QColor | None = None
    line_style: Qt.PenStyle = Qt.PenStyle.SolidLine
    double: bool = False
    triangle: bool = False
    header: bool = False
    """A block with its header: the left part darker and hatched."""


class Swatch(QWidget):
    """One mark, 16 x 16 pixels."""

    def __init__(self, mark: Mark, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mark = mark
        self.setFixedSize(QSize(16, 16))

    def paintEvent(self, event) -> None:
        mark, painter = self.mark, QPainter(self)
        box = QRectF(1.5, 1.5, self.width() - 3, self.height() - 3)
        painter.setPen(QPen(palette.EDGE, 1))
        painter.setBrush(mark.fill if mark.fill is not None else palette.FREE)
        painter.drawRect(box)
        if mark.header:
            part = QRectF(box.left(), box.top(), box.width() * 0.45, box.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.HEADER)
            painter.drawRect(part)
            painter.setBrush(QBrush(palette.USED, Qt.BrushStyle.BDiagPattern))
            painter.drawRect(part)
        if mark.hatch is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(mark.hatch_colour or palette.MARKER, mark.hatch))
            painter.drawRect(box)
        if mark.line is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(mark.line, 2.5 if not mark.double else 1.5, mark.line_style))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
            if mark.double:
                painter.drawRect(box.adjusted(4, 4, -4, -4))
        if mark.triangle:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.MARKER)
            x, y = box.left(), box.top()
            painter.drawRect(QRectF(x, y, 3, box.height()))
            painter.drawPolygon(QPolygonF([QPointF(x, y), QPointF(x + 9, y), QPointF(x, y + 9)]))
        painter.end()


class Legend(QWidget):
    """`Legend([(colour or Mark, "free"), ...], columns=3)`: swatches and words, row by row,
    in at most `columns` columns, fewer when the width holds fewer: on a 1024-wide
    projector a legend must not be what keeps the window wider than the screen."""

    def __init__(
        self,
        items: list[tuple[QColor | Mark, str]],
        columns: int = 3,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._grid = grid = QGridLayout(self)
        self._most = self._columns = columns
        self._applies: Callable[[str], bool] = lambda text: True
        self._entries: list[tuple[str, QWidget]] = []
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        for look, text in items:
            entry = QWidget()
            row = QHBoxLayout(entry)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            row.addWidget(Swatch(look if isinstance(look, Mark) else Mark(fill=look)))
            label = QLabel(text)
            type_scale.styled(label, 11)
            row.addWidget(label)
            row.addStretch(1)
            self._entries.append((text, entry))
        grid.setColumnStretch(columns, 1)
        self._widest = max((entry.sizeHint().width() for _, entry in self._entries), default=0)
        self.show_only(self._applies)

    def show_only(self, applies: Callable[[str], bool]) -> None:
        """Lay out the entries that apply, without gaps (a mark the machine's allocator
        never draws takes no room a small screen needs)."""
        self._applies = applies
        grid, shown = self._grid, 0
        for text, entry in self._entries:
            grid.removeWidget(entry)
            entry.setVisible(applies(text))
            if applies(text):
                grid.addWidget(entry, *divmod(shown, self._columns))
                shown += 1

    def _columns_for(self, width: int) -> int:
        spacing = self._grid.horizontalSpacing()
        return max(1, min(self._most, (width + spacing) // max(self._widest + spacing, 1)))

    def minimumSizeHint(self) -> QSize:
        """One column wide, as tall as in its most columns: the window's smallest size
        (800 x 600) may clip a legend, never a picture."""
        shown = sum(1 for text, _ in self._entries if self._applies(text))
        rows = -(-shown // self._most)
        row = max((entry.sizeHint().height() for _, entry in self._entries), default=0)
        return QSize(self._widest, rows * row + max(rows - 1, 0) * self._grid.verticalSpacing())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        columns = self._columns_for(event.size().width())
        if columns != self._columns:
            self._columns = columns
            self.show_only(self._applies)

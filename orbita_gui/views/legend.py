"""A row of colour swatches that says what each colour means."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from .heap_canvas import label_font


class Legend(QWidget):
    """`Legend([(colour, "free"), ...], columns=3)`: swatches and words, row by row."""

    def __init__(
        self, items: list[tuple[QColor, str]], columns: int = 3, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        for index, (colour, text) in enumerate(items):
            entry = QWidget()
            row = QHBoxLayout(entry)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            swatch = QLabel()
            swatch.setFixedSize(16, 16)
            swatch.setStyleSheet(
                f"background: {colour.name()}; border: 1px solid #9aa3a8; border-radius: 3px;"
            )
            label = QLabel(text)
            label.setFont(label_font(11))
            row.addWidget(swatch)
            row.addWidget(label)
            row.addStretch(1)
            grid.addWidget(entry, *divmod(index, columns))
        grid.setColumnStretch(columns, 1)

"""Which operations an animated GIF shows, and how fast."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

MAX_FRAMES = 300
"""A longer GIF is too big to share; export a CSV or record a screen instead."""


class GifDialog(QDialog):
    def __init__(self, position: int, length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Animated GIF")
        form = QFormLayout(self)
        self.first = QSpinBox(minimum=0, maximum=length, value=position)
        self.last = QSpinBox(minimum=0, maximum=length, value=min(length, position + 30))
        self.delay = QSpinBox(minimum=20, maximum=5000, value=400, suffix=" ms")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow("From operation", self.first)
        form.addRow("To operation", self.last)
        form.addRow("Each frame", self.delay)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.first.valueChanged.connect(self._keep_order)
        self._keep_order()

    def _keep_order(self) -> None:
        self.last.setMinimum(self.first.value())
        self.last.setMaximum(min(self.first.value() + MAX_FRAMES - 1, self.first.maximum()))

    def values(self) -> tuple[int, int, int]:
        return self.first.value(), self.last.value(), self.delay.value()

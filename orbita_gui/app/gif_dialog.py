"""Which operations an animated GIF shows, of which picture, how fast, and whether each
step of each search gets a frame of its own."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

MAX_FRAMES = 300
"""A longer GIF is too big to share; export a CSV or record a screen instead."""


class GifChoice(NamedTuple):
    first: int
    last: int
    delay_ms: int
    picture: int
    """Index of the picture chosen, in the order the dialog was given them."""
    steps: bool
    """A frame for each step of each operation (the search node by node), not only for
    each operation."""


class GifDialog(QDialog):
    def __init__(
        self, position: int, length: int, pictures: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Animated GIF")
        form = QFormLayout(self)
        self.picture = QComboBox()
        self.picture.addItems(pictures)
        self.first = QSpinBox(minimum=0, maximum=length, value=position)
        self.last = QSpinBox(minimum=0, maximum=length, value=min(length, position + 30))
        self.delay = QSpinBox(minimum=20, maximum=5000, value=400, suffix=" ms")
        self.steps = QCheckBox("A frame for each step of each search")
        self.steps.setToolTip("The search node by node, as Up and Down walk it")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow("Picture", self.picture)
        form.addRow("From operation", self.first)
        form.addRow("To operation", self.last)
        form.addRow("Each frame", self.delay)
        form.addRow("", self.steps)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.first.valueChanged.connect(self._keep_order)
        self._keep_order()

    def _keep_order(self) -> None:
        self.last.setMinimum(self.first.value())
        self.last.setMaximum(min(self.first.value() + MAX_FRAMES - 1, self.first.maximum()))

    def values(self) -> GifChoice:
        return GifChoice(
            self.first.value(),
            self.last.value(),
            self.delay.value(),
            self.picture.currentIndex(),
            self.steps.isChecked(),
        )

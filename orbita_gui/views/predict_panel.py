"""The predict-then-check panel: the question, the student's guess, the verdict, the score."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from . import palette, type_scale


class PredictPanel(QWidget):
    """Shows what the feature running it says; `sig_guess_given(text)` when the student
    presses Check (or Enter) with a guess typed or clicked into the field."""

    sig_guess_given = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = QLabel(wordWrap=True)
        self.guess = QLineEdit(placeholderText="0x4444_4444_0100, +0x100, 7 or null")
        self.guess.setToolTip(
            "The free region's address (or its offset, +0x...), a frame's number, or null"
        )
        self.check = QPushButton("Check")
        self.check.setToolTip("Run the operation and compare (Enter)")
        self.verdict = QLabel(wordWrap=True)
        self.score = QLabel()
        for label, points in ((self.question, 13), (self.verdict, 13), (self.score, 12)):
            type_scale.styled(label, points, bold=label is self.score)
        type_scale.styled(self.guess, 13, mono=True)
        type_scale.styled(self.check, 12)
        grid = QGridLayout(self)
        grid.addWidget(self.question, 0, 0, 1, 3)
        grid.addWidget(self.guess, 1, 0)
        grid.addWidget(self.check, 1, 1)
        grid.addWidget(self.score, 1, 2)
        grid.addWidget(self.verdict, 2, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self.check.clicked.connect(self._give)
        self.guess.returnPressed.connect(self._give)

    def ask(self, question: str) -> None:
        self.question.setText(question)
        self.guess.clear()
        self.guess.setFocus()

    def tell(self, verdict: str, right: bool | None) -> None:
        """The verdict, green-free: ✔ or ✘ says it for everyone, the colour only helps."""
        colour = palette.INK if right is None else (palette.MADE if right else palette.ERROR)
        mark = "" if right is None else ("✔ " if right else "✘ ")
        self.verdict.setStyleSheet(f"color: {colour.name()};")
        self.verdict.setText(mark + verdict)

    def _give(self) -> None:
        self.sig_guess_given.emit(self.guess.text())

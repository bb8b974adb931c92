"""View > Compare allocators…: ask for two to four heap allocators, then play the trace
open in the window on all of them side by side (`compare_window`)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from orbita_gui.core import registry
from orbita_gui.core.errors import OrbitaError
from orbita_gui.traces.compare import MOST_HEAPS, HeapSpec, parse_heap_spec

from .compare_window import open_comparison

SUGGESTED = ("guide", "best,addrsort,coalesce", "", "")
"""What the dialog offers first: the guide's heap against OSTEP's best fit."""


class CompareDialog(QDialog):
    """Up to four heap allocators, each a registry name or a spec as the command line
    takes it (`best,addrsort,coalesce`); an empty one is left out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare allocators")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        choices = ["", *registry.kinds(registry.HEAP), "best,addrsort,coalesce", "next,coalesce"]
        self.boxes = []
        for number, suggested in enumerate(SUGGESTED[:MOST_HEAPS], 1):
            box = QComboBox(editable=True)
            box.addItems(list(dict.fromkeys(choices)))
            box.setCurrentText(suggested)
            box.setToolTip("A heap allocator by name, or its rules: best,addrsort,coalesce")
            form.addRow(f"Allocator {number}", box)
            self.boxes.append(box)
        self.error = QLabel(wordWrap=True)
        self.error.setProperty("role", "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.specs: list[HeapSpec] = []

    def _accept_if_valid(self) -> None:
        texts = [box.currentText().strip() for box in self.boxes if box.currentText().strip()]
        try:
            specs = [parse_heap_spec(text) for text in texts]
        except OrbitaError as error:
            self.error.setText(str(error))
            return
        if len(specs) < 2:
            self.error.setText("Choose two allocators at least.")
            return
        self.specs = specs
        self.accept()


class CompareUi(QObject):
    """The View menu's Compare allocators… and the comparison windows it opens."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.windows: list[QWidget] = []
        action = window.make_action(
            "&Compare allocators…",
            self.ask,
            "Ctrl+K",
            "Play the trace on two to four heap allocators side by side",
        )
        window.add_action("view", action, section="compare", before="docks")
        window.sig_closed.connect(self.close_all)

    def ask(self) -> None:
        trace = self.window.traces.player.trace
        if trace is None:
            self.window.say("Compare allocators: open a trace first (Help > Examples)", True)
            return
        dialog = CompareDialog(self.window)
        if dialog.exec():
            self.open(dialog.specs)

    def open(self, specs: list[HeapSpec]) -> None:
        """A comparison of the trace open in the window on `specs`' allocators."""
        opened = open_comparison(self.window.traces.player.trace, specs)
        if isinstance(opened, str):
            self.window.say(f"Compare allocators: {opened}", True)
            return
        self.windows.append(opened)
        opened.destroyed.connect(lambda: self.windows.remove(opened))

    def close_all(self) -> None:
        for opened in list(self.windows):
            opened.close()

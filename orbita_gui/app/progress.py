"""A progress dialog with Cancel for work that may take more than a moment."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

LOOK_EVERY_SECONDS = 0.1
"""How often the dialog is updated and Cancel looked at: each look lets the window
repaint, which costs more than the work between two looks."""


class Progress:
    """`with Progress(window, "Doing…") as progress:` gives `progress(done, total)`,
    False once the user pressed Cancel; the dialog shows only if the work takes a
    moment."""

    def __init__(self, parent: QWidget, label: str) -> None:
        self._dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(400)
        self._dialog.setValue(0)

    def __enter__(self):
        shown = [0.0]

        def report(done: int, total: int) -> bool:
            now = time.perf_counter()
            if now - shown[0] >= LOOK_EVERY_SECONDS:  # each look repaints the window
                shown[0] = now
                self._dialog.setMaximum(max(total, 1))
                self._dialog.setValue(done)
                QApplication.processEvents()
            return not self._dialog.wasCanceled()

        return report

    def __exit__(self, *_exc_info) -> None:
        self._dialog.reset()
        self._dialog.deleteLater()

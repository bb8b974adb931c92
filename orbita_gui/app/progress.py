"""A progress dialog with Cancel for work that may take more than a moment."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget


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
        def report(done: int, total: int) -> bool:
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(done)
            QApplication.processEvents()
            return not self._dialog.wasCanceled()

        return report

    def __exit__(self, *_exc_info) -> None:
        self._dialog.reset()
        self._dialog.deleteLater()

"""Repaints coalesced: however many changes come, one signal a screen frame at most."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

REPAINT_INTERVAL_MS = 16
"""A screen frame at 60 Hz."""


class RepaintCoalescer(QObject):
    """A dirty flag and one timer: `mark()` asks for `emit()` within a screen frame.

    The first mark after an emit starts the timer; the marks that follow only
    find the flag set. A running timer is never restarted: that would postpone
    the repaint for as long as changes keep coming. `flush()` emits a pending
    repaint at once, for a caller that knows a screen frame ends there.
    """

    def __init__(
        self,
        emit: Callable[[], None],
        interval_ms: int = REPAINT_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.dirty = False
        """A change came since the last emit."""
        self._emit = emit
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._fire)

    def mark(self) -> None:
        if not self.dirty:
            self.dirty = True
            self._timer.start()

    def flush(self) -> None:
        if self.dirty:
            self._timer.stop()
            self._fire()

    def _fire(self) -> None:
        self.dirty = False  # first: a change made while the views repaint asks anew
        self._emit()

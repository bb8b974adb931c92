"""At most so many calls a second, and never a lost last one."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

TEXT_PER_SECOND = 10
"""Figures and log lines: more often than this nobody can read them, and relaying out
text costs each screen frame of a fast replay a millisecond or more."""
PICTURE_PER_SECOND = 15
"""The heap pictures: during a fast replay the grid carries the motion, and these
views cost the most to draw."""


class Throttle(QObject):
    """Runs `callback` for each `request()`, but at most `per_second` times a second.

    A request that comes too soon is put off to the end of the interval, not
    dropped, so the last state always shows. After a quiet spell a request
    runs at once: a single click still updates in the same screen frame.
    """

    def __init__(self, callback: Callable[[], None], per_second: float, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback
        self._interval = 1 / per_second
        self._ran_at = -float("inf")
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(self._run)

    def set_rate(self, per_second: float) -> None:
        """At most this many calls a second from now on."""
        self._interval = 1 / per_second

    @property
    def pending(self) -> bool:
        """A request is waiting for its turn."""
        return self._later.isActive()

    def request(self) -> None:
        if self._later.isActive():
            return
        wait = self._ran_at + self._interval - time.monotonic()
        if wait <= 0:
            self._run()
        else:
            self._later.start(max(1, round(wait * 1000)))

    def stop(self) -> None:
        """Forget a waiting request (the view is going away)."""
        self._later.stop()

    def _run(self) -> None:
        self._ran_at = time.monotonic()
        self._callback()

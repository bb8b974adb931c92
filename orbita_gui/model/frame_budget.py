"""How long the player may work in a screen frame so the window keeps its frame rate."""

from __future__ import annotations

TARGET_FPS = 32
"""A little above 30, so that a slow frame now and then still leaves 30 a second."""
MIN_WORK_SECONDS = 0.004
"""Even when drawing takes the whole frame, operations still advance (all the
machines that work in the frame together take this long)."""
SMOOTHING = 0.25
"""Weight of the newest frame in the running estimate of the drawing time."""


class FrameBudget:
    """Splits each screen frame between operations and everything else.

    Playing as fast as possible, a tick applies operations, then the views
    repaint and the next tick starts. The time between the end of the work and
    the start of the next tick is what the window needs to draw; its running
    average is taken from the frame, and the rest is the work budget. Work
    overruns its budget a little (it looks at the clock every few operations):
    that average is taken off too. Cheap views get more operations per frame;
    costly ones fewer, but the window still draws `TARGET_FPS` times a second.

    With `workers` machines each applying the frame's operations (a comparison:
    the lead works to the budget, the others then catch up before `end`), the
    others' work is overrun; it is expected from the first frame, which would
    otherwise take `workers` frames.
    """

    def __init__(self, fps: float = TARGET_FPS, workers: int = 1) -> None:
        self.frame_seconds = 1 / fps
        self.drawing_seconds = 0.0
        """Running estimate of the time each frame spends outside the work."""
        self.overrun_seconds = self.frame_seconds * (workers - 1) / workers
        """Running estimate of how far the work goes past its budget."""
        self._least = MIN_WORK_SECONDS / workers
        self._work_ended: float | None = None
        self._started = self._budget = 0.0

    def start(self, now: float) -> float:
        """A tick starts at `now`: the seconds it may work."""
        if self._work_ended is not None:
            drawing = max(0.0, now - self._work_ended)
            self.drawing_seconds += SMOOTHING * (drawing - self.drawing_seconds)
        spare = self.frame_seconds - self.drawing_seconds - self.overrun_seconds
        self._started, self._budget = now, max(self._least, spare)
        return self._budget

    def end(self, now: float) -> None:
        """The tick's work ended at `now`; what follows until the next start is drawing."""
        overrun = max(0.0, now - self._started - self._budget)
        self.overrun_seconds += SMOOTHING * (overrun - self.overrun_seconds)
        self._work_ended = now

    def reset(self) -> None:
        """Playing stopped: the next start measures no drawing."""
        self._work_ended = None

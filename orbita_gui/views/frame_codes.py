"""The frame grid's picture as numbers (no Qt here): one uint8 code per cell, rebuilt in numpy.

Each refresh copies the allocator's bitmap (one byte per frame, already 0 for
free and 1 for used), marks the heap's frames, then lays the fading flashes,
the linked frames and the selection on top. A copy of 4 million bytes costs
well under a millisecond, so there is no per-cell bookkeeping to get wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

CODE_FREE, CODE_USED, CODE_HEAP = 0, 1, 2
"""Codes of the grid's image (the palette's colour table paints them): FREE and USED
are the allocator's bitmap values themselves."""
FLASH_STEPS = 8
CODE_MADE = 3  # .. CODE_MADE + FLASH_STEPS - 1: just allocated, fading to used
CODE_FREED = CODE_MADE + FLASH_STEPS  # .. + FLASH_STEPS - 1: just freed, fading to free
CODE_LINKED = CODE_FREED + FLASH_STEPS
CODE_SELECTED = CODE_LINKED + 1
CODE_OUTSIDE = CODE_SELECTED + 1
CODE_SCANNED = CODE_OUTSIDE + 1  # looked at by the frame search being animated

FADE_SECONDS = 1.0
"""How long a just-allocated or just-freed frame keeps its highlight."""


def grid_shape(total_frames: int) -> tuple[int, int]:
    """`(rows, columns)`: a power-of-two row width that makes the grid about square."""
    cols = min(1 << math.ceil(math.log2(math.sqrt(total_frames))), total_frames)
    return -(-total_frames // cols), cols


class FrameCodes:
    """The codes of every cell of the grid, and the flashes still fading."""

    def __init__(self, total_frames: int, heap_frames: Callable[[], np.ndarray]) -> None:
        """`heap_frames()` says which frames back heap pages now (a heap may grow)."""
        self.total_frames = total_frames
        self.rows, self.cols = grid_shape(total_frames)
        self.codes = np.full(self.rows * self.cols, CODE_OUTSIDE, dtype=np.uint8)
        self._heap_frames = heap_frames
        self._hot_frames = np.empty(0, dtype=np.int64)
        self._hot_times = np.empty(0, dtype=np.float64)
        self._hot_made = np.empty(0, dtype=bool)
        self._new_frames: list[int] = []
        self._new_made: list[bool] = []

    def flash(self, frame: int, made: bool) -> None:
        """Highlight a frame that was just allocated (`made`) or freed."""
        self._new_frames.append(frame)
        self._new_made.append(made)

    @property
    def animating(self) -> bool:
        """Whether a flash is still fading (or waiting to start)."""
        return bool(len(self._hot_frames) or self._new_frames)

    def refresh(
        self,
        bitmap: np.ndarray,
        now: float,
        selected=(),
        linked: np.ndarray | None = None,
        scanned: range | None = None,
    ) -> np.ndarray:
        """Recompute every code; returns the `(rows, cols)` image. `scanned` frames are
        those an animated search has looked at so far."""
        codes = self.codes
        codes[: self.total_frames] = bitmap  # FREE = 0 and USED = 1 are the grid's codes too
        codes[self._heap_frames()] = CODE_HEAP
        self._age_flashes(now)
        if len(self._hot_frames):
            steps = (now - self._hot_times) * (FLASH_STEPS / FADE_SECONDS)
            base = np.where(self._hot_made, CODE_MADE, CODE_FREED)
            codes[self._hot_frames] = base + np.minimum(steps, FLASH_STEPS - 1).astype(np.uint8)
        if scanned:
            codes[scanned.start : scanned.stop] = CODE_SCANNED
        if linked is not None and len(linked):
            codes[linked] = CODE_LINKED
        if selected:
            codes[np.fromiter(selected, dtype=np.int64)] = CODE_SELECTED
        return codes.reshape(self.rows, self.cols)

    def _age_flashes(self, now: float) -> None:
        if self._new_frames:
            count = len(self._new_frames)
            self._hot_frames = np.concatenate([self._hot_frames, self._new_frames])
            self._hot_times = np.concatenate([self._hot_times, np.full(count, now)])
            self._hot_made = np.concatenate([self._hot_made, self._new_made])
            self._new_frames, self._new_made = [], []
        alive = self._hot_times > now - FADE_SECONDS
        if not alive.all():
            self._hot_frames = self._hot_frames[alive]
            self._hot_times = self._hot_times[alive]
            self._hot_made = self._hot_made[alive]

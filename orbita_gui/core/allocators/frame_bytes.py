"""What both frame allocators keep and answer alike: a byte per frame (0 free, 1 used),
the memory sizes they take, the checks a frame passes, and the guide's interface over
their events (`allocate_frame`, `free_frame`, `stats`)."""

from __future__ import annotations

import numpy as np

from ..addresses import FRAME_SIZE, U64_LIMIT, Frame
from ..errors import FrameOutOfRangeError, InvalidMemorySizeError, MisalignedFrameError
from ..stats import MemoryStats

FREE, USED = 0, 1
"""States of a frame in `bitmap()`."""


class FrameBytes:
    """A byte per frame, read by the views without a copy; subclasses make the events
    (`allocate_frame_event`, `free_frame_event`) and keep `used_frames`."""

    params: dict[str, object] = {}  # noqa: RUF012 (read only: memory_size comes from the machine)

    def __init__(self, memory_size: int) -> None:
        if type(memory_size) is not int or not FRAME_SIZE <= memory_size <= U64_LIMIT:
            raise InvalidMemorySizeError(
                f"memory size {memory_size!r} must be a whole number of bytes "
                f"from {FRAME_SIZE} (one frame) to 2**64"
            )
        self.total_frames = memory_size // FRAME_SIZE
        self.used_frames = 0
        self._used = bytearray(self.total_frames)
        self._view_bytes()

    def _view_bytes(self) -> None:
        """The views' window on the bytes: `_used` itself, read-only, not a copy."""
        self._bitmap = np.frombuffer(self._used, dtype=np.uint8)
        self._bitmap.flags.writeable = False

    def __getstate__(self) -> dict:
        """Pickled (a trace's checkpoint) without the views over the bytes: pickled, a
        view would come back a copy of its own, no longer the bytes it shows."""
        state = self.__dict__.copy()
        del state["_bitmap"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._view_bytes()

    # The guide's interface

    def allocate_frame(self) -> Frame | None:
        """Allocate a frame, or None when memory is full."""
        return self.allocate_frame_event().frame

    def free_frame(self, frame: Frame) -> None:
        """Free an allocated frame; raises instead of ignoring a double free."""
        self.free_frame_event(frame)

    def stats(self) -> MemoryStats:
        return MemoryStats(
            self.total_frames, self.used_frames, self.total_frames - self.used_frames
        )

    # For the views

    def bitmap(self) -> np.ndarray:
        """A read-only uint8 view, one element per frame (`FREE` or `USED`); no copy."""
        return self._bitmap

    def is_frame_used(self, frame_number: int) -> bool:
        return bool(self._used[frame_number])

    def _check_frame(self, frame: Frame) -> int:
        """The number of `frame`: a `Frame`, aligned, inside memory; else the error."""
        if not isinstance(frame, Frame):
            raise TypeError(f"expected a Frame, got {frame!r}")
        address = frame.start_address.as_u64()
        if address % FRAME_SIZE:
            raise MisalignedFrameError(
                f"{address:#x} is not a frame address: not a multiple of {FRAME_SIZE:#x}"
            )
        number = address // FRAME_SIZE
        if number >= self.total_frames:
            raise FrameOutOfRangeError(
                f"{address:#x} is beyond the end of memory "
                f"({self.total_frames:,} frames, up to {self.total_frames * FRAME_SIZE:#x})"
            )
        return number

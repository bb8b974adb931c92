"""The machine's state kept every few thousand operations of a trace, so that the player
jumps to any operation at once: it puts back the nearest state kept before it and
replays the few operations after it, as time-travel debuggers and video codecs do with
key frames.

A state is the machine and the names' bindings, pickled and compressed: a copy that
nothing can change, restored exactly by unpickling (every allocator of the family is
plain Python data). One costs about 2 to 10 bytes a live block or free region, once
compressed; the history it stands in for costs some 200 bytes an operation, so a state
every `CHECKPOINT_EVERY` operations costs far less than the events it replaces.
"""

from __future__ import annotations

import pickle
import zlib
from bisect import bisect_right
from dataclasses import dataclass

from .collector import collector_resting
from .replay import Replayer, ReplayState

CHECKPOINT_EVERY = 4096
"""Operations between two states kept: a jump replays fewer than this many."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The state after `position` operations, compressed."""

    position: int
    packed: bytes

    def state(self) -> ReplayState:
        """A fresh copy of the machine and the bindings as they were then."""
        with collector_resting():  # unpickling makes many objects and no cycles
            return ReplayState(*pickle.loads(zlib.decompress(self.packed)))


class Checkpoints:
    """States kept every `interval` operations, oldest first."""

    def __init__(self, interval: int = CHECKPOINT_EVERY) -> None:
        self.interval = interval
        self._kept: list[Checkpoint] = []
        self._positions: list[int] = []

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def nbytes(self) -> int:
        """Memory the states take, compressed."""
        return sum(len(checkpoint.packed) for checkpoint in self._kept)

    def keep(self, position: int, replayer: Replayer) -> None:
        """Keep the replayer's state, after `position` operations (later than the last)."""
        packed = pickle.dumps(tuple(replayer.state()), protocol=pickle.HIGHEST_PROTOCOL)
        self._kept.append(Checkpoint(position, zlib.compress(packed, 1)))
        self._positions.append(position)

    def before(self, position: int) -> Checkpoint | None:
        """The latest state kept at or before `position`."""
        index = bisect_right(self._positions, position)
        return self._kept[index - 1] if index else None

"""The machine's state kept every few thousand operations of a trace, so that the player
jumps to any operation at once: it puts back the nearest state kept before it and
replays the few operations after it, as time-travel debuggers and video codecs do with
key frames.

A state is the machine and the names' bindings, pickled, compressed and kept in a
temporary file (`spill`: out of the window's memory): a copy that nothing can change,
restored exactly by unpickling (every allocator of the family is plain Python data;
live blocks go as plain tuples, `core.allocators.live_blocks`). One takes some 7
bytes a live block or free region; the history it stands in for costs some 200 bytes
an operation, so a state every `CHECKPOINT_EVERY` operations costs less than the
events it replaces.
"""

from __future__ import annotations

import pickle
import zlib
from bisect import bisect_right
from dataclasses import dataclass

from ..core.events import Allocation
from .collector import collector_resting
from .replay import Replayer, ReplayState
from .spill import Spill

CHECKPOINT_EVERY = 8192
"""Operations between two states kept, at most: a jump replays fewer than this many."""
CHECKPOINT_SECONDS = 0.05
"""Replay time between two states kept, at most: where operations are slow (long free
lists, failed searches) states are kept closer together, so that a jump replays about
as long anywhere."""
CHECKPOINT_BYTES = 96 << 20
"""Bytes the states may take: past it, every other one is let go, and states are kept
at least twice as far apart from then on (a slow machine keeps them by time more often)."""
LEAST_APART = 512
"""Operations between two states kept, at least (until memory asks for more)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The state after `position` operations, compressed in `store` under `key`."""

    position: int
    store: Spill
    key: tuple[int, int]

    @property
    def nbytes(self) -> int:
        return self.key[1]

    def state(self) -> ReplayState:
        """A fresh copy of the machine and the bindings as they were then."""
        packed = zlib.decompress(self.store.get(self.key))
        with collector_resting():  # unpickling makes many objects and no cycles
            machine, names, values, frame_names = pickle.loads(packed)
            live = machine.heap.allocations()
            bindings = {
                name: value if value is None or name in frame_names else live[value]
                for name, value in zip(names, values, strict=True)
            }
            return ReplayState(machine, bindings, frame_names)


class Checkpoints:
    """States kept every `every` operations or `seconds` of replay, whichever comes
    first, in at most `budget` bytes; oldest first."""

    def __init__(
        self,
        every: int = CHECKPOINT_EVERY,
        seconds: float = CHECKPOINT_SECONDS,
        budget: int = CHECKPOINT_BYTES,
    ) -> None:
        self.every, self.seconds, self.budget = every, seconds, budget
        self.least = min(LEAST_APART, every)
        self.nbytes = 0
        """Bytes the states kept take, compressed (on disk, as a rule: `Spill`)."""
        self._store = Spill()
        self._kept: list[Checkpoint] = []
        self._unkept = 0.0
        """Replay time since the last state kept."""

    def next_due(self) -> int:
        """The position at which the next state is kept, unless replay time says sooner."""
        return self._last() + self.every

    def due(self, position: int, seconds: float) -> bool:
        """Whether the state after `position` operations is to be kept, the last of them
        having taken `seconds` to replay."""
        self._unkept += seconds
        apart = position - self._last()
        return apart >= self.every or (self._unkept >= self.seconds and apart >= self.least)

    def _last(self) -> int:
        return self._kept[-1].position if self._kept else 0

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, position: int, replayer: Replayer) -> None:
        """Keep the replayer's state, after `position` operations (later than the last)."""
        machine, bindings, frame_names = replayer.state()
        # A name that holds a block is kept with its address: the heap's own record of
        # the block is what it holds (pickling each `Allocation` costs, `live_blocks`).
        values = [value.ptr if type(value) is Allocation else value for value in bindings.values()]
        state = (machine, tuple(bindings), values, frame_names)
        packed = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        checkpoint = Checkpoint(position, self._store, self._store.put(zlib.compress(packed, 1)))
        self._kept.append(checkpoint)
        self.nbytes += checkpoint.nbytes
        self._unkept = 0.0
        if self.nbytes > self.budget and len(self._kept) > 2:
            self._thin_out()

    def _thin_out(self) -> None:
        """Let go of every other state (the first stays: the trace's start), and keep
        them at least twice as far apart from now on."""
        self._kept = self._kept[:1] + self._kept[2::2]
        self.nbytes = sum(checkpoint.nbytes for checkpoint in self._kept)
        self.least *= 2
        self.every = max(self.every, self.least)

    def before(self, position: int) -> Checkpoint | None:
        """The latest state kept at or before `position`."""
        index = bisect_right(self._kept, position, key=_position)
        return self._kept[index - 1] if index else None


def _position(checkpoint: Checkpoint) -> int:
    return checkpoint.position

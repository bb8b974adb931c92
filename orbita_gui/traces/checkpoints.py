"""The machine's state kept every few thousand operations of a trace, so that the player
jumps to any operation at once: it puts back the nearest state kept before it and
replays the few operations after it, as time-travel debuggers and video codecs do with
key frames.

A state is the machine and the names' bindings, pickled and compressed: a copy that
nothing can change, restored exactly by unpickling (every allocator of the family is
plain Python data; live blocks go as plain tuples, `core.allocators.live_blocks`). One
costs some 7 bytes a live block or free region, compressed; the history it stands in
for costs some 200 bytes an operation, so a state every `CHECKPOINT_EVERY` operations
costs less than the events it replaces.
"""

from __future__ import annotations

import pickle
import zlib
from bisect import bisect_right
from dataclasses import dataclass

from ..core.events import Allocation
from .collector import collector_resting
from .replay import Replayer, ReplayState

CHECKPOINT_EVERY = 8192
"""Operations between two states kept, at most: a jump replays fewer than this many."""
CHECKPOINT_SECONDS = 0.08
"""Replay time between two states kept, at most: where operations are slow (long free
lists, failed searches) states are kept closer together, so that a jump replays about
as long anywhere."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The state after `position` operations, compressed."""

    position: int
    packed: bytes

    def state(self) -> ReplayState:
        """A fresh copy of the machine and the bindings as they were then."""
        with collector_resting():  # unpickling makes many objects and no cycles
            machine, names, values, frame_names = pickle.loads(zlib.decompress(self.packed))
            live = machine.heap.allocations()
            bindings = {
                name: value if value is None or name in frame_names else live[value]
                for name, value in zip(names, values, strict=True)
            }
            return ReplayState(machine, bindings, frame_names)


class Checkpoints:
    """States kept every `every` operations or `seconds` of replay, whichever comes
    first, oldest first."""

    def __init__(self, every: int = CHECKPOINT_EVERY, seconds: float = CHECKPOINT_SECONDS) -> None:
        self.every, self.seconds = every, seconds
        self._kept: list[Checkpoint] = []
        self._positions: list[int] = []

    def next_due(self) -> int:
        """The position at which the next state is kept, unless replay time says sooner."""
        return (self._positions[-1] if self._positions else 0) + self.every

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def nbytes(self) -> int:
        """Memory the states take, compressed."""
        return sum(len(checkpoint.packed) for checkpoint in self._kept)

    def keep(self, position: int, replayer: Replayer) -> None:
        """Keep the replayer's state, after `position` operations (later than the last)."""
        machine, bindings, frame_names = replayer.state()
        # A name that holds a block is kept with its address: the heap's own record of
        # the block is what it holds (pickling each `Allocation` costs, `live_blocks`).
        values = [value.ptr if type(value) is Allocation else value for value in bindings.values()]
        state = (machine, tuple(bindings), values, frame_names)
        packed = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        self._kept.append(Checkpoint(position, zlib.compress(packed, 1)))
        self._positions.append(position)

    def before(self, position: int) -> Checkpoint | None:
        """The latest state kept at or before `position`."""
        index = bisect_right(self._positions, position)
        return self._kept[index - 1] if index else None

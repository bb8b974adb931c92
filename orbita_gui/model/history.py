"""One machine's history: the operations applied to it, by name, and what they did.

Every change of a machine is an `Op` applied through the one `Replayer` kept
here, which binds names to frames and blocks: a hand action names what it
makes (`f1, f2, ...` for frames, `b1, b2, ...` for blocks), a trace step uses
the trace's names. The history is therefore the list of operations applied,
and a saved session is simply those operations with the machine's header.
Pure Python (no Qt): testable on its own.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from orbita_gui.core import Event, Machine
from orbita_gui.traces import Op, Outcome, Replayer, Trace
from orbita_gui.traces.checkpoints import Checkpoint
from orbita_gui.traces.trace import ALLOC_FRAME

FRAME_PREFIX, BLOCK_PREFIX = "f", "b"
"""What the names a hand action gives start with: `f1` is a frame, `b1` a block."""


class FrameAllocations(Sequence):
    """`alloc-frame f<first>` ... `alloc-frame f<first + count - 1>`, made when read:
    allocating a million frames by hand keeps no million operations."""

    __slots__ = ("count", "first")

    def __init__(self, first: int, count: int) -> None:
        self.first, self.count = first, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Op:
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError("operation index out of range")
        return Op(ALLOC_FRAME, f"{FRAME_PREFIX}{self.first + index}")


class History:
    """The operations applied to one machine and the events that changed it.

    `ops` are all the operations applied, oldest first, failures of a trace
    included (a failed allocation binds its name to NULL); `events` are the
    events of those that changed the machine, oldest first: what the log and
    the views have been told. `take_back()` undoes the newest operation.
    """

    def __init__(self, machine: Machine, runner: Replayer | None = None) -> None:
        self.machine = machine
        self.runner = runner or Replayer(None, machine)
        """Applies every operation and takes it back; holds the names' bindings."""
        self.events: list[Event] = []
        self.numbers = array("Q")
        """Beside each of `events`, the number of its operation (1 is the first applied):
        what the log calls it, failures and no-ops counted as the trace counts them. (A
        machine array: 8 bytes an event, where a list of ints costs 36.)"""
        self._counters = {FRAME_PREFIX: 0, BLOCK_PREFIX: 0}

    @classmethod
    def resumed(cls, trace: Trace, checkpoint: Checkpoint, effects: dict[int, int]) -> History:
        """The history of a trace's machine put back as a checkpoint kept it: its
        operations are those before it, and none of them can be taken back."""
        position = checkpoint.position
        runner = Replayer.resumed(trace, checkpoint.state(), position, effects)
        return cls(runner.machine, runner)

    @property
    def ops(self) -> Sequence[Op]:
        return self.runner.log

    @property
    def kept(self) -> int:
        """How many of the newest operations `take_back` can undo."""
        return self.runner.kept

    @property
    def position(self) -> int:
        """How many operations are applied."""
        return self.runner.position

    def apply(self, op: Op) -> Outcome:
        outcome = self.runner.apply(op)
        event = outcome.event
        if event is not None and not event.failed:
            self.events.append(event)
            self.numbers.append(self.runner.position)
        return outcome

    def run(
        self, ops: Sequence[Op], start: int, stop: int, deadline: float | None = None
    ) -> tuple[list[Outcome], list[Event]]:
        """Apply `ops[start:stop]` (until `deadline`, see `Replayer.run`); returns their
        outcomes and the events of those that changed the machine."""
        first = self.runner.position + 1
        outcomes = self.runner.run(ops, start, stop, deadline)
        events, numbers = [], []
        for number, outcome in enumerate(outcomes, first):
            event = outcome.event
            if event is not None and not event.failed:
                events.append(event)
                numbers.append(number)
        self.numbers.extend(numbers)
        self.events.extend(events)
        return outcomes, events

    def forget_oldest(self, count: int) -> None:
        """The `count` oldest operations kept can no longer be taken back; their events
        are let go (the operations stay: a session still holds them)."""
        changed = self.runner.forget_oldest(count)
        del self.events[:changed], self.numbers[:changed]

    def take_back(self) -> Event | None:
        """Undo the newest operation; its event if it had changed the machine."""
        event = self.runner.back()
        if event is not None:
            self.events.pop()
            self.numbers.pop()
        return event

    # Names for hand actions

    def fresh_name(self, prefix: str) -> str:
        """A name no operation holds now, `prefix` and a number not given before."""
        counters, runner = self._counters, self.runner
        while True:
            counters[prefix] += 1
            name = f"{prefix}{counters[prefix]}"
            if not runner.bound(name):
                return name

    def frame_allocations(self, count: int) -> FrameAllocations:
        """`count` frame allocations named with fresh consecutive names."""
        counters, runner = self._counters, self.runner
        first = counters[FRAME_PREFIX] + 1
        number = first
        while number < first + count:  # the names must all be free: start after any held
            if runner.bound(f"{FRAME_PREFIX}{number}"):
                first = number + 1
            number += 1
        counters[FRAME_PREFIX] = first + count - 1
        return FrameAllocations(first, count)

    def name_of_frame(self, number: int) -> str | None:
        """The name that holds frame `number` now, if any."""
        return self.runner.name_of_frame(number)

    def name_of_block(self, ptr: int) -> str | None:
        """The name that holds the live block at `ptr` now, if any."""
        return self.runner.name_of_block(ptr)

    # Sessions

    def session(self, source: str = "session") -> Trace:
        """The operations applied, with the machine's header: replayed on a fresh machine
        of that header, it gives the state now."""
        return self.runner.session(source)

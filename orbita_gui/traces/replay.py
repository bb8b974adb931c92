"""Replaying a trace on a machine: forwards one operation at a time, and back exactly.

Names map onto the machine: `alloc-frame f1` binds `f1` to the frame handed
out, `malloc a 24` binds `a` to its block, `realloc` is `GlobalAlloc`'s
default (allocate new, copy, free old; of a name that is not live, an
allocation, as C's realloc of NULL). A request the machine refuses (out of
memory, a free of a name that is not allocated) is a failure and changes
nothing. An allocation that fails, out of memory or too large for the address
space, returns NULL: the name holds NULL, as the C program's pointer would,
and freeing it does nothing; a realloc that fails leaves the old block.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import ClassVar, NamedTuple

from ..core.addresses import Frame
from ..core.errors import LayoutError, OrbitaError
from ..core.events import Event
from ..core.layout import Layout
from ..core.machine import Machine, machine_sizes
from .session import ALLOCATED, REALLOCATED, UNCHANGED, session_trace
from .trace import (
    ALLOC_FRAME,
    ALLOC_FRAMES,
    FRAME_KINDS,
    FREE,
    FREE_FRAME,
    MALLOC,
    NULL,
    REALLOC,
    Op,
    OpRow,
    Trace,
)

_UNBOUND = object()
"""What a name holds when it holds nothing."""
_UNCHANGED = object()
"""Kept for an operation that bound no name."""


class Outcome:
    """What one operation did: its event (None if there was none) and, if it failed, why."""

    __slots__ = ("event", "failure")

    null = False
    """An allocation that returned NULL (out of memory, or too large): see `NullOutcome`."""

    def __init__(self, event: Event | None, failure: str | None = None) -> None:
        self.event = event
        self.failure = failure

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.event!r}, {self.failure!r})"


class NullOutcome(Outcome):
    """An allocation that returned NULL, as C's malloc and realloc do when out of memory
    or asked for more than the address space holds; the name holds NULL after it."""

    __slots__ = ()
    null = True


class _OutOfMemory(NullOutcome):
    """An allocation the heap refused. Its message is the event's description, written
    when read: a headless replay reads only the first few, of thousands perhaps."""

    __slots__ = ("_op",)

    def __init__(self, op: Op, event: Event) -> None:
        self.event = event
        self._op = op

    @property
    def failure(self) -> str:
        return f"{_at(self._op)}{self.event.describe()}"


class ReplayState(NamedTuple):
    """What a replay's state is beyond its history: the machine, each name's binding
    and the names that hold frames."""

    machine: Machine
    bindings: dict[str, object]
    frame_names: set[str]


class _Renamed(tuple):
    """`(name, old value, old value is a frame)` triples kept for an operation that
    changed several names (a realloc that moved its block to a new name), or changed
    what a name holds from one layer to the other; one name's old value of the
    operation's own layer is kept bare."""

    __slots__ = ()


@lru_cache(maxsize=4096)
def _layout(size: int, align: int) -> Layout:
    """One `Layout` for each request size in use: the blocks of a long trace share it."""
    return Layout(size, align)


def _bound_name(op: Op) -> str:
    """The name an operation binds, when it binds one."""
    return op.name if op.new_name is None else op.new_name


_SEARCHING = frozenset((MALLOC, REALLOC))
"""The operations that search the free list: each makes the search before it old."""


def _frame_op(op: Op) -> bool:
    """Whether the operation is one of the frame allocator's (else the heap's)."""
    return op.kind in FRAME_KINDS


def _at(op: Op) -> str:
    """Where a failure message says the operation is: its line, if it has one."""
    return f"line {op.line}: " if op.line else ""


class OpLog(Sequence):
    """The operations applied, oldest first, kept as runs of the sequences they came
    from: the operations of a trace cost nothing each, only the run's bounds."""

    __slots__ = ("_length", "_own", "_runs")

    def __init__(self) -> None:
        self._runs: list[list] = []  # [source, start, stop]
        self._own: list[Op] = []  # the operations given one by one
        self._length = 0

    def add(self, source: Sequence[Op], start: int, stop: int) -> None:
        """`source[start:stop]` were applied, after those before."""
        if stop <= start:
            return
        runs = self._runs
        if runs:
            last = runs[-1]
            if last[0] is source and last[2] == start:
                last[2] = stop
                self._length += stop - start
                return
        runs.append([source, start, stop])
        self._length += stop - start

    def append(self, op: Op) -> None:
        self._own.append(op)
        self.add(self._own, len(self._own) - 1, len(self._own))

    def pop(self) -> Op:
        """Forget the newest operation; returns it."""
        last = self._runs[-1]
        last[2] -= 1
        op = last[0][last[2]]
        if last[0] is self._own:
            self._own.pop()
        if last[2] == last[1]:
            self._runs.pop()
        self._length -= 1
        return op

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Op:
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("operation index out of range")
        for source, start, stop in self._runs:
            if index < stop - start:
                return source[start + index]
            index -= stop - start
        raise IndexError("operation index out of range")  # pragma: no cover

    def __iter__(self) -> Iterator[Op]:
        for source, start, stop in self._runs:
            for index in range(start, stop):
                yield source[index]


class Replayer:
    """Operations applied to a machine by name, and taken back exactly.

    Names map onto the machine as the module says; `binding(name)` tells what
    a name holds now, `holds_frame(name)` whether that is a frame (the record
    of which names hold frames is kept beside the bindings: every other bound
    name holds a block, or NULL). `step()` applies the trace's next operation;
    `apply(op)` and `run(ops, start, stop)` apply any operations (the window's
    model applies hand actions and trace steps alike through one Replayer).

    With `keep_history` (the window's model) each operation keeps what `back()`
    needs: its event (None if it failed), the old value of the name it bound,
    one reference each, and the operation itself in `log` (an operation of a
    trace costs nothing there). Only the newest allocation keeps its copy of the
    nodes its search passed over (what the views show); older ones forget it.
    Without it (a headless replay, which never steps back) nothing is kept and
    memory stays that of the machine's live state, however long the trace.
    """

    def __init__(
        self,
        trace: Trace | None,
        machine: Machine,
        keep_history: bool = True,
        keep_effects: bool | None = None,
    ) -> None:
        """`keep_effects` (as `keep_history` unless given): note `effects`, which a
        headless pass whose states a player resumes from needs (`Recording`)."""
        self.trace, self.machine = trace, machine
        self.keeps_history = keep_history
        self.position = 0
        """Operations applied and not taken back."""
        self.log: OpLog | None = OpLog() if keep_history else None
        """The operations applied, oldest first (None without history)."""
        keep_effects = keep_history if keep_effects is None else keep_effects
        self.effects: dict[int, int] | None = {} if keep_effects else None
        """What each realloc a session cannot write as it was did (`UNCHANGED`,
        `ALLOCATED`, `REALLOCATED`), by its operation's index: see `session_trace`."""
        self._bindings: dict[str, object] = {}
        self._frame_names: set[str] = set()
        """The names that hold a frame; every other bound name holds a block or NULL."""
        self._frame_owners: dict[int, str] = {}
        self._block_owners: dict[int, str] = {}
        """The name last bound to each frame and block address, with history only: a
        frame or block goes to one name at a time, so the name that holds it now, if
        any, is the last one bound to it (`name_of_frame`, `name_of_block` check)."""
        self._changes: list[tuple[str, object, bool]] = []
        self._events: list[Event | None] = []
        self._saved: list[object] = []
        self._last_search = None
        self._in_batch = False

    @classmethod
    def resumed(
        cls, trace: Trace, state: ReplayState, position: int, effects: dict[int, int]
    ) -> Replayer:
        """A replayer with history at `position` of `trace`, from the machine and names
        kept there (`state`, a checkpoint's): nothing before it can be taken back
        (`kept` is 0), but the log holds the operations before it, so a session saved
        from here still replays to the state now. `effects`: the whole pass's."""
        machine, bindings, frame_names = state
        replayer = cls(trace, machine)
        replayer._bindings, replayer._frame_names = bindings, frame_names
        replayer._frame_owners = {
            number: name for name in frame_names if (number := bindings[name]) is not None
        }
        replayer._block_owners = {
            block.ptr: name
            for name, block in bindings.items()
            if block is not None and name not in frame_names
        }
        replayer.position = position
        replayer.log.add(trace.ops, 0, position)
        replayer.effects = {index: did for index, did in effects.items() if index < position}
        return replayer

    def state(self) -> ReplayState:
        """The machine and what the names hold: all a checkpoint keeps (shared, not
        copied: the caller pickles it at once)."""
        return ReplayState(self.machine, self._bindings, self._frame_names)

    @property
    def kept(self) -> int:
        """How many of the newest operations `back()` can take back."""
        return len(self._events)

    def forget_oldest(self, count: int) -> int:
        """Let go of what `back()` needs for the `count` oldest operations kept: they can
        no longer be taken back (a player goes back from a checkpoint instead). Returns
        how many of them had changed the machine."""
        count = min(count, len(self._events))
        changed = count - self._events[:count].count(None)
        del self._events[:count], self._saved[:count]
        return changed

    @property
    def at_end(self) -> bool:
        return self.trace is None or self.position >= len(self.trace.ops)

    def binding(self, name: str):
        """What a name holds now: a frame number, the block's `Allocation` (`ptr, layout,
        size, padding`), None (NULL), or KeyError if it holds nothing."""
        value = self._bindings.get(name, _UNBOUND)
        if value is _UNBOUND:
            raise KeyError(name)
        return value

    def holds_frame(self, name: str) -> bool:
        """Whether the name holds a frame now."""
        return name in self._frame_names

    def bound(self, name: str) -> bool:
        """Whether the name holds anything (NULL included)."""
        return name in self._bindings

    def name_of_frame(self, number: int) -> str | None:
        """The name that holds frame `number` now; None if none does (it is free, or its
        name was bound again since). Needs `keep_history`."""
        name = self._frame_owners.get(number)
        if name in self._frame_names and self._bindings[name] == number:
            return name
        return None

    def name_of_block(self, ptr: int) -> str | None:
        """The name that holds the live block at `ptr` now; None if none does. Needs
        `keep_history`."""
        name = self._block_owners.get(ptr)
        if name is None or name in self._frame_names:
            return None
        block = self._bindings.get(name)
        return name if block is not None and block.ptr == ptr else None

    def step(self, op: Op | None = None) -> Outcome:
        """Apply the trace's next operation (`op`, when the caller has it already, as a
        narration going through the trace in order does: reading it again costs more)."""
        index = self.position
        if op is None:
            op = self.trace.ops[index]
        outcome = self._run(op)
        if self.log is not None:
            self.log.add(self.trace.ops, index, index + 1)
        return outcome

    def apply(self, op: Op) -> Outcome:
        """Apply any operation, after those applied so far."""
        outcome = self._run(op)
        if self.log is not None:
            self.log.append(op)
        return outcome

    def run(
        self, ops: Sequence[Op], start: int, stop: int, deadline: float | None = None
    ) -> list[Outcome]:
        """Apply `ops[start:stop]` in order; with a `deadline` (a `time.perf_counter()`
        time), stop at the first look at the clock past it, every 16 operations."""
        outcomes: list[Outcome] = []
        add, run = outcomes.append, self._run
        self._in_batch = True
        try:
            if deadline is None:
                for index in range(start, stop):
                    add(run(ops[index]))
            else:
                clock, first = time.perf_counter, start
                while first < stop:
                    upto = min(first + 16, stop)
                    for index in range(first, upto):
                        add(run(ops[index]))
                    first = upto
                    if clock() > deadline:
                        break
        finally:
            self._in_batch = False
            if self.log is not None:
                self.log.add(ops, start, start + len(outcomes))
        return outcomes

    def back(self) -> Event | None:
        """Take back the last operation applied; returns its event if it changed the
        machine (None for a failure, which changed nothing)."""
        if not self.keeps_history:
            raise RuntimeError("this Replayer keeps no history (keep_history=False): no back()")
        event, saved = self._events.pop(), self._saved.pop()
        op = self.log.pop()
        self.position -= 1
        if self.effects:
            self.effects.pop(self.position, None)
        if event is not None:
            self.machine.revert(event)
        if self._last_search is not None and self._last_search is _search_of(event):
            self._last_search = None
        if saved is _UNCHANGED:
            return event
        if type(saved) is not _Renamed:
            saved = ((_bound_name(op), saved, _frame_op(op)),)
        bindings, frame_names = self._bindings, self._frame_names
        for name, value, frame in reversed(saved):
            if value is _UNBOUND:
                del bindings[name]
                frame = False  # holds nothing, so no frame
            else:
                bindings[name] = value
                if value is not None:
                    self._own(name, value, frame)
            if frame:
                frame_names.add(name)
            elif frame_names:
                frame_names.discard(name)
        return event

    def _run(self, op: Op | OpRow) -> Outcome:
        """Apply one operation: what its name holds picks how (`_HANDLERS`), unless the
        name is of the other layer. A headless replay calls this alone, operation
        after operation, with `OpRow`s (which read as `Op`s)."""
        keeps_history = self.keeps_history
        name, kind = op.name, op.kind
        if keeps_history:  # only then does `_bind` note changes
            self._changes.clear()
            if self._last_search is not None and (kind in _SEARCHING or self._in_batch):
                # A newer search is coming, or (many operations at once) the pictures
                # will show the batch's end, not this search: nobody reads its nodes
                # again, and holding them would have the heap copy them (0.3 ms each).
                self._last_search.forget_visits()
        bound = _UNBOUND if name == NULL else self._bindings.get(name, _UNBOUND)
        try:
            if (
                bound is _UNBOUND
                or bound is None
                or kind == MALLOC
                or (name in self._frame_names) == (kind in FRAME_KINDS)
            ):
                outcome = self._HANDLERS[kind](self, op, bound)
            else:
                outcome = self._wrong_layer(op)
        except OrbitaError as error:  # refused before anything changed
            outcome = Outcome(None, f"{_at(op)}{error}")
        if keeps_history:
            self._keep(op, outcome.event)
        self.position += 1
        return outcome

    def _keep(self, op: Op, event: Event | None) -> None:
        """Keep what `back()` needs of the operation just applied, as cheaply as it goes."""
        changes = self._changes
        if not changes:
            saved = _UNCHANGED
        elif (
            len(changes) == 1
            and changes[0][0] == _bound_name(op)
            and (changes[0][1] is _UNBOUND or changes[0][2] == _frame_op(op))
        ):
            saved = changes[0][1]
        else:
            saved = _Renamed(changes)
        if event is not None and event.failed:
            search = _search_of(event)
            if self._in_batch and search is not None:
                # A failure among many: nobody shows its search, and the heap would copy
                # the nodes it passed over (its event lives on in the batch's outcomes).
                search.forget_visits()
            event = None  # it changed nothing: nothing to take back
        self._events.append(event)
        self._saved.append(saved)
        search = _search_of(event)
        if search is not None:
            self._last_search = search

    def _bind(self, name: str, value: object, frame: bool = False) -> None:
        frame_names = self._frame_names
        old_frame = name in frame_names if frame_names else False
        keeps_history = self.keeps_history
        if keeps_history:  # what back() needs; a headless replay never steps back
            self._changes.append((name, self._bindings.get(name, _UNBOUND), old_frame))
        if value is _UNBOUND:
            self._bindings.pop(name, None)
        else:
            self._bindings[name] = value
            if value is not None and keeps_history:
                self._own(name, value, frame)
        if frame:
            frame_names.add(name)
        elif old_frame:
            frame_names.discard(name)

    def _own(self, name: str, value, frame: bool) -> None:
        """Remember that `name` holds this frame number or block (for `name_of_*`)."""
        if frame:
            self._frame_owners[value] = name
        else:
            self._block_owners[value.ptr] = name

    def _wrong_layer(self, op: Op) -> Outcome:
        """A frame's name given to the heap, or a block's to the frame allocator."""
        if op.kind == REALLOC and self.effects is not None:
            self.effects[self.position] = UNCHANGED
        what = "a frame" if op.name in self._frame_names else "a heap block"
        return Outcome(None, f"{_at(op)}{op.kind} {op.name}: {op.name} is {what}")

    def _allocate_frame(self, op: Op, bound) -> Outcome:
        event = self.machine.frames.allocate_frame_event()
        return self._bind_frames(op, event)

    def _allocate_frames(self, op: Op, bound) -> Outcome:
        """`op.size` contiguous frames: a block, named by its first frame (a frame
        allocator that hands out one frame at a time refuses, changing nothing)."""
        return self._bind_frames(op, self.machine.allocate_frames_event(op.size))

    def _bind_frames(self, op: Op, event: Event) -> Outcome:
        taken = event.frames_taken
        self._bind(op.name, taken[0] if taken else None, frame=True)
        return _result(op, event)

    def _reallocate(self, op: Op, bound) -> Outcome:
        if bound is _UNBOUND or bound is None:  # realloc of NULL allocates
            outcome, effect = self._allocate(op), ALLOCATED
        else:
            outcome = self._realloc(op, bound)
            effect = UNCHANGED if outcome.null else REALLOCATED
        if self.effects is not None and (
            op.align != 8 or not op.name or _bound_name(op) != op.name or outcome.null
        ):
            self.effects[self.position] = effect  # a session cannot write it as a realloc
        return outcome

    def _free(self, op: Op, bound) -> Outcome:
        if bound is _UNBOUND or bound is None:
            return _free_nothing(op, bound)
        if op.kind == FREE_FRAME:
            event = self.machine.free_frame_event(Frame.from_number(bound))
        else:
            event = self.machine.heap.deallocate_event(bound.ptr, bound.layout)
        self._bind(op.name, _UNBOUND)
        return Outcome(event)

    def _allocate(self, op: Op, bound=None) -> Outcome:
        """malloc (whatever the name held, `bound`), or realloc of NULL; too large a size
        returns NULL like out of memory."""
        name = _bound_name(op)
        try:
            event = self.machine.heap.allocate_event(_layout(op.size, op.align))
        except LayoutError as error:
            self._bind(name, None)
            return _too_large(op, error)
        self._bind(name, event.block)
        return _result(op, event)

    def _realloc(self, op: Op, old) -> Outcome:
        """realloc of a live block; when it fails (NULL) the old block stays, as in C."""
        try:
            event = self.machine.heap.realloc_event(old.ptr, old.layout, op.size)
        except LayoutError as error:
            return _too_large(op, error)
        if event.failed:
            return _OutOfMemory(op, event)
        new_name = _bound_name(op)
        if new_name != op.name:
            self._bind(op.name, _UNBOUND)
        self._bind(new_name, event.blocks_made[0])
        return Outcome(event)

    _HANDLERS: ClassVar[dict[str, Callable[[Replayer, Op, object], Outcome]]] = {
        ALLOC_FRAME: _allocate_frame,
        ALLOC_FRAMES: _allocate_frames,
        FREE_FRAME: _free,
        MALLOC: _allocate,
        FREE: _free,
        REALLOC: _reallocate,
    }
    """What applies each kind of operation, given what its name holds (`_UNBOUND` if
    nothing): one look-up instead of a chain of tests."""

    def session(self, source: str = "session") -> Trace:
        """The operations applied, as a trace that replays to the machine as it is now
        on a fresh machine of its header (needs `keep_history`)."""
        return session_trace(self.machine, self.log, self.effects, source)


def _result(op: Op, event: Event) -> Outcome:
    return _OutOfMemory(op, event) if event.failed else Outcome(event)


def _free_nothing(op: Op, bound) -> Outcome:
    """A free of a name that holds nothing: of NULL, or of a name whose allocation
    failed, it does nothing; else it is a double or wild free."""
    if op.name == NULL or bound is None:
        return Outcome(None)
    what = "frame" if op.kind == FREE_FRAME else "block"
    return Outcome(
        None,
        f"{_at(op)}{op.kind} {op.name}: no {what} is "
        f"allocated under that name (double or wild free)",
    )


def _too_large(op: Op, error: LayoutError) -> NullOutcome:
    return NullOutcome(
        None, f"{_at(op)}{op.kind} {op.name} {op.size:,} -> null: too large ({error})"
    )


def _search_of(event: Event | None):
    """The heap search an event made, if any (a realloc's is its allocation's)."""
    return None if event is None else event.search


def machine_for(trace: Trace, heap_size: int | None = None) -> Machine:
    """A machine of the size the trace asks for (`heap_size` instead of its heap's, if
    given); room enough where it does not say."""
    heap_size = trace.heap_size if heap_size is None else heap_size
    sizes = machine_sizes(trace.memory_size, trace.heap_start, heap_size)
    return Machine(
        *sizes,
        heap=trace.heap_kind or "guide",
        heap_params=dict(trace.heap_params),
        frames=trace.frames_kind or "bitmap",
    )

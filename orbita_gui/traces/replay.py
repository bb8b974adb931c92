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

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import ClassVar

import numpy as np

from ..core.addresses import Frame
from ..core.errors import LayoutError, OrbitaError
from ..core.events import Event
from ..core.layout import Layout
from ..core.machine import Machine, machine_sizes
from ..core.units import plural
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
    rows,
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

    def __init__(self, trace: Trace | None, machine: Machine, keep_history: bool = True) -> None:
        self.trace, self.machine = trace, machine
        self.keeps_history = keep_history
        self.position = 0
        """Operations applied and not taken back."""
        self.log: OpLog | None = OpLog() if keep_history else None
        """The operations applied, oldest first (None without history)."""
        self.effects: dict[int, int] = {}
        """What each realloc a session cannot write as it was did (`UNCHANGED`,
        `ALLOCATED`, `REALLOCATED`), by its index in `log`: see `session_trace`."""
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
        if op.kind == REALLOC and self.keeps_history:
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
        if self.keeps_history and (
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


STAT_COLUMNS = (
    "heap_allocated",
    "heap_free",
    "heap_lost",
    "free_list_length",
    "external_fragmentation",
    "frames_used",
    "failed_allocations",
    "footprint",
    "search_cost",
)
"""The statistics recorded after each operation; `failed_allocations` counts the
allocations that returned NULL so far (the plots mark where it goes up); `footprint`
is the heap's high-water mark so far (its highest byte handed out, from its start);
`search_cost` the free-list nodes the operation's search visited (0 if none)."""

FAILURES_LISTED = 20
"""A report keeps the messages of this many failures, the first ones; it counts them all."""


@dataclass(frozen=True)
class ReplayReport:
    """A whole run, in the malloc lab's terms, and per operation if it was recorded.

    `failed_allocations` counts the allocations that returned NULL: out of memory, or a
    size too large for the address space. `kinds` counts the operations by kind;
    `failure_messages` are the first `FAILURES_LISTED` failures, with their lines.
    """

    operations: int
    failed_allocations: int
    invalid_frees: int
    peak_payload: int
    footprint: int
    free_list_length: int
    fragmentation: float
    seconds: float
    series: dict[str, np.ndarray] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    failure_messages: tuple[str, ...] = ()

    @property
    def failures(self) -> int:
        return self.failed_allocations + self.invalid_frees

    @property
    def utilization(self) -> float:
        """Peak live payload over the heap's high-water footprint (the lab's measure)."""
        return self.peak_payload / self.footprint if self.footprint else 0.0

    @property
    def ops_per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return "\n".join(
            [
                f"operations          {self.operations:,}",
                f"failures            {self.failures:,} "
                f"({plural(self.failed_allocations, 'failed allocation')}: out of memory or "
                f"too large; {plural(self.invalid_frees, 'invalid free')})",
                f"peak live payload   {self.peak_payload:,} bytes",
                f"heap footprint      {self.footprint:,} bytes (highest byte handed out)",
                f"utilization         {self.utilization:.1%}",
                f"fragmentation       {self.fragmentation:.1%} at the end",
                f"free-list length    {self.free_list_length:,} at the end",
                f"speed               {self.ops_per_second:,.0f} operations a second",
            ]
        )

    def details(self) -> str:
        """The operations by kind, and the failures listed with their lines."""
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(self.kinds.items()))
        lines = [f"operations by kind  {kinds}"]
        lines += [f"  failed: {failure}" for failure in self.failure_messages]
        if self.failures > len(self.failure_messages):
            lines.append(f"  ... and {self.failures - len(self.failure_messages):,} more failures")
        return "\n".join(lines)


PROGRESS_EVERY = 2000
"""Operations between two calls of a replay's progress callback."""


class _Tally:
    """What a replay counts as it goes, one operation at a time."""

    def __init__(self, heap) -> None:
        self.heap = heap
        self.kinds: Counter[str] = Counter()
        self.messages: list[str] = []
        self.null = self.invalid = self.peak_payload = self.high_water = 0

    def run(
        self,
        step: Callable[[Op | OpRow], Outcome],
        ops: Iterable[Op | OpRow],
        after: Callable[[Event | None], object] | None = None,
    ) -> None:
        """Apply the operations by `step` and count them; `after(event)` after each, if
        given.

        The loop of a replay, with its counts in local names (a replay runs some
        hundred thousand operations a second, and every look-up shows): a failure's
        message is only read while the report still lists them. It holds no event
        past its operation: the heap copies the nodes a search passed over before it
        changes them only while someone may still read them (its event is alive).
        """
        kinds, heap = self.kinds, self.heap
        high_water, peak_payload = self.high_water, self.peak_payload
        for op in ops:
            outcome = step(op)
            kinds[op.kind] += 1
            event = outcome.event
            if outcome.null or outcome.failure:
                self._failed(outcome)
            elif event is not None:
                for block in event.blocks_made:  # whether the heap searched or not
                    end = block.end  # a header is in front of ptr: not ptr + size
                    if end > high_water:
                        high_water = end
                    requested = heap.requested
                    if requested > peak_payload:
                        peak_payload = requested
            if after is not None:
                after(event)
            outcome = event = block = None  # let go of the event: see the docstring
        self.high_water, self.peak_payload = high_water, peak_payload

    def _failed(self, outcome: Outcome) -> None:
        if outcome.null:
            self.null += 1
        else:
            self.invalid += 1
        if len(self.messages) < FAILURES_LISTED:
            self.messages.append(outcome.failure)


def replay(
    trace: Trace,
    machine: Machine,
    record: bool = False,
    progress: Callable[[int, int], object] | None = None,
    watch: Callable[[Op | OpRow, Outcome], object] | None = None,
) -> ReplayReport:
    """Run the whole trace once, keeping no history; with `record`, also the statistics
    after every operation (numpy columns as long as the trace).

    `progress(done, total)` is called every `PROGRESS_EVERY` operations; when it
    returns False the replay stops there (the report covers what ran). `watch(op,
    outcome)`, if given, sees each operation as it is applied, for measures beyond the
    report's from the same pass (`compare`); it must not keep the event.
    """
    replayer, heap = Replayer(trace, machine, keep_history=False), machine.heap
    ops, count = rows(trace.ops), len(trace.ops)
    series = {name: np.zeros(count) for name in STAT_COLUMNS} if record else {}
    tally = _Tally(heap)
    after = (
        (lambda event: _record(series, replayer.position - 1, machine, tally, event))
        if record
        else None
    )
    step = replayer._run if watch is None else _watched(replayer._run, watch)
    start = time.perf_counter()
    with collector_resting():
        for first in range(0, count, PROGRESS_EVERY):
            tally.run(step, islice(ops, PROGRESS_EVERY), after)
            done = min(first + PROGRESS_EVERY, count)
            if progress and done % PROGRESS_EVERY == 0 and progress(done, count) is False:
                count = done
                series = {name: column[:count] for name, column in series.items()}
                break
    seconds = time.perf_counter() - start
    stats = heap.stats()
    return ReplayReport(
        operations=count,
        failed_allocations=tally.null,
        invalid_frees=tally.invalid,
        peak_payload=tally.peak_payload,
        footprint=tally.high_water - heap.heap_start if tally.high_water else 0,
        free_list_length=stats.free_regions,
        fragmentation=stats.external_fragmentation,
        seconds=seconds,
        series=series,
        kinds=dict(tally.kinds),
        failure_messages=tuple(tally.messages),
    )


def _watched(
    run: Callable[[Op | OpRow], Outcome], watch: Callable[[Op | OpRow, Outcome], object]
) -> Callable[[Op | OpRow], Outcome]:
    """`run`, each outcome shown to `watch` on its way out."""

    def step(op: Op | OpRow) -> Outcome:
        outcome = run(op)
        watch(op, outcome)
        return outcome

    return step


@contextmanager
def collector_resting() -> Iterator[None]:
    """Python's cycle collector off for a replay, then back as it was.

    Operations make no reference cycles, yet each makes objects the collector
    tracks, and it would scan them (in the window's player, the whole growing
    history, again and again: a third of the time of a long replay).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record(
    series: dict[str, np.ndarray], index: int, machine: Machine, tally: _Tally, event
) -> None:
    stats, heap = machine.heap.stats(), machine.heap
    series["heap_allocated"][index] = stats.allocated
    series["heap_free"][index] = stats.free
    series["heap_lost"][index] = stats.lost
    series["free_list_length"][index] = stats.free_regions
    series["external_fragmentation"][index] = stats.external_fragmentation
    series["frames_used"][index] = machine.frames.used_frames
    series["failed_allocations"][index] = tally.null
    footprint = series["footprint"][index - 1] if index else 0
    if event is not None:
        for block in event.blocks_made:
            footprint = max(footprint, block.end - heap.heap_start)
        search = event.search or event  # a heap without a search picture counts its own
        series["search_cost"][index] = getattr(search, "visited", 0)
    series["footprint"][index] = footprint

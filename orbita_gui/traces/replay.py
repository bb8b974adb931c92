"""Replaying a trace on a machine: forwards one operation at a time, and back exactly.

Names map onto the machine: `alloc-frame f1` binds `f1` to the frame handed
out, `malloc a 24` binds `a` to its block, `realloc` is `GlobalAlloc`'s
default (allocate new, copy, free old; of a name that is not live, an
allocation, as C's realloc of NULL). A request the machine refuses (out of
memory, a free of a name that is not allocated) is a failure and changes
nothing. A name whose allocation failed holds NULL, as the C program's
pointer would: freeing it does nothing.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..core.addresses import Frame
from ..core.errors import OrbitaError
from ..core.events import Event
from ..core.heap import HEAP_SIZE, HEAP_START
from ..core.layout import Layout
from ..core.machine import Machine
from .trace import ALLOC_FRAME, FREE, FREE_FRAME, MALLOC, NULL, Op, Trace

_UNBOUND = object()


class Outcome(NamedTuple):
    """What one operation did: its event (None if there was none) and, if it failed, why."""

    event: Event | None
    failure: str | None = None


class Replayer:
    """A trace and a machine, and how far along the trace the machine is."""

    def __init__(self, trace: Trace, machine: Machine) -> None:
        self.trace, self.machine = trace, machine
        self.position = 0
        self._bindings: dict[str, object] = {}
        self._applied: list[tuple[Event | None, list[tuple[str, object]]]] = []

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.trace.ops)

    def binding(self, name: str):
        """What a name holds now: a frame number, `(ptr, layout)`, None (NULL), or
        KeyError if it holds nothing."""
        value = self._bindings.get(name, _UNBOUND)
        if value is _UNBOUND:
            raise KeyError(name)
        return value

    def step(self) -> Outcome:
        """Apply the next operation."""
        op = self.trace.ops[self.position]
        saved: list[tuple[str, object]] = []
        try:
            outcome = self._apply(op, saved)
        except OrbitaError as error:  # refused before anything changed
            outcome = Outcome(None, f"line {op.line}: {error}")
        self._applied.append((outcome.event, saved))
        self.position += 1
        return outcome

    def back(self) -> Event | None:
        """Take back the last operation applied; returns its event, if it had one."""
        event, saved = self._applied.pop()
        if event is not None and not event.failed:
            self.machine.revert(event)
        for name, value in reversed(saved):
            if value is _UNBOUND:
                del self._bindings[name]
            else:
                self._bindings[name] = value
        self.position -= 1
        return event

    def _bind(self, saved: list, name: str, value: object) -> None:
        saved.append((name, self._bindings.get(name, _UNBOUND)))
        if value is _UNBOUND:
            self._bindings.pop(name, None)
        else:
            self._bindings[name] = value

    def _apply(self, op: Op, saved: list) -> Outcome:
        machine, heap = self.machine, self.machine.heap
        bound = _UNBOUND if op.name == NULL else self._bindings.get(op.name, _UNBOUND)
        if bound is not _UNBOUND and bound is not None and op.kind != MALLOC:
            holds_frame = isinstance(bound, int)
            if holds_frame != (op.kind in (ALLOC_FRAME, FREE_FRAME)):
                what = "a frame" if holds_frame else "a heap block"
                return Outcome(None, f"line {op.line}: {op.kind} {op.name}: {op.name} is {what}")
        if op.kind == ALLOC_FRAME:
            event = machine.frames.allocate_frame_event()
            self._bind(saved, op.name, event.frame_number)
            return self._result(op, event)
        if op.kind in (FREE_FRAME, FREE):
            if op.name == NULL or bound is None:
                return Outcome(None)  # free(NULL), or a name whose allocation failed
            if bound is _UNBOUND:
                what = "frame" if op.kind == FREE_FRAME else "block"
                return Outcome(
                    None,
                    f"line {op.line}: {op.kind} {op.name}: no {what} is "
                    f"allocated under that name (double or wild free)",
                )
            if op.kind == FREE_FRAME:
                event = machine.free_frame_event(Frame.from_number(bound))
            else:
                event = heap.deallocate_event(*bound)
            self._bind(saved, op.name, _UNBOUND)
            return Outcome(event)
        new_name = op.new_name if op.new_name is not None else op.name
        if op.kind == MALLOC or bound is _UNBOUND or bound is None:  # realloc of NULL allocates
            layout = Layout(op.size, op.align)
            event = heap.allocate_event(layout)
            self._bind(saved, new_name, None if event.failed else (event.ptr, layout))
            return self._result(op, event)
        ptr, layout = bound
        event = heap.realloc_event(ptr, layout, op.size)
        if not event.failed:
            if new_name != op.name:
                self._bind(saved, op.name, _UNBOUND)
            self._bind(saved, new_name, (event.new_ptr, Layout(op.size, layout.align)))
        return self._result(op, event)

    @staticmethod
    def _result(op: Op, event: Event) -> Outcome:
        return Outcome(event, f"line {op.line}: {event.describe()}" if event.failed else None)


def machine_for(trace: Trace, heap_size: int | None = None) -> Machine:
    """A machine of the size the trace asks for; room enough where it does not say."""
    heap = heap_size or trace.heap_size or HEAP_SIZE
    memory = trace.memory_size or max(1 << 30, -(-(heap + (1 << 20)) // (1 << 20)) << 20)
    return Machine(memory, trace.heap_start or HEAP_START, heap)


STAT_COLUMNS = (
    "heap_allocated",
    "heap_free",
    "heap_lost",
    "free_list_length",
    "external_fragmentation",
    "frames_used",
)


@dataclass(frozen=True)
class ReplayReport:
    """A whole run, in the malloc lab's terms, and per operation if it was recorded."""

    operations: int
    out_of_memory: int
    invalid_frees: int
    peak_payload: int
    footprint: int
    free_list_length: int
    fragmentation: float
    seconds: float
    series: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return self.out_of_memory + self.invalid_frees

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
                f"failures            {self.failures:,} ({self.out_of_memory:,} out of memory, "
                f"{self.invalid_frees:,} invalid frees)",
                f"peak live payload   {self.peak_payload:,} bytes",
                f"heap footprint      {self.footprint:,} bytes (highest byte handed out)",
                f"utilization         {self.utilization:.1%}",
                f"fragmentation       {self.fragmentation:.1%} at the end",
                f"free-list length    {self.free_list_length:,} at the end",
                f"speed               {self.ops_per_second:,.0f} operations a second",
            ]
        )


PROGRESS_EVERY = 2000
"""Operations between two calls of a replay's progress callback."""


def replay(trace: Trace, machine: Machine, record: bool = False, progress=None) -> ReplayReport:
    """Run the whole trace; with `record`, also the statistics after every operation.

    `progress(done, total)` is called every `PROGRESS_EVERY` operations; when it
    returns False the replay stops there (the report covers what ran).
    """
    replayer, heap = Replayer(trace, machine), machine.heap
    count = len(trace.ops)
    series = {name: np.zeros(count) for name in STAT_COLUMNS} if record else {}
    oom = invalid = peak_payload = high_water = 0
    start = time.perf_counter()
    with collector_resting():
        for index in range(count):
            outcome = replayer.step()
            event = outcome.event
            if outcome.failure:
                if event is None:
                    invalid += 1
                else:
                    oom += 1
            elif event is not None:
                allocation = getattr(event, "allocation", event)
                if getattr(allocation, "chosen", None) is not None:
                    high_water = max(high_water, allocation.ptr + allocation.size)
                    peak_payload = max(peak_payload, heap.requested)
            if record:
                _record(series, index, machine)
            at_checkpoint = index % PROGRESS_EVERY == PROGRESS_EVERY - 1
            if progress and at_checkpoint and progress(index + 1, count) is False:
                count = index + 1
                series = {name: column[:count] for name, column in series.items()}
                break
    seconds = time.perf_counter() - start
    stats = heap.stats()
    return ReplayReport(
        operations=count,
        out_of_memory=oom,
        invalid_frees=invalid,
        peak_payload=peak_payload,
        footprint=high_water - heap.heap_start if high_water else 0,
        free_list_length=stats.free_regions,
        fragmentation=stats.external_fragmentation,
        seconds=seconds,
        series=series,
    )


@contextmanager
def collector_resting() -> Iterator[None]:
    """Python's cycle collector off for a replay, then back as it was.

    A replay keeps every event for stepping back, and the collector would
    rescan that growing history again and again (a third of the time of a
    long replay) though operations make no cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record(series: dict[str, np.ndarray], index: int, machine: Machine) -> None:
    stats = machine.heap.stats()
    series["heap_allocated"][index] = stats.allocated
    series["heap_free"][index] = stats.free
    series["heap_lost"][index] = stats.lost
    series["free_list_length"][index] = stats.free_regions
    series["external_fragmentation"][index] = stats.external_fragmentation
    series["frames_used"][index] = machine.frames.used_frames

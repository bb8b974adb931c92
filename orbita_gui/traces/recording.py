"""One pass over a trace, headless: its report in the malloc lab's terms, the statistics
after every operation, the heap blocks' lifetimes and the machine's state kept at
intervals, all from the same pass.

A `Recording` runs the pass in slices (the window's player advances it between
screen frames, so that a trace plays at once while its plots fill in); `replay`
runs it to the end at once (the command line). The report, the plots and the
checkpoints the player jumps from therefore never need a second replay.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from ..core.events import Event
from ..core.machine import Machine
from ..core.units import plural
from .checkpoints import Checkpoint, Checkpoints
from .collector import collector_resting
from .lifetimes import Lifetimes
from .replay import Outcome, Replayer, machine_for
from .trace import Op, OpRow, Trace, rows

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


SLICE = 512
"""Operations between two looks at the clock (a few milliseconds)."""


class Recording:
    """The headless pass over a trace, advanced a slice at a time.

    `series` holds the statistics after each operation (numpy columns as long as
    the trace, filled up to `done`), `lifetimes` the heap blocks' lifetimes,
    `checkpoints`, if given, the machine's state as often as they ask (from which
    `Replayer.resumed` goes on). `watch(op, outcome)`, if given, sees each
    operation as it is applied, for measures beyond the report's from the same
    pass (`compare`); it must not keep the event.
    """

    def __init__(
        self,
        trace: Trace,
        machine: Machine | None = None,
        *,
        record: bool = True,
        checkpoints: Checkpoints | None = None,
        watch: Callable[[Op | OpRow, Outcome], object] | None = None,
    ) -> None:
        self.trace = trace
        self.machine: Machine | None = machine_for(trace) if machine is None else machine
        """The pass's own machine, until it is over."""
        self.length = len(trace.ops)
        self.done = 0
        """Operations replayed so far."""
        self.seconds = 0.0
        """Time spent replaying so far."""
        self.series = {name: np.zeros(self.length) for name in STAT_COLUMNS} if record else {}
        self.lifetimes = Lifetimes() if record else None
        self.checkpoints = checkpoints
        self._replayer = Replayer(trace, self.machine, keep_history=False, keep_effects=True)
        self.effects: dict[int, int] = self._replayer.effects
        """What the reallocs a session cannot write as they were did, by operation."""
        self._report: ReplayReport | None = None
        self._rows = rows(trace.ops)
        self._tally = _Tally(self.machine.heap)
        self._step = self._replayer._run if watch is None else _watched(self._replayer._run, watch)
        self._after = self._recorder() if record else None
        if self.checkpoints is not None:
            self.checkpoints.keep(0, self._replayer)

    @property
    def finished(self) -> bool:
        return self.done >= self.length

    def advance(self, until: int | None = None, deadline: float | None = None) -> int:
        """Replay on to operation `until` (the end if None), or until the clock
        (`time.perf_counter()`) passes `deadline`, looked at every `SLICE` operations.
        Returns the operations done."""
        stop = self.length if until is None else min(until, self.length)
        checkpoints, clock = self.checkpoints, time.perf_counter
        started = clock()
        with collector_resting():
            while self.done < stop:
                upto = min(stop, self.done + SLICE)
                if checkpoints is not None:
                    upto = min(upto, checkpoints.next_due())
                slice_started = clock()
                self._tally.run(self._step, islice(self._rows, upto - self.done), self._after)
                self.done = upto
                now = clock()
                if checkpoints is not None and checkpoints.due(upto, now - slice_started):
                    checkpoints.keep(upto, self._replayer)
                if deadline is not None and now > deadline:
                    break
        self.seconds += clock() - started
        if self.finished and self._report is None:
            self._let_go()
        return self.done

    def _let_go(self) -> None:
        """The pass is over: keep its report, and let go of its machine (the window's
        is the one shown; two of a big trace's would double its memory)."""
        self._report = self.report()
        self.machine = self._replayer = self._tally = self._step = self._after = None

    def checkpoint_before(self, position: int) -> Checkpoint | None:
        """The latest state kept at or before `position`, if any is kept."""
        return self.checkpoints.before(position) if self.checkpoints is not None else None

    def report(self) -> ReplayReport:
        """The report of the operations replayed so far."""
        if self._report is not None:
            return self._report
        tally, heap, done = self._tally, self.machine.heap, self.done
        stats = heap.stats()
        series = self.series
        if done < self.length:
            series = {name: column[:done] for name, column in series.items()}
        return ReplayReport(
            operations=done,
            failed_allocations=tally.null,
            invalid_frees=tally.invalid,
            peak_payload=tally.peak_payload,
            footprint=tally.high_water - heap.heap_start if tally.high_water else 0,
            free_list_length=stats.free_regions,
            fragmentation=stats.external_fragmentation,
            seconds=self.seconds,
            series=series,
            kinds=dict(tally.kinds),
            failure_messages=tuple(tally.messages),
        )

    def _recorder(self) -> Callable[[Event | None], None]:
        """What runs after each operation: its statistics and its blocks' lifetimes."""
        series, machine, tally, replayer = self.series, self.machine, self._tally, self._replayer
        observe = self.lifetimes.observe

        def after(event: Event | None) -> None:
            index = replayer.position - 1
            _record(series, index, machine, tally, event)
            observe(index, event)

        return after


def replay(
    trace: Trace,
    machine: Machine,
    record: bool = False,
    progress: Callable[[int, int], object] | None = None,
    watch: Callable[[Op | OpRow, Outcome], object] | None = None,
) -> ReplayReport:
    """Run the whole trace once, keeping no history; with `record`, also the statistics
    after every operation. `progress(done, total)` is called every `PROGRESS_EVERY`
    operations; when it returns False the replay stops there (the report covers what
    ran). `watch`: as `Recording`'s."""
    recording = Recording(trace, machine, record=record, watch=watch)
    while not recording.finished:
        done = recording.advance(recording.done + PROGRESS_EVERY)
        if progress and done % PROGRESS_EVERY == 0 and progress(done, recording.length) is False:
            break
    return recording.report()


def _watched(
    run: Callable[[Op | OpRow], Outcome], watch: Callable[[Op | OpRow, Outcome], object]
) -> Callable[[Op | OpRow], Outcome]:
    """`run`, each outcome shown to `watch` on its way out."""

    def step(op: Op | OpRow) -> Outcome:
        outcome = run(op)
        watch(op, outcome)
        return outcome

    return step


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

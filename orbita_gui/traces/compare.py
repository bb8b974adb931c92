"""Two to four heap allocators on one trace, side by side, in the malloc lab's terms.

Each allocator replays the trace once, through `replay`: its report gives the
lab's figures (utilization, footprint, failures, speed) and a watch on the same
pass adds what the report does not count: the free-list nodes each search
visited, the bytes blocks were given beyond those asked at the peak of live
payload, and each operation's answer. The first allocator's answers are kept, one
number an operation, so that the others' passes find the first operation where
an allocator answered differently (another address, or a failure where another
succeeded), which the window can jump to.
"""

from __future__ import annotations

import csv
import dataclasses
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import registry
from ..core.errors import InvalidParameterError, cut
from .narration import op_text
from .recording import ReplayReport, replay
from .replay import Outcome, machine_for
from .trace import MALLOC, REALLOC, Op, OpRow, Trace

FEWEST_HEAPS, MOST_HEAPS = 2, 4
"""How many allocators a comparison takes."""
SHORTHAND_KIND = "free-list"
"""The allocator a heap spec of parameters alone, `best,addrsort`, stands for."""


@dataclass(frozen=True)
class HeapSpec:
    """A heap allocator as the user wrote it (`text`, the column's title): its kind
    and the parameters the text sets, the rest at the kind's defaults."""

    text: str
    kind: str
    params: tuple[tuple[str, object], ...] = ()


def parse_heap_spec(text: str) -> HeapSpec:
    """`guide`, `free-list:fit=best,coalesce=yes`, or the shorthand `best,addrsort,
    coalesce`: comma-separated words, each an allocator's name (at most one; none
    means `SHORTHAND_KIND`), `name=value`, a flag's name (set to yes), or one of
    exactly one parameter's choices. `InvalidParameterError` names the word at
    fault and what would do."""
    heaps = registry.kinds(registry.HEAP)
    named, colon, rest = text.partition(":")
    words = rest.split(",") if colon else text.split(",")
    kinds_named = ([named] if colon else []) + [word for word in words if word in heaps]
    if len(kinds_named) > 1:
        raise InvalidParameterError(
            f"{len(kinds_named)} allocators named ({', '.join(kinds_named)}): one only"
        )
    name = kinds_named[0] if kinds_named else SHORTHAND_KIND
    kind = registry.kind(name)  # refuses an unknown name after a colon
    if kind.layer != registry.HEAP:
        raise InvalidParameterError(f"{name!r} is a frame allocator, not a heap allocator")
    params: dict[str, object] = {}
    for word in words:
        if word == name:
            continue
        key, value = _setting(kind, word)
        if key in params:
            raise InvalidParameterError(
                f"{word!r} sets {key} again (to {kind.param(key).format(params[key])} already)"
            )
        params[key] = value
    registry.create(name, **params)  # refuses parameters that do not go together
    return HeapSpec(text, name, tuple(params.items()))


def on_heap(trace: Trace, spec: HeapSpec) -> Trace:
    """The trace with the spec's heap allocator in place of its own."""
    return dataclasses.replace(trace, heap_kind=spec.kind, heap_params=spec.params)


def _setting(kind: registry.Kind, word: str) -> tuple[str, object]:
    """The parameter one word of a heap spec sets, and to what."""
    if not word:
        raise InvalidParameterError("an empty word between commas")
    key, equals, value = word.partition("=")
    key = key.replace("-", "_")
    if equals:
        return key, kind.param(key).parse(value)
    flags = [p.name for p in kind.params if isinstance(p.default, bool)]
    if key in flags:
        return key, True
    owners = [p.name for p in kind.params if p.choices and word in p.choices]
    if len(owners) == 1:
        return owners[0], word
    if owners:
        ways = " or ".join(f"{owner}={word}" for owner in owners)
        raise InvalidParameterError(f"{word!r} is a choice of {', '.join(owners)}: write {ways}")
    if word in registry.kinds():
        raise InvalidParameterError(f"{word!r} is a frame allocator, not a heap allocator")
    choices = "; ".join(
        f"{p.name} {', '.join(p.choices)}"
        for p in kind.params
        if p.choices and not isinstance(p.default, bool)
    )
    raise InvalidParameterError(
        f"{cut(word)!r} is neither an allocator ({', '.join(registry.kinds(registry.HEAP))}) "
        f"nor a setting of {kind.name} ({choices}; flags {', '.join(flags)}; or name=value)"
    )


FAILED, DONE = 0, 1
"""An operation's answer when it failed, and when it succeeded without making a
block; an allocation's answer is its block's address (a heap never starts below 8)."""


class _Watch:
    """What a comparison measures of one pass beyond the report, an operation at a time."""

    def __init__(self, heap, count: int, reference: array | None) -> None:
        self.heap = heap
        self.reference = reference
        """The first allocator's answers, for the others' passes (None: this is it)."""
        self.answers = array("Q", bytes(8 * count)) if reference is None else None
        self.index = 0
        self.answer_there = FAILED
        """What this allocator answered where it first differed from the first one."""
        self.differences = array("Q")
        """Every operation where this allocator answered otherwise than the first."""
        self.searches = self.visited = self.longest = 0
        self.internal = self.internal_at_peak = self.peak = 0

    def __call__(self, op: Op | OpRow, outcome: Outcome) -> None:
        event, answer = outcome.event, FAILED
        if not (outcome.null or outcome.failure):
            answer = DONE
            if event is not None:
                answer = self._measure(event)
        elif event is not None:
            self._count_search(event.search or event)  # a failed search costs as much
        index = self.index
        if self.answers is not None:
            self.answers[index] = answer
        elif answer != self.reference[index]:
            if not self.differences:
                self.answer_there = answer
            self.differences.append(index)
        self.index = index + 1

    @property
    def differs_at(self) -> int | None:
        """The first operation where this allocator answered otherwise, if any."""
        return self.differences[0] if self.differences else None

    def _measure(self, event) -> int:
        """Count what a successful operation did; its answer."""
        self._count_search(event.search or event)
        made, freed = event.blocks_made, event.blocks_freed
        for block in freed:
            self.internal -= block.size + block.padding - block.layout.size
        if not made:
            return DONE
        for block in made:
            self.internal += block.size + block.padding - block.layout.size
        requested = self.heap.requested
        if requested > self.peak:
            self.peak, self.internal_at_peak = requested, self.internal
        return made[0].ptr

    def column(self, spec: HeapSpec, report: ReplayReport) -> Column:
        searches = self.searches
        return Column(
            spec,
            report,
            self.visited / searches if searches else None,
            self.longest if searches else None,
            self.internal_at_peak,
        )

    def _count_search(self, search) -> None:
        """A search's nodes visited (the event's own count for a heap whose events keep
        no search picture, as segregated lists)."""
        visited = getattr(search, "visited", None)
        if visited is not None:
            self.searches += 1
            self.visited += visited
            if visited > self.longest:
                self.longest = visited


@dataclass(frozen=True)
class Column:
    """One allocator's figures: its replay's report and the watch's counts."""

    spec: HeapSpec
    report: ReplayReport
    average_search: float | None
    """Free-list nodes a search visited (successful or not), on average; None if the
    allocator made no search."""
    largest_search: int | None
    internal_fragmentation: int
    """Bytes the live blocks took beyond those asked (rounding, headers, the ListNode
    minimum, alignment padding in front) when the live payload first reached its peak."""


@dataclass(frozen=True)
class Divergence:
    """The first operation (`index`, from 0) where the allocators' answers differ."""

    index: int
    op: Op
    answers: tuple[int, ...]
    """Each allocator's answer: an address, `FAILED` or `DONE`."""

    def describe(self, titles: Sequence[str]) -> str:
        """`first difference: operation 9 (line 11: malloc a 100): guide -> 0x1000; ...`"""
        failed = "null" if self.op.kind in (MALLOC, REALLOC) else "failed"
        words = {FAILED: failed, DONE: "done"}
        answers = "; ".join(
            f"{title} -> {words.get(answer) or f'{answer:#x}'}"
            for title, answer in zip(titles, self.answers, strict=True)
        )
        return f"first difference: operation {self.index + 1:,} ({op_text(self.op)}): {answers}"


@dataclass(frozen=True)
class Comparison:
    """The allocators' columns, in the order given, and where they first differ."""

    trace: Trace
    heap_start: int
    heap_size: int
    columns: tuple[Column, ...]
    divergence: Divergence | None
    divergences: tuple[int, ...] = ()
    """Every operation (0 is the first) where some allocator answered otherwise than the
    first one did: where the window's stepping jumps to."""

    @property
    def titles(self) -> list[str]:
        return [column.spec.text for column in self.columns]


def compare(
    trace: Trace,
    specs: Sequence[HeapSpec],
    progress: Callable[[int, int], object] | None = None,
    record: bool = False,
) -> Comparison:
    """Replay `trace` once on a machine per spec (the spec's allocator in place of the
    trace's own); `progress(done, total)` counts the operations of all the passes.
    `record`: the reports keep the statistics after each operation (for plots)."""
    if not FEWEST_HEAPS <= len(specs) <= MOST_HEAPS:
        raise InvalidParameterError(
            f"a comparison takes {FEWEST_HEAPS} to {MOST_HEAPS} heap allocators, not {len(specs)}"
        )
    count, reference = len(trace.ops), None
    columns, differences, everywhere = [], [], set()
    for number, spec in enumerate(specs):
        machine = machine_for(on_heap(trace, spec))
        watch = _Watch(machine.heap, count, reference)
        report = replay(
            trace,
            machine,
            record=record,
            progress=_overall(progress, number, len(specs)),
            watch=watch,
        )
        columns.append(watch.column(spec, report))
        if reference is None:
            reference = watch.answers
        else:
            differences.append((watch.differs_at, watch.answer_there))
            everywhere.update(watch.differences)
    heap = machine.heap
    divergence = _divergence(trace, reference, differences)
    return Comparison(
        trace,
        heap.heap_start,
        heap.heap_size,
        tuple(columns),
        divergence,
        tuple(sorted(everywhere)),
    )


def _overall(progress, number: int, passes: int):
    """Pass `number`'s progress as a part of all the passes'."""
    if progress is None:
        return None

    def part(done: int, total: int) -> None:  # never False: no pass stops half-way
        progress(number * total + done, passes * total)

    return part


def _divergence(
    trace: Trace, reference: array, differences: list[tuple[int | None, int]]
) -> Divergence | None:
    """Where some allocator first answered otherwise than the first one (`differences`:
    where each other one did, and its answer there): there, those that had not
    differed yet answered as the first one did."""
    found = [index for index, _ in differences if index is not None]
    if not found:
        return None
    index = min(found)
    first = reference[index]
    others = [answer if at == index else first for at, answer in differences]
    return Divergence(index, trace.ops[index], (first, *others))


@dataclass(frozen=True)
class Measure:
    """One row of the table: its title, its unit, and how a column gives its value."""

    title: str
    unit: str
    value: Callable[[Column], float | int | None]

    def text(self, value: float | int | None) -> str:
        """The value for a person: thousands separated, with its unit; "—" if none."""
        if value is None:
            return "\u2014"
        if self.unit == "%":
            return f"{value:.1%}"
        if isinstance(value, float):
            digits = 0 if self.unit == "ops/s" else 1
            return f"{value:,.{digits}f} {self.unit}".rstrip()
        return f"{value:,} {self.unit}".rstrip()

    def raw(self, value: float | int | None) -> str:
        """The value for a spreadsheet: plain digits, a fraction for a percentage."""
        if value is None:
            return ""
        if isinstance(value, int):
            return str(value)
        return f"{value:.0f}" if self.unit == "ops/s" else f"{value:.4f}"

    @property
    def raw_title(self) -> str:
        """The title with the unit of `raw` values."""
        unit = "fraction" if self.unit == "%" else self.unit
        return f"{self.title} ({unit})" if unit else self.title


MEASURES = (
    Measure("operations", "", lambda c: c.report.operations),
    Measure("failures", "", lambda c: c.report.failures),
    Measure("peak live payload", "B", lambda c: c.report.peak_payload),
    Measure("footprint", "B", lambda c: c.report.footprint),
    Measure("utilization", "%", lambda c: c.report.utilization),
    Measure("search cost, average (nodes)", "", lambda c: c.average_search),
    Measure("search cost, largest (nodes)", "", lambda c: c.largest_search),
    Measure("internal fragmentation at peak", "B", lambda c: c.internal_fragmentation),
    Measure("external fragmentation at end", "%", lambda c: c.report.fragmentation),
    Measure("operations a second", "ops/s", lambda c: c.report.ops_per_second),
)
"""The table's rows, in the malloc lab's terms: utilization is peak live payload over
footprint (the highest byte handed out), as `ReplayReport` has it; a search's cost is
the free-list nodes it visited; external fragmentation is 1 - largest free region /
free bytes."""


def table_lines(comparison: Comparison) -> list[str]:
    """The table for a terminal: a row a measure, a column an allocator, aligned."""
    rows = [["", *comparison.titles]]
    rows += [[m.title, *(m.text(m.value(c)) for c in comparison.columns)] for m in MEASURES]
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    return [
        row[0].ljust(widths[0])
        + "".join(f"  {cell:>{width}}" for cell, width in zip(row[1:], widths[1:], strict=True))
        for row in rows
    ]


def write_comparison_csv(path: str | Path, comparison: Comparison) -> None:
    """The table as CSV: `measure,<allocator>,...`, the unit in the measure's name."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["measure", *comparison.titles])
        for m in MEASURES:
            writer.writerow([m.raw_title, *(m.raw(m.value(c)) for c in comparison.columns)])

"""An operation told in sentences: what the trace's author said about it, then one
sentence a step, each with its reason, then the result.

The narration panel and `orbita-gui replay --narrate` both read these, so a
student without a display reads what the class sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core import Event
from .trace import INTRO, Op, Trace


def op_text(op: Op) -> str:
    """One operation as the trace file says it, with its line if it has one."""
    name = op.name or "null"
    size = f" {op.size:,}" if op.kind in ("malloc", "realloc", "alloc-frames") else ""
    return f"line {op.line}: {op.kind} {name}{size}" if op.line else f"{op.kind} {name}{size}"


def sentence(text: str) -> str:
    """A reason as a sentence: capital first, full stop last."""
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def step_sentences(event: Event) -> list[str]:
    """One sentence a step of the event, in the order the allocator took them."""
    return [sentence(step.reason) for step in event.steps]


def author_note(trace: Trace | None, op: Op) -> str | None:
    """What the trace's author wrote about this operation, if anything."""
    if trace is None or not op.line:
        return None
    return trace.comments.get(op.line)


def intro(trace: Trace) -> str | None:
    """What the trace's author wrote before its first operation: the lesson's title and
    what to watch."""
    return trace.comments.get(INTRO)


def narrate(op: Op, event: Event | None, failure: str | None, note: str | None) -> list[str]:
    """The lines `replay --narrate` prints for one operation: the operation, the
    author's note, the steps numbered, then the result."""
    lines = [op_text(op)]
    if note:
        lines += [f"  # {said}" for said in note.splitlines()]
    if event is not None:
        lines += [f"  {n}. {said}" for n, said in enumerate(step_sentences(event), 1)]
        lines.append(f"  -> {event.describe()}")
    elif failure:  # refused before anything was tried (a failed event says it above)
        lines.append(f"  -> {failure}")
    return lines


def narrate_all(trace: Trace, outcomes: Iterable) -> Iterable[str]:
    """`narrate` over a replay, operation by operation, as it goes: `outcomes` gives an
    `(op, outcome)` pair per operation applied."""
    if intro(trace):
        yield from (f"# {said}" for said in intro(trace).splitlines())
        yield ""
    for op, outcome in outcomes:
        yield from narrate(op, outcome.event, outcome.failure, author_note(trace, op))
        yield ""

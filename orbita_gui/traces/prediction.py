"""Predict, then check: a student's guess of where an allocation goes, judged against
what the allocator did, and a wrong guess explained by the step where the two part.

A guess is the start address of the free region a heap allocation will take
(None: it returns null), or the number of the frame `allocate_frame()` will
return (None: out of memory). Everything is read from the event's steps, so
every allocator of the family is judged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import Event
from ..core.addresses import FRAME_SIZE
from ..core.events import FRAMES
from .narration import sentence

GUESSED_OPS = ("malloc", "realloc", "alloc-frame")
"""The operations a student predicts: those where the allocator chooses."""


@dataclass(frozen=True)
class Judgement:
    right: bool
    said: str
    """One or two sentences: why the allocator chose as it did, and why not the guess."""


@dataclass
class Score:
    right: int = 0
    asked: int = 0

    def add(self, judgement: Judgement) -> None:
        self.asked += 1
        self.right += judgement.right

    def summary(self) -> str:
        if not self.asked:
            return "No predictions yet."
        return f"You predicted {self.right} of {self.asked} right ({self.right / self.asked:.0%})."


def judge(event: Event, guess: int | None) -> Judgement:
    """Whether `guess` is what the allocator chose for `event`, and why."""
    if event.layer == FRAMES:
        return _judge_frame(event, guess)
    return _judge_heap(event, guess)


def _judge_heap(event: Event, guess: int | None) -> Judgement:
    steps = event.steps
    chosen = next((step for step in steps if step.kind == "choose"), None)
    answer = None if chosen is None else chosen.where[0]
    if guess == answer:
        if chosen is None:
            return Judgement(True, "Right: no region fits, allocate returns null.")
        return Judgement(True, "Right: " + sentence(chosen.reason))
    ours = next(
        (s for s in steps if s.kind == "pass-over" and s.where and s.where[0] == guess), None
    )
    if chosen is None:
        why = f"Yours: {sentence(ours.reason)}" if ours else "No region fits."
        return Judgement(False, f"No region fits: allocate returns null. {why}")
    theirs = f"The allocator took {answer:#x}: {sentence(chosen.reason)}"
    if guess is None:
        return Judgement(False, f"{theirs} You said null, but that region fits.")
    if ours is not None:
        return Judgement(False, f"{theirs} Yours: {sentence(ours.reason)}")
    return Judgement(
        False,
        f"{theirs} The search never looked at yours ({guess:#x}): it stopped at the "
        "first region its policy takes, in list order.",
    )


def _judge_frame(event: Event, guess: int | None) -> Judgement:
    found = event.frames_taken[0] if event.frames_taken else None
    scans = event.steps
    start = scans[0].where[0] // FRAME_SIZE if scans and scans[0].where else 0
    if guess == found:
        if found is None:
            return Judgement(True, "Right: every frame is used, allocate_frame returns None.")
        return Judgement(True, "Right: " + sentence(scans[-1].reason))
    if found is None:
        return Judgement(False, f"Every frame is used: allocate_frame returns None, not {guess}.")
    theirs = f"The allocator took frame {found:,}"
    if guess is None:
        return Judgement(False, f"{theirs}: memory was not full.")
    if not scans or scans[0].kind not in ("pass-over", "choose"):  # no scan: a buddy's
        why = next(s.reason for s in scans if s.where and s.where[0] == found * FRAME_SIZE)
        return Judgement(False, f"{theirs}: {why}.")
    if start <= guess < found:
        why = f"frame {guess:,} was used: the scan from next_free ({start:,}) passed over it"
    elif guess < start and found >= start:
        why = f"the scan starts at next_free ({start:,}): frames below it are all used"
    else:
        why = f"the scan from next_free ({start:,}) stops at the first free frame"
    return Judgement(False, f"{theirs}: {why}.")

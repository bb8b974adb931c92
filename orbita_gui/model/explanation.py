"""The operation the narration and the code panel explain, and the step they are at.

Every operation applied (by hand, by the player, by undo) becomes the one
explained, at its last step; a student then walks its steps back and forth
with `previous_step` and `next_step`. Steps are read from the event only when
a panel asks, so a fast replay pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from orbita_gui.core import Event
from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.core.events import FRAMES
from orbita_gui.core.protocols import Step
from orbita_gui.traces import Op, Trace
from orbita_gui.traces.narration import author_note, intro

from .machine_model import MachineModel

LOOKS = ("pass-over", "choose")
"""The kinds of step that look at free-list nodes or frames."""


class Explanation(QObject):
    """`event` (None before any), its `op`, and `index`, the step shown (the last one
    unless the student walked back). Emits `sig_explanation_changed` when another
    operation is explained and `sig_step_changed` when the step moves."""

    sig_explanation_changed = Signal()
    sig_step_changed = Signal()

    def __init__(self, model: MachineModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.trace: Trace | None = None
        self.event: Event | None = None
        self.op: Op | None = None
        self.undone = False
        """The event was just taken back: it is explained as what was undone."""
        self._steps: Sequence[Step] | None = None
        self._index: int | None = None  # None: the last step
        self._looked: list[tuple[int, int]] | None = None
        model.sig_event_applied.connect(lambda event: self.explain(event, model.last_op))
        model.sig_events_applied.connect(lambda events: self.explain(events[-1]))
        model.sig_event_reverted.connect(lambda event: self.explain(event, undone=True))
        model.sig_events_reverted.connect(lambda events: self.explain(events[-1], undone=True))
        model.sig_machine_reset.connect(lambda: self.explain(None))

    # What the panels read

    @property
    def steps(self) -> Sequence[Step]:
        if self._steps is None:
            self._steps = () if self.event is None else tuple(self.event.steps)
        return self._steps

    @property
    def index(self) -> int:
        """The step shown: 0 to len(steps) - 1; -1 if there are none."""
        return len(self.steps) - 1 if self._index is None else self._index

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.steps else None

    @property
    def note(self) -> str | None:
        """What the trace's author wrote about this operation, or, before the first
        operation of a trace, about the whole trace."""
        if self.event is None:
            return intro(self.trace) if self.trace is not None else None
        return author_note(self.trace, self.op) if self.op is not None else None

    # The search, step by step

    def _looks(self) -> list[tuple[int, int]]:
        """`(step index, things it looks at)` of the steps that look at free-list nodes
        (one each) or frames (one, or a run of used ones), in the order looked: read
        once an operation (the player's animation asks at every tick)."""
        if self._looked is None:
            frames = self.event is not None and self.event.layer == FRAMES
            self._looked = [
                (i, (step.where[1] - step.where[0]) // FRAME_SIZE if frames else 1)
                for i, step in enumerate(self.steps)
                if step.kind in LOOKS
            ]
        return self._looked

    def search_progress(self) -> tuple[int, bool]:
        """`(nodes or frames looked at before the step shown, whether the search is
        over)`: at a step that looks at a node, the pictures outline that node, the ones
        before it passed over; after the last such step the search is done."""
        looks, index = self._looks(), self.index
        looked = sum(count for i, count in looks if i < index)
        return looked, not looks or index > looks[-1][0]

    def step_of_progress(self, looked: int, done: bool) -> int:
        """The step that shows a search `looked` nodes or frames in (`done`: over): the
        inverse of `search_progress`, for following the player's animation."""
        if not done:
            for i, count in self._looks():
                looked -= count
                if looked < 0:
                    return i
        return len(self.steps) - 1

    @property
    def pending(self) -> bool:
        """A step before the operation's last is shown: what the operation did is not
        told yet (the log, the status bar and the statistics wait for the last step)."""
        return self._index is not None and not self.undone and self._index < len(self.steps) - 1

    # Changing what is shown

    def set_trace(self, trace: Trace | None) -> None:
        """The trace being played: its comments are the author's notes."""
        self.trace = trace
        self.explain(None)

    def explain(self, event: Event | None, op: Op | None = None, undone: bool = False) -> None:
        self.event, self.op, self.undone = event, op, undone
        self._steps, self._index, self._looked = None, None, None
        self.sig_explanation_changed.emit()

    def next_step(self) -> bool:
        return self.go_to(self.index + 1)

    def previous_step(self) -> bool:
        return self.go_to(self.index - 1)

    def go_to(self, index: int) -> bool:
        """Show step `index`; False (nothing moves) if there is no such step."""
        if not 0 <= index < len(self.steps) or index == self.index:
            return False
        self._index = index
        self.sig_step_changed.emit()
        return True

"""Undo and redo: commands that hold the operations of one undo step.

Qt calls a command's `redo` and `undo`. Each command works on the `History`
it was made on (each machine has its own) and tells the model what changed
through `announce(events, undone)`; an exception is never let out into Qt
(`never_raises`), but handed to `report_bug`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand, QUndoStack

from orbita_gui.core import Event, Machine
from orbita_gui.traces import Op

from .history import History

Announce = Callable[[list[Event], bool], None]
"""Tells the views about events applied (False) or undone (True)."""


def never_raises(method):
    """Qt calls a command's `redo` and `undo`; an exception escaping into Qt kills the
    process (PySide cannot pass it on), losing the user's work. Commands are written
    not to raise; should one still, it goes to the command's `report_bug` with
    `sys.exc_info()` (the model reports it once Qt's call has returned)."""

    @functools.wraps(method)
    def guarded(self) -> None:
        try:
            method(self)
        except Exception:
            self.report_bug(sys.exc_info())

    return guarded


class OpsCommand(QUndoCommand):
    """Operations applied as one undo step: undo takes them back newest first, redo
    applies them again.

    The same operations on the same state give the same events, so redo brings
    back the same addresses. Many operations in one command (allocating a million
    frames) cost one command. `events` are those of the latest run.
    """

    def __init__(
        self,
        label: str,
        history: History,
        ops: Sequence[Op],
        events: list[Event],
        announce: Announce,
        report_bug: Callable[[object], None],
    ) -> None:
        super().__init__(label)
        self.history, self.ops, self.events = history, ops, events
        self.announce, self.report_bug = announce, report_bug
        self.end = history.position
        """Operations applied once this command's are: it may only be undone there."""
        self._applied = True  # push() calls redo() at once: the first run already happened

    @never_raises
    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        _, self.events = self.history.run(self.ops, 0, len(self.ops))
        self.announce(self.events, False)

    @never_raises
    def undo(self) -> None:
        history = self.history
        if history.position != self.end:
            raise RuntimeError(
                f"undo of {self.text()!r} out of order: {history.position:,} operations "
                f"are applied, not {self.end:,}"
            )
        taken = [history.take_back() for _ in range(len(self.ops))]
        self.announce([event for event in taken if event is not None], True)


class ResetCommand(QUndoCommand):
    """Swapping in a new machine; undo puts the old one back as it was.

    Each machine keeps its own `History` for the command's whole life: the
    commands after a reset apply to and take back from the new machine's, so
    redoing the reset must bring back that same history, not a fresh one.
    """

    def __init__(
        self,
        old: tuple[Machine, History],
        new: Machine,
        swap: Callable[[Machine, History], None],
        report_bug: Callable[[object], None],
    ) -> None:
        super().__init__("reset")
        self.old, self.new = old, (new, History(new))
        self.swap, self.report_bug = swap, report_bug

    @never_raises
    def redo(self) -> None:
        self.swap(*self.new)

    @never_raises
    def undo(self) -> None:
        self.swap(*self.old)


class Batch:
    """Operations grouped into one undo step: `with Batch(stack, "label"):`."""

    def __init__(self, stack: QUndoStack, label: str) -> None:
        self._stack, self._label = stack, label

    def __enter__(self) -> None:
        self._stack.beginMacro(self._label)

    def __exit__(self, *exc: object) -> None:
        self._stack.endMacro()

"""The model every view reads and every action goes through: one machine, undoable.

The jobs are in modules of their own, each testable alone: `history` (the
operations applied by name, and sessions), `commands` (undo and redo),
`selection`, `notes` (the last search, each frame's last change) and `repaint`
(one `sig_changed` a screen frame). `MachineModel` joins them for the views.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from orbita_gui.core import Event, Frame, HeapStats, Layout, Machine, MemoryStats, OrbitaError
from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.traces import Op, Outcome, Trace
from orbita_gui.traces.trace import ALLOC_FRAMES, FREE, FREE_FRAME, MALLOC, REALLOC

from .commands import Batch, OpsCommand, ResetCommand, never_raises
from .history import BLOCK_PREFIX, FRAME_PREFIX, History
from .notes import Notes
from .repaint import REPAINT_INTERVAL_MS, RepaintCoalescer
from .selection import Selection

FRAMES_AT_ONCE = 16_384
"""Frames allocated between two looks at a progress dialog's Cancel."""

_never_raises = never_raises
"""The guard of every command's `redo` and `undo` (see `commands.never_raises`)."""

__all__ = ["REPAINT_INTERVAL_MS", "MachineModel", "_never_raises", "frame_changes"]


class MachineModel(QObject):
    """Owns a `Machine`; applies every operation, records it for undo, says what changed.

    `apply(op)` is the one way the machine changes: hand actions (the methods
    below build their operation and name what they make), the trace player's
    steps and undo and redo all go through it, and through the one `Replayer`
    of the machine's `History`. What it emits:

    - an operation applied alone: `sig_event_applied` with the core's event (or
      `sig_event_reverted` when undone), then `sig_frame_allocated`,
      `sig_frame_freed`, `sig_block_allocated`, `sig_block_freed` for what it
      changed;
    - operations applied at once (a fast replay, many frames): one
      `sig_events_applied` with their events (`sig_events_reverted` undone);
    - a request refused, or an allocation that returned NULL:
      `sig_operation_failed`, and nothing changed;
    - a new machine: `sig_machine_reset` (after `sig_history_restarted` for a
      trace's, or a kept state of the trace put back, `resume`); the selection
      changed by hand: `sig_selection_changed`;
    - `sig_changed`, coalesced: at most once per screen frame however many
      operations ran. Views repaint on it.
    """

    sig_event_applied = Signal(object)
    """An operation ran, first time or redo: the core's event."""
    sig_event_reverted = Signal(object)
    """An operation was undone: the event it reverted."""
    sig_frame_allocated = Signal(int)
    """A frame became used (allocation, or undo of a free): its number."""
    sig_frame_freed = Signal(int)
    """A frame became free (free, or undo of an allocation): its number."""
    sig_block_allocated = Signal(object)
    """A heap block became live: its `Allocation`."""
    sig_block_freed = Signal(object)
    """A heap block was freed or its allocation undone: its `Allocation`."""
    sig_operation_failed = Signal(str)
    """A request was refused or ran out of memory: the message to show. A `sig_changed`
    follows too, though nothing changed, so that views gather failures like the rest."""
    sig_machine_reset = Signal()
    """A new machine replaced the old one (or undo brought the old one back)."""
    sig_history_restarted = Signal()
    """A record of what happened (the log) starts over: a trace's fresh machine is about
    to replace the old one (`sig_machine_reset` follows), or a kept state of the trace
    was put back (`resume`: it follows `sig_machine_reset`). Nothing before can be undone."""
    sig_selection_changed = Signal()
    """The selected frames or blocks changed."""
    sig_events_applied = Signal(object)
    """Many operations applied at once (a fast replay): the list of their events, oldest
    first; one signal for the batch instead of the per-operation signals above. Typed
    `object`, not `list`: a `list` signal copies every element through Qt, twice the
    bookkeeping cost of the events themselves."""
    sig_events_reverted = Signal(object)
    """Many operations taken back at once: the list of their events, newest first."""
    sig_changed = Signal()
    """Something changed since the last time: repaint (coalesced, once per frame)."""

    def __init__(self, machine: Machine | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.machine = machine or Machine()
        self._history = History(self.machine)
        self.undo_stack = QUndoStack(self)
        self.notes = Notes()
        """The last heap search and each frame's last change."""
        self.selection = Selection()
        self.last_number: int | None = None
        """The number of the latest operation applied or failed (1 is the first), as the
        log counts them; None for a hand action refused and taken back whole."""
        self.last_op: Op | None = None
        """The latest operation `apply` ran, failed or not: what the `sig_event_applied`
        it sends explains (its trace line, its names)."""
        self._stats_before: tuple[Event | None, tuple | None] = (None, None)
        self.revision = 0
        """Goes up with every change of the machine: what views key their caches on, so
        that a hover right after a change never reads a picture of the state before."""
        self._repaint = RepaintCoalescer(self.sig_changed.emit, REPAINT_INTERVAL_MS, self)
        self._bugs: list = []
        self._bugs_timer = QTimer(self, singleShot=True, interval=0)
        self._bugs_timer.timeout.connect(self._report_bugs)

    # What the views read

    @property
    def history(self) -> list[Event]:
        """The events that changed this machine, oldest first."""
        return self._history.events

    @property
    def event_numbers(self) -> Sequence[int]:
        """Beside each of `history`, the number of its operation (as the log shows it)."""
        return self._history.numbers

    @property
    def ops(self) -> Sequence[Op]:
        """The operations applied to this machine, oldest first: what a session holds."""
        return self._history.ops

    @property
    def last_heap_event(self):
        """The latest heap allocation applied: what its search passed over and chose."""
        return self.notes.last_search

    @property
    def selected_frames(self) -> set[int]:
        return self.selection.frames

    @property
    def selected_blocks(self) -> set[int]:
        return self.selection.blocks

    def stats_before(self, event: Event) -> tuple[MemoryStats, HeapStats] | None:
        """The machine's statistics before `event`, if it is the latest operation
        `apply` ran (what a student walking its steps sees until the last), else None."""
        applied, before = self._stats_before
        return before if event is applied and event is not None else None

    def name_of_block(self, ptr: int) -> str | None:
        """The name the operations gave the live block at `ptr` (a trace's `a`, `big`;
        a hand action's `b3`), None if none holds it."""
        return self._history.name_of_block(ptr)

    def frame_note(self, number: int) -> str | None:
        """The last operation that changed a frame, in words (None if none has)."""
        return self.notes.frame_note(number)

    def session(self) -> Trace:
        """This machine's operations as a trace that replays to the same state."""
        return self._history.session()

    # The one way the machine changes

    def apply(self, op: Op, *, undoable: bool = True, label: str | None = None) -> Outcome:
        """Apply one operation. `undoable` (a hand action): one undo step, or part of the
        open `batch()`; refused or returning NULL, it is reported and taken back whole,
        its name too. Not `undoable` (a trace step): kept, failures included, until
        `take_back`."""
        history = self._history
        machine = self.machine
        before = machine.frames.stats(), machine.heap.stats()
        outcome = history.apply(op)
        self.last_op, self.last_number = op, history.position
        self._stats_before = outcome.event, before
        event = outcome.event
        if event is None or event.failed or outcome.failure:  # nothing changed
            if undoable:
                history.take_back()
                self.last_number = None
            if event is not None:
                if event.search is not None:  # the pictures show why it failed
                    self._record(event, undone=False)
                self.sig_event_applied.emit(event)
            if outcome.failure:
                self._fail(outcome.failure, self.last_number)
            return outcome
        if undoable:
            self._push(label or _label(op), [op], [event])
        self._announce(event, undone=False)
        return outcome

    def apply_many(
        self,
        ops: Sequence[Op],
        start: int = 0,
        stop: int | None = None,
        *,
        undoable: bool = False,
        label: str | None = None,
        deadline: float | None = None,
    ) -> list[Outcome]:
        """Apply `ops[start:stop]` at once (until `deadline`, a `time.perf_counter()`
        time looked at every 16 operations): one `sig_events_applied` for them all.
        `undoable`: one undo step (none if nothing changed)."""
        stop = len(ops) if stop is None else stop
        outcomes, events = self._history.run(ops, start, stop, deadline)
        if undoable and events:
            applied = start + len(outcomes)
            if start or applied != len(ops):
                ops = tuple(ops[index] for index in range(start, applied))
            self._push(label or f"{len(outcomes):,} operations", ops, events)
        self._announce_many(events, undone=False)
        for number, outcome in enumerate(outcomes, self._history.position - len(outcomes) + 1):
            if outcome.failure:
                self._fail(outcome.failure, number)
        self._repaint.mark()
        return outcomes

    def take_back(self, count: int = 1) -> list[Event | None]:
        """Take back the `count` newest operations applied without undo (trace steps),
        newest first: one alone is announced alone, several at once. Returns each one's
        event (None for one that changed nothing)."""
        history = self._history
        taken = [history.take_back() for _ in range(min(count, history.position))]
        events = [event for event in taken if event is not None]
        last = self.notes.last_search
        if getattr(last, "failed", False):  # a failed search taken back: shown no more
            self.notes.last_search = None
            self.revision += 1
        if count == 1:
            if events:
                self._announce(events[0], undone=True)
        else:
            self._announce_many(events, undone=True)
            self._repaint.mark()
        return taken

    # Hand actions: each is an operation, named

    def allocate_frame(self) -> Event | None:
        """Ask the frame allocator for a frame; it chooses which."""
        op = Op("alloc-frame", self._history.fresh_name(FRAME_PREFIX))
        return self.apply(op, label="allocate frame").event

    def allocate_frames(self, count: int, progress=None) -> int:
        """Allocate up to `count` frames as one undo step; returns how many (a frame
        allocator that hands out blocks: one block of `count` contiguous frames). With
        `progress(done, total)`, told every `FRAMES_AT_ONCE` frames: False from it
        cancels the whole step (nothing stays allocated, 0 is returned)."""
        if self.machine.hands_out_blocks and count > 1:
            op = Op(ALLOC_FRAMES, self._history.fresh_name(FRAME_PREFIX), count)
            event = self.apply(op, label=f"allocate {count:,} contiguous frames").event
            return len(event.frames_taken) if event is not None else 0
        count = min(count, self.machine.frames.stats().free_frames)
        if count <= 0:
            self._fail("allocate_frame() -> None: out of memory")
            return 0
        ops = self._history.frame_allocations(count)  # cannot fail: count <= free
        label = f"allocate {count:,} frames"
        if progress is None or count <= FRAMES_AT_ONCE:
            self.apply_many(ops, undoable=True, label=label)
            return count
        history, events = self._history, []
        for start in range(0, count, FRAMES_AT_ONCE):
            stop = min(start + FRAMES_AT_ONCE, count)
            events += history.run(ops, start, stop)[1]
            if progress(stop, count) is False:
                for _ in range(stop):
                    history.take_back()
                return 0
        self._push(label, ops, events)
        self._announce_many(events, undone=False)
        self._repaint.mark()
        return count

    def free_frame(self, number: int) -> Event | None:
        """Free frame `number`, or the block of contiguous frames that holds it."""
        frames = self.machine.frames
        if self.machine.hands_out_blocks:
            start = frames.block_start(number)
            number = number if start is None else start
        name = self._history.name_of_frame(number)
        if name is None:
            self._fail(self._why_frame_not_freed(number))
            return None
        return self.apply(Op(FREE_FRAME, name), label=f"free frame {number:,}").event

    def allocate(self, size: int, align: int) -> Event | None:
        """Allocate on the heap; a bad size or alignment is reported, not raised."""
        try:
            Layout(size, align)
        except OrbitaError as error:
            self._fail(str(error))
            return None
        op = Op(MALLOC, self._history.fresh_name(BLOCK_PREFIX), size, align)
        return self.apply(op, label=f"allocate {size:,} bytes").event

    def free_block(self, ptr: int) -> Event | None:
        """Free a live heap block with the layout it was allocated with."""
        name = self._block_name(ptr)
        if name is None:
            return None
        return self.apply(Op(FREE, name), label=f"free {ptr:#x}").event

    def realloc(self, ptr: int, new_size: int) -> Event | None:
        name = self._block_name(ptr)
        if name is None:
            return None
        return self.apply(Op(REALLOC, name, new_size), label=f"realloc {ptr:#x}").event

    def free_selection(self) -> None:
        """Free every selected frame and block, as one undo step."""
        frames, blocks = sorted(self.selection.frames), sorted(self.selection.blocks)
        if not frames and not blocks:
            self._fail("nothing is selected: Ctrl+click frames or blocks")
            return
        with self.batch(f"free {len(frames) + len(blocks):,} selected"):
            for number in frames:
                self.free_frame(number)
            for ptr in blocks:
                self.free_block(ptr)
        self.selection.clear()
        self.sig_selection_changed.emit()

    # Machines

    def reset(
        self,
        memory_size: int,
        heap_size: int,
        heap: str = "guide",
        heap_params: dict | None = None,
        frames: str = "bitmap",
    ) -> bool:
        """Start over with a new machine of those allocators (undoable); False if the
        sizes or the allocators are refused."""
        try:
            machine = Machine(
                memory_size, heap_size=heap_size, heap=heap, heap_params=heap_params, frames=frames
            )
        except OrbitaError as error:
            self._fail(str(error))
            return False
        old = (self.machine, self._history)
        self.undo_stack.push(ResetCommand(old, machine, self._set_machine, self._report_bug_later))
        return True

    def start_trace(self, machine: Machine) -> None:
        """Put a fresh machine in place for a trace; undo history starts over."""
        self.undo_stack.clear()
        self.sig_history_restarted.emit()
        self._set_machine(machine, History(machine))

    def resume(self, history: History) -> None:
        """Put in place the trace's machine as a checkpoint kept it (the player jumping
        far): like a trace's start, nothing before it can be taken back. The record of
        what happened starts over once the views have the machine: it is no new one."""
        self._set_machine(history.machine, history)
        self.sig_history_restarted.emit()

    @property
    def kept_operations(self) -> int:
        """How many of the newest operations `take_back` can take back."""
        return self._history.kept

    def forget_oldest(self, count: int) -> None:
        """Let go of the events of the `count` oldest trace steps kept, which can then no
        longer be taken back (the player, which goes back from checkpoints instead, keeps
        a long trace's memory bounded so)."""
        self._history.forget_oldest(count)

    # Saved or not

    @property
    def unsaved(self) -> bool:
        """Whether operations made by hand since the last save (or start) would be lost.
        A new machine with nothing done on it yet has nothing to lose."""
        return bool(self.history) and not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        """The state now is saved (or is a starting point, such as the demo)."""
        self.undo_stack.setClean()

    # Selection

    def toggle_frame_selection(self, number: int) -> None:
        self.selection.toggle_frame(number)
        self.sig_selection_changed.emit()

    def toggle_block_selection(self, ptr: int) -> None:
        self.selection.toggle_block(ptr)
        self.sig_selection_changed.emit()

    # Batches and repaints

    def batch(self, label: str) -> Batch:
        """Group hand actions into one undo step: `with model.batch("..."):`."""
        return Batch(self.undo_stack, label)

    def flush_changes(self) -> None:
        """Emit a pending `sig_changed` now: for a caller that knows a screen frame ends
        here (the trace player after each tick), rather than waiting for the timer."""
        self._repaint.flush()

    # Internals

    def _block_name(self, ptr: int) -> str | None:
        """The name of the live block at `ptr`; None, reported, if there is none."""
        name = self.name_of_block(ptr)
        if name is None:
            if ptr in self.machine.heap.allocations():
                self._fail(
                    f"the block at {ptr:#x} has no name in this machine's operations (a "
                    "trace gave its name to another block): no operation can free it"
                )
            else:
                self._fail(f"{ptr:#x} is not a live allocation: double free or wild pointer")
        return name

    def _why_frame_not_freed(self, number: int) -> str:
        """Why freeing a frame that no name holds is refused, as the core would say."""
        machine, total = self.machine, self.machine.frames.total_frames
        if not 0 <= number < total:
            return (
                f"{number * FRAME_SIZE:#x} is beyond the end of memory "
                f"({total:,} frames, up to {total * FRAME_SIZE:#x})"
            )
        frame, page = Frame.from_number(number), machine.page_of_frame(number)
        if page is not None:
            return (
                f"{frame} backs heap page {machine.page_address(page):#_x}: "
                "it cannot be freed while the heap uses it"
            )
        if not machine.frames.is_frame_used(number):
            return f"{frame} (frame {number:,}) is not allocated: double free"
        return (
            f"frame {number:,} has no name in this machine's operations (a trace gave its "
            "name to another frame): no operation can free it"
        )

    def _push(self, label: str, ops: Sequence[Op], events: list[Event]) -> None:
        command = OpsCommand(
            label, self._history, ops, events, self._announce_all, self._report_bug_later
        )
        self.undo_stack.push(command)

    def _announce_all(self, events: list[Event], undone: bool) -> None:
        """Undo and redo of a command: one event alone, several at once."""
        self.last_op = self.last_number = None  # no `apply` ran: the command's own did
        if len(events) == 1:
            self._announce(events[0], undone)
        else:
            self._announce_many(events, undone)
            self._repaint.mark()

    def _announce(self, event: Event, undone: bool) -> None:
        """One event applied (or undone): bookkeeping, then its signals."""
        self._record(event, undone)
        if undone:
            self.sig_event_reverted.emit(event)
            for block in event.blocks_freed:
                self.sig_block_allocated.emit(block)
            for block in event.blocks_made:
                self.sig_block_freed.emit(block)
            for number in event.frames_given:
                self.sig_frame_allocated.emit(number)
            for number in event.frames_taken:
                self.sig_frame_freed.emit(number)
        else:
            self.sig_event_applied.emit(event)
            for number in event.frames_taken:
                self.sig_frame_allocated.emit(number)
            for number in event.frames_given:
                self.sig_frame_freed.emit(number)
            for block in event.blocks_made:
                self.sig_block_allocated.emit(block)
            for block in event.blocks_freed:
                self.sig_block_freed.emit(block)
        self._repaint.mark()

    def _announce_many(self, events: list[Event], undone: bool) -> None:
        """Events applied (or undone) at once: bookkeeping, then one signal."""
        if not events:  # failures only: nothing changed
            return
        self.revision += 1
        self.notes.record_many(events, undone)
        if self.selection:
            for event in events:
                self.selection.forget(event, undone)
        (self.sig_events_reverted if undone else self.sig_events_applied).emit(events)

    def _record(self, event: Event, undone: bool) -> None:
        """What the model keeps about an operation: notes, selection, revision."""
        self.revision += 1
        self.notes.record(event, undone)
        self.selection.forget(event, undone)

    def _report_bug_later(self, info) -> None:
        """An exception caught where Qt called in: reported once Qt's call has returned."""
        self._bugs.append(info)
        self._bugs_timer.start()

    def _report_bugs(self) -> None:
        bugs, self._bugs = self._bugs, []
        for info in bugs:
            sys.excepthook(*info)

    def _fail(self, message: str, number: int | None = None) -> None:
        """A refusal or a failure, with the number of the operation that failed (None: a
        hand action refused, which is no operation of the history)."""
        self.last_number = number
        self.sig_operation_failed.emit(message)
        self._repaint.mark()

    def _set_machine(self, machine: Machine, history: History) -> None:
        """Swap machines; views rebuild on `sig_machine_reset`, which comes first."""
        self.machine, self._history = machine, history
        self.revision += 1
        self.notes.clear()
        self.selection.clear()  # a reset implies an empty selection: no signal of its own
        self.sig_machine_reset.emit()
        self._repaint.mark()


def _label(op: Op) -> str:
    """An undo step's words for an operation."""
    return f"{op.kind} {op.name}"


def frame_changes(events: list[Event], undone: bool) -> Iterable[tuple[int, bool]]:
    """`(frame number, became used)` for each frame the events touched, in order."""
    for event in events:
        if event.frames_taken or event.frames_given:  # a slab's heap events take frames too
            for number in event.frames_taken:
                yield number, not undone
            for number in event.frames_given:
                yield number, undone

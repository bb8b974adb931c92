"""The model every view reads and every action goes through: one machine, undoable."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from orbita_gui.core import (
    Event,
    Frame,
    FrameAllocation,
    FrameRelease,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
    Layout,
    Machine,
    OrbitaError,
)
from orbita_gui.traces import Trace, session_trace

REPAINT_INTERVAL_MS = 16
"""`sig_changed` comes at most once per screen frame (60 Hz)."""


Step = tuple[Callable[[], Event], Event]
"""How to perform an operation, and the event it gave."""


def _never_raises(method):
    """Qt calls a command's `redo` and `undo`; an exception escaping into Qt kills the
    process (PySide cannot pass it on), losing the user's work. Commands are written
    not to raise; should one still, it is reported as a bug after Qt's call returns."""

    @functools.wraps(method)
    def guarded(self) -> None:
        try:
            method(self)
        except Exception:
            self._model._report_bug_later(sys.exc_info())

    return guarded


class _EventCommand(QUndoCommand):
    """Operations applied as one undo step: undo reverts their events newest first,
    redo performs them again.

    Performing the same request on the same state gives the same event, so redo
    brings back the same addresses. Many steps in one command (allocating a
    million frames) cost one command, not a million.
    """

    def __init__(self, model: MachineModel, label: str, steps: list[Step]):
        super().__init__(label)
        self._model, self.steps = model, steps
        self._applied = True  # push() calls redo() at once: the first run already happened

    @_never_raises
    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.steps = [(perform, perform()) for perform, _ in self.steps]
        for _, event in self.steps:
            self._model._announce(event, undone=False)

    @_never_raises
    def undo(self) -> None:
        for _, event in reversed(self.steps):
            self._model.machine.revert(event)
            self._model._announce(event, undone=True)


class _ResetCommand(QUndoCommand):
    """Swapping in a new machine; undo puts the old one back as it was.

    Each machine keeps its own history list for the command's whole life: the
    commands after a reset append to and pop from the new machine's list, so
    redoing the reset must bring back that same list, not a fresh one.
    """

    def __init__(self, model: MachineModel, new: Machine):
        super().__init__("reset")
        self._model = model
        self._old, self._old_history = model.machine, model.history
        self._new, self._new_history = new, []

    @_never_raises
    def redo(self) -> None:
        self._model._set_machine(self._new, self._new_history)

    @_never_raises
    def undo(self) -> None:
        self._model._set_machine(self._old, self._old_history)


class MachineModel(QObject):
    """Owns a `Machine`; runs every operation, records it for undo, and says what changed.

    Each operation emits `sig_event_applied` (or `sig_event_reverted` on undo)
    once with the core's event, then the specific signals below; bad requests
    emit `sig_operation_failed` and change nothing. Views repaint on
    `sig_changed`, which comes at most once per screen frame however many
    operations ran.
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
    """A trace's fresh machine is about to replace the old one, and nothing before it can
    be undone: a record of what happened (the log) starts over. `sig_machine_reset`
    follows."""
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
        self.undo_stack = QUndoStack(self)
        self.last_heap_event: HeapAllocation | None = None
        """The latest heap allocation applied: what its search passed over and chose."""
        self.history: list[Event] = []
        """The events applied to this machine, oldest first: what a saved session holds."""
        self._frame_changes: dict[int, tuple[Event, bool]] = {}
        self.selected_frames: set[int] = set()
        self.selected_blocks: set[int] = set()
        self.revision = 0
        """Goes up with every change of the machine: what views key their caches on, so
        that a hover right after a change never reads a picture of the state before."""
        self._changed = QTimer(self, singleShot=True, interval=REPAINT_INTERVAL_MS)
        self._changed.timeout.connect(self.sig_changed.emit)
        self._bugs: list = []
        self._bugs_timer = QTimer(self, singleShot=True, interval=0)
        self._bugs_timer.timeout.connect(self._report_bugs)

    # Operations: the only way anything changes

    def allocate_frame(self) -> FrameAllocation | None:
        """Ask the frame allocator for a frame; it chooses which."""
        return self._run("allocate frame", self.machine.frames.allocate_frame_event)

    def allocate_frames(self, count: int) -> int:
        """Allocate up to `count` frames as one undo step; returns how many."""
        count = min(count, self.machine.frames.stats().free_frames)
        if count <= 0:
            self._fail("allocate_frame() -> None: out of memory")
            return 0
        perform = self.machine.frames.allocate_frame_event
        steps = [(perform, perform()) for _ in range(count)]  # cannot fail: count <= free
        self.undo_stack.push(_EventCommand(self, f"allocate {count:,} frames", steps))
        for _, event in steps:
            self._announce(event, undone=False)
        return count

    def free_frame(self, number: int) -> FrameRelease | None:
        frame = Frame.from_number(number)
        return self._run(f"free frame {number:,}", lambda: self.machine.free_frame_event(frame))

    def allocate(self, size: int, align: int) -> HeapAllocation | None:
        """Allocate on the heap; a bad size or alignment is reported, not raised."""
        try:
            layout = Layout(size, align)
        except OrbitaError as error:
            self._fail(str(error))
            return None
        heap = self.machine.heap
        return self._run(f"allocate {size:,} bytes", lambda: heap.allocate_event(layout))

    def free_block(self, ptr: int) -> HeapRelease | None:
        """Free a live heap block with the layout it was allocated with."""
        heap, layout = self.machine.heap, self._layout_of(ptr)
        return self._run(f"free {ptr:#x}", lambda: heap.deallocate_event(ptr, layout))

    def realloc(self, ptr: int, new_size: int) -> HeapReallocation | None:
        heap, layout = self.machine.heap, self._layout_of(ptr)
        return self._run(f"realloc {ptr:#x}", lambda: heap.realloc_event(ptr, layout, new_size))

    def reset(self, memory_size: int, heap_size: int) -> bool:
        """Start over with a new machine (undoable); False if the sizes are refused."""
        try:
            machine = Machine(memory_size, heap_size=heap_size)
        except OrbitaError as error:
            self._fail(str(error))
            return False
        self.undo_stack.push(_ResetCommand(self, machine))
        return True

    def frame_note(self, number: int) -> str | None:
        """The last operation that changed a frame, in words (None if none has)."""
        change = self._frame_changes.get(number)
        if change is None:
            return None
        event, undone = change
        return ("undone: " if undone else "") + event.describe()

    # Operations performed elsewhere (the trace player)

    def start_trace(self, machine: Machine) -> None:
        """Put a fresh machine in place for a trace; undo history starts over."""
        self.undo_stack.clear()
        self.sig_history_restarted.emit()
        self._set_machine(machine, [])

    def announce(self, event: Event | None, failure: str | None = None, undone: bool = False):
        """Tell the views about an operation already performed on the machine (or taken
        back, with `undone`), as if it had gone through `_run`."""
        if event is None or event.failed or failure:  # nothing changed, either way
            if failure and not undone:
                if event is not None:
                    self.sig_event_applied.emit(event)
                self._fail(failure)
            return
        self._announce(event, undone)

    def announce_many(self, outcomes: list, undone: bool = False) -> None:
        """`announce` for a batch of `(event, failure)` outcomes: the bookkeeping for each,
        then one `sig_events_applied` (or `sig_events_reverted`) for them all."""
        events, failures = [], []
        for event, failure in outcomes:
            if event is None or event.failed or failure:
                if failure and not undone:
                    failures.append(failure)
                continue
            events.append(event)
        self._record_many(events, undone)
        if events:
            (self.sig_events_reverted if undone else self.sig_events_applied).emit(events)
        for failure in failures:
            self._fail(failure)
        self._mark_changed()

    def session(self) -> Trace:
        """This machine's history as a trace that replays to the same state."""
        return session_trace(self.machine, self.history)

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
        self.selected_frames.symmetric_difference_update({number})
        self.sig_selection_changed.emit()

    def toggle_block_selection(self, ptr: int) -> None:
        self.selected_blocks.symmetric_difference_update({ptr})
        self.sig_selection_changed.emit()

    def free_selection(self) -> None:
        """Free every selected frame and block, as one undo step."""
        frames, blocks = sorted(self.selected_frames), sorted(self.selected_blocks)
        if not frames and not blocks:
            self._fail("nothing is selected: Ctrl+click frames or blocks")
            return
        with self.batch(f"free {len(frames) + len(blocks):,} selected"):
            for number in frames:
                self.free_frame(number)
            for ptr in blocks:
                self.free_block(ptr)
        self._clear_selection()

    # Batches

    def batch(self, label: str) -> _Batch:
        """Group operations into one undo step: `with model.batch("..."):`."""
        return _Batch(self.undo_stack, label)

    # Internals

    def _layout_of(self, ptr: int) -> Layout:
        """The layout a live block was allocated with; any layout for a pointer that is
        not live, which the core then refuses as a double or wild free."""
        block = self.machine.heap.allocations().get(ptr)
        return block.layout if block else Layout(0, 1)

    def _run(self, label: str, perform: Callable[[], Event]) -> Event | None:
        try:
            event = perform()
        except OrbitaError as error:
            self._fail(str(error))
            return None
        if event.failed:
            self.sig_event_applied.emit(event)
            self._fail(event.describe())
            return event
        self.undo_stack.push(_EventCommand(self, label, [(perform, event)]))
        self._announce(event, undone=False)
        return event

    def _announce(self, event: Event, undone: bool) -> None:
        self._record(event, undone)
        (self.sig_event_reverted if undone else self.sig_event_applied).emit(event)
        for part, reverse in _parts(event, undone):
            if isinstance(part, FrameAllocation | FrameRelease):
                became_used = _became_used(part, reverse)
                (self.sig_frame_allocated if became_used else self.sig_frame_freed).emit(
                    part.frame_number
                )
            elif isinstance(part, HeapAllocation):
                (self.sig_block_freed if reverse else self.sig_block_allocated).emit(part.block)
            else:  # HeapRelease
                (self.sig_block_allocated if reverse else self.sig_block_freed).emit(
                    part.allocation
                )
        self._mark_changed()

    def _record(self, event: Event, undone: bool) -> None:
        """What the model keeps about an operation: history, notes, selection, last search."""
        self.revision += 1
        if undone:
            self.history.pop()
        else:
            self.history.append(event)
        if type(event) is HeapReallocation:
            for part, reverse in _parts(event, undone):
                self._record_part(part, reverse)
        else:  # most events, thousands a frame in a fast replay: no list of parts
            self._record_part(event, undone)

    def _record_many(self, events: list[Event], undone: bool) -> None:
        """`_record` for each event of a batch, with less work per event: a fast replay
        records a thousand a frame, and nothing is selected while it plays."""
        if not events:  # failures only: nothing changed
            return
        self.revision += 1
        if self.selected_frames or self.selected_blocks:
            for event in events:
                self._record(event, undone)
            return
        if undone:
            del self.history[len(self.history) - len(events) :]
        else:
            self.history.extend(events)
        changes, last_search = self._frame_changes, None
        for event in events:
            kind = type(event)
            if kind is HeapAllocation or kind is HeapReallocation:
                last_search = event
            elif kind is FrameAllocation or kind is FrameRelease:
                changes[event.frame_number] = (event, undone)
        if last_search is not None:  # the newest allocation applied; none once one is undone
            self.last_heap_event = (
                None if undone else getattr(last_search, "allocation", last_search)
            )

    def _record_part(self, part: Event, reverse: bool) -> None:
        kind = type(part)
        if kind is HeapAllocation:
            self.last_heap_event = None if reverse else part
            if reverse and self.selected_blocks:
                self.selected_blocks.discard(part.ptr)
        elif kind is HeapRelease:
            if self.selected_blocks:
                self.selected_blocks.discard(part.ptr)
        else:  # a frame allocation or release
            self._frame_changes[part.frame_number] = (part, reverse)
            if not _became_used(part, reverse):
                self.selected_frames.discard(part.frame_number)

    def flush_changes(self) -> None:
        """Emit a pending `sig_changed` now: for a caller that knows a screen frame ends
        here (the trace player after each tick), rather than waiting for the timer."""
        if self._changed.isActive():
            self._changed.stop()
            self.sig_changed.emit()

    def _report_bug_later(self, info) -> None:
        """An exception caught where Qt called in: reported once Qt's call has returned."""
        self._bugs.append(info)
        self._bugs_timer.start()

    def _report_bugs(self) -> None:
        bugs, self._bugs = self._bugs, []
        for info in bugs:
            sys.excepthook(*info)

    def _fail(self, message: str) -> None:
        self.sig_operation_failed.emit(message)
        self._mark_changed()

    def _mark_changed(self) -> None:
        """Ask for one `sig_changed` within a screen frame. A running timer is left alone:
        restarting it would postpone the repaint for as long as operations keep coming."""
        if not self._changed.isActive():
            self._changed.start()

    def _set_machine(self, machine: Machine, history: list[Event]) -> None:
        """Swap machines; views rebuild on `sig_machine_reset`, which comes first."""
        self.machine, self.history = machine, history
        self.revision += 1
        self.last_heap_event = None
        self._frame_changes.clear()
        self.selected_frames.clear()  # a reset implies an empty selection: no signal of its own
        self.selected_blocks.clear()
        self.sig_machine_reset.emit()
        self._mark_changed()

    def _clear_selection(self) -> None:
        self.selected_frames.clear()
        self.selected_blocks.clear()
        self.sig_selection_changed.emit()


class _Batch:
    def __init__(self, stack: QUndoStack, label: str) -> None:
        self._stack, self._label = stack, label

    def __enter__(self) -> None:
        self._stack.beginMacro(self._label)

    def __exit__(self, *exc: object) -> None:
        self._stack.endMacro()


def frame_changes(events: list[Event], undone: bool) -> Iterable[tuple[int, bool]]:
    """`(frame number, became used)` for each frame the events touched, in order."""
    for event in events:
        kind = type(event)  # cheaper than isinstance: a batch holds thousands
        if kind is FrameAllocation or kind is FrameRelease:
            yield event.frame_number, _became_used(event, undone)


def _became_used(event: FrameAllocation | FrameRelease, undone: bool) -> bool:
    return isinstance(event, FrameAllocation) != undone


def _parts(event: Event, undone: bool) -> Iterable[tuple[Event, bool]]:
    """A realloc is an allocation then a release; undo meets them in reverse."""
    if isinstance(event, HeapReallocation):
        parts = [event.allocation, event.release]
        return [(part, undone) for part in (reversed(parts) if undone else parts)]
    return [(event, undone)]

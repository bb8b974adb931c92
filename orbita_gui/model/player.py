"""The trace player: a trace on the model's machine, forwards, back, to any operation."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from orbita_gui.traces import Recording, ReplayReport, Trace, machine_for
from orbita_gui.traces.checkpoints import CHECKPOINT_EVERY, Checkpoint, Checkpoints
from orbita_gui.traces.collector import collector_resting

from .frame_budget import FrameBudget
from .history import History
from .machine_model import MachineModel
from .search_animation import SearchAnimation

SPEEDS = (1, 2, 5, 10, 30, 100, 1000, math.inf)
"""Operations a second the player offers; inf plays as fast as the window allows."""
ANIMATED_UP_TO = 2
"""At this speed and slower, and for each single step, the search is shown step by step."""

RECORDING_SLICE_SECONDS = 0.008
"""Time the headless pass behind a trace (statistics, lifetimes, checkpoints) takes at
a time, between the window's other work."""
FINISH_CHUNK = 10_000
"""Operations between two looks at a progress dialog when the pass must end now."""
RESUME_COST = 3000
"""What putting back a checkpoint costs, in operations replayed: a jump takes one
when that and the operations after it cost less than going from where it is."""

HISTORY_KEPT = 65_536
"""Operations the player keeps able to take back, at most, once a checkpoint can stand
in for the older ones: each costs some 225 bytes (15 MB for these)."""
TAKE_BACK_COST = 1000
"""What taking an operation back may cost, in operations replayed: an allocation taken
back puts its region back in the middle of the free list, and with tens of thousands
of regions the list's index is laid out anew for it (17 ms, where replaying one takes
40 µs). So only a few steps are taken back; a jump further back goes from a checkpoint."""

FRAME_SECONDS = 1 / 60
TICK_BUDGET_SECONDS = 0.012
"""Time a tick may spend applying operations at a set speed; the rest of the frame draws.
As fast as possible, a `FrameBudget` sets it from how long the window takes to draw."""


class TracePlayer(QObject):
    """Plays a trace on the model's machine, operation by operation.

    The player changes nothing itself: it asks the model to apply the trace's
    operations (`MachineModel.apply`, `apply_many`) and to take them back
    (`take_back`), as trace steps, not undo steps. Stepping back and seeking a
    little backwards revert the core's events, which gives the exact earlier state.

    A trace plays at once: a `Recording` replays it headless behind the window, a
    slice at a time (`sig_recorded`), for the plots and to keep the machine's state
    every few thousand operations. A far jump puts back the nearest state kept
    before its target (`MachineModel.resume`) and replays the rest.

    Changing the machine by hand (a click, undo, a reset) leaves the trace: the
    player stops and lets go; the operations it applied stay in the machine's
    history (a saved session holds them).
    """

    sig_trace_loaded = Signal(object)
    """A trace was loaded (the `Trace`); the machine is at its start."""
    sig_position_changed = Signal(int)
    """Operations applied so far (0 to the trace's length)."""
    sig_playing_changed = Signal(bool)
    """Playing started (True) or stopped (False)."""
    sig_detached = Signal(str)
    """The machine was changed by hand: the trace is let go, with why."""
    sig_recorded = Signal(int)
    """The headless pass behind the trace has replayed this many operations (the
    statistics `series` hold them); the trace's length once it is done."""
    sig_ticked = Signal(int)
    """Operations applied so far, within a tick, while its work is still timed: players
    that follow this one (a comparison's) catch up here, within its frame budget."""

    def __init__(
        self,
        model: MachineModel,
        parent: QObject | None = None,
        budget: FrameBudget | None = None,
    ) -> None:
        """`budget`: how a tick shares its screen frame when playing as fast as possible
        (a comparison's lead shares it with the players that follow it, `sig_ticked`)."""
        super().__init__(parent)
        self.model = model
        self.trace: Trace | None = None
        self.recording: Recording | None = None
        """The headless pass behind the trace (None when a report came with it)."""
        self._report: ReplayReport | None = None
        self.speed = 10.0
        self._position = 0
        self._loading = False
        self._timer = QTimer(self, interval=round(FRAME_SECONDS * 1000))
        self._timer.timeout.connect(self._tick)
        self._recorder = QTimer(self, interval=0)
        self._recorder.timeout.connect(self._record_slice)
        self._owed = 0.0
        self._budget = budget or FrameBudget()
        self.animation = SearchAnimation(self)
        """The search of the last operation applied alone, step by step."""
        # It shows the latest operation: any change after it ends it. (A step announces
        # its operation first, then starts animating it.)
        for signal in (
            model.sig_event_applied,
            model.sig_event_reverted,
            model.sig_events_applied,
            model.sig_events_reverted,
            model.sig_machine_reset,
        ):
            signal.connect(self.animation.stop)
        model.undo_stack.indexChanged.connect(self._on_machine_edited)

    # State

    @property
    def loaded(self) -> bool:
        return self.trace is not None

    @property
    def position(self) -> int:
        """Operations of the trace applied so far."""
        return self._position

    @property
    def at_end(self) -> bool:
        return self._position >= self.length

    @property
    def length(self) -> int:
        return len(self.trace.ops) if self.trace else 0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def recorded(self) -> int:
        """Operations whose statistics are in `series` so far."""
        if self.recording is not None:
            return self.recording.done
        return self._report.operations if self._report is not None else 0

    @property
    def series(self) -> dict:
        """The statistics after each operation (numpy columns; `recorded` of them hold
        values so far)."""
        if self.recording is not None:
            return self.recording.series
        return self._report.series if self._report is not None else {}

    @property
    def report(self) -> ReplayReport | None:
        """The whole trace's report, once the pass behind it is done (`finish_recording`)."""
        if self.recording is not None:
            return self.recording.report() if self.recording.finished else None
        return self._report

    # Loading

    def load(self, trace: Trace, report: ReplayReport | None = None) -> bool:
        """Put the trace on a fresh machine of its size, at operation 0, at once; the
        headless pass for its statistics and checkpoints follows behind, unless that
        `report` (recorded) is given. A machine the trace asks for that cannot be built
        raises `OrbitaError`, and nothing changes."""
        self.pause()
        machine = machine_for(trace)
        recording = None
        if report is None:
            recording = Recording(trace, checkpoints=Checkpoints(CHECKPOINT_EVERY))
        self._loading = True
        try:
            self.model.start_trace(machine)
        finally:
            self._loading = False
        self.trace, self.recording, self._report, self._position = trace, recording, report, 0
        self.sig_trace_loaded.emit(trace)
        self.sig_position_changed.emit(0)
        if recording is not None:
            self._recorder.start()
        return True

    def finish_recording(self, progress: Callable[[int, int], bool] | None = None) -> bool:
        """Run the pass behind the trace to its end now (what needs the whole of it: an
        export); `progress(done, total)` may stop it (returns False). True once done."""
        recording = self.recording
        while recording is not None and not recording.finished:
            recording.advance(recording.done + FINISH_CHUNK)
            if progress is not None and progress(recording.done, recording.length) is False:
                break
        self._record_slice()  # tell what was done, and stop the timer if all is
        return self.report is not None

    # Moving

    def step_forward(self) -> bool:
        """Apply the next operation; False at the end."""
        if not self.loaded or self.at_end:
            return False
        self.animation.start(self._forward())
        self._bound_history()
        self.sig_position_changed.emit(self.position)
        return True

    def step_back(self) -> bool:
        """Take back the last operation; False at the start."""
        if not self.loaded or self._position == 0:
            return False
        if self.model.kept_operations:
            self._back()
            self.sig_position_changed.emit(self.position)
        else:  # just after a jump: from the checkpoint before, on to one operation back
            self.seek(self._position - 1)
        return True

    def seek(self, target: int, progress: Callable[[int, int], bool] | None = None) -> int:
        """Go to the state after `target` operations, from a checkpoint when that is
        quicker; `progress(done, total)` every thousand operations may stop it early
        (returns False). Returns the position."""
        if not self.loaded:
            return 0
        target = max(0, min(target, self.length))
        with collector_resting():  # a jump makes many objects and no cycles
            self._resume_near(target)
            total, done = abs(target - self.position), 0
            forward = target > self.position
            while self.loaded and self.position != target:  # a hand change would let go
                chunk = min(1000, abs(target - self.position))
                if forward:
                    self.model.apply_many(self.trace.ops, self._position, self._position + chunk)
                    self._position += chunk
                else:
                    self.model.take_back(chunk)
                    self._position -= chunk
                done += chunk
                if progress and progress(done, total) is False:
                    break
        self.model.flush_changes()
        self._bound_history()
        self.sig_position_changed.emit(self.position)
        return self.position

    def play(self) -> None:
        if not self.loaded or self.at_end:
            return
        self._owed = 0.0
        self._budget.reset()
        full_speed = math.isinf(self.speed)
        # As fast as possible: tick whenever the event loop is free (after each repaint).
        self._timer.setInterval(0 if full_speed else round(FRAME_SECONDS * 1000))
        # Python's cycle collector would rescan the whole growing history every few ticks
        # (tens of milliseconds, a dropped frame each time), though operations make no
        # cycles. It rests while playing as fast as possible, from the first tick, and
        # runs again on pause. (gc.freeze() instead made the tests crash now and then
        # inside PySide's widget construction.)
        if full_speed:
            gc.disable()
        else:
            gc.enable()
        self._timer.start()
        self.sig_playing_changed.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            gc.enable()
            self.sig_playing_changed.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, operations_per_second: float) -> None:
        self.speed = operations_per_second
        if self.playing:
            self.play()  # with the new interval

    # Internals

    def distance(self, target: int) -> int:
        """How many operations going to `target` applies or takes back (from the
        checkpoint it would start at, if any)."""
        checkpoint = self._route(target)
        start = self._position if checkpoint is None else checkpoint.position
        return abs(target - start)

    def _route(self, target: int) -> Checkpoint | None:
        """The checkpoint to start from on the way to `target`, None to go from here
        (when that is quicker: back as far as the history allows)."""
        recording = self.recording
        checkpoint = recording.checkpoint_before(target) if recording is not None else None
        if target >= self._position:
            from_here = target - self._position
        elif self._position - target <= self.model.kept_operations:
            from_here = (self._position - target) * TAKE_BACK_COST
        else:
            from_here = math.inf  # what the history no longer holds
        if checkpoint is None or target - checkpoint.position + RESUME_COST >= from_here:
            return None
        return checkpoint

    def _resume_near(self, target: int) -> None:
        """Put back the checkpoint `_route` takes to `target`, if it takes one."""
        checkpoint = self._route(target)
        if checkpoint is not None:
            self.model.resume(History.resumed(self.trace, checkpoint, self.recording.effects))
            self._position = checkpoint.position

    def _bound_history(self) -> None:
        """Let go of the oldest steps beyond `HISTORY_KEPT` once the pass behind the
        trace has kept states past them (a quarter more first, so that it happens seldom)."""
        excess = self.model.kept_operations - HISTORY_KEPT
        recording = self.recording
        if (
            excess > HISTORY_KEPT // 4
            and recording is not None
            and recording.done >= self._position
        ):
            self.model.forget_oldest(excess)

    def _record_slice(self) -> None:
        """A slice of the pass behind the trace, while the window has nothing to do."""
        recording = self.recording
        if recording is None:
            self._recorder.stop()
            return
        if not recording.finished:
            recording.advance(deadline=time.perf_counter() + RECORDING_SLICE_SECONDS)
        if recording.finished:
            self._recorder.stop()
        self.sig_recorded.emit(recording.done)

    def _forward(self):
        """Have the model apply the next operation; returns its event."""
        outcome = self.model.apply(self.trace.ops[self._position], undoable=False)
        self._position += 1
        return outcome.event

    def _back(self) -> None:
        self.model.take_back()
        self._position -= 1

    def _tick(self) -> None:
        """One screen frame of playing: as many operations as the speed asks, at most
        what fits in the frame's budget (so the window keeps drawing)."""
        start = time.perf_counter()
        full_speed = math.isinf(self.speed)
        budget = self._budget.start(start) if full_speed else TICK_BUDGET_SECONDS
        self._owed += self.speed * FRAME_SECONDS
        count = int(min(self._owed, self.length - self._position))
        if count == 1:  # alone: announced alone, and its search animated when slow
            event = self._forward()
            if self.speed <= ANIMATED_UP_TO:
                self.animation.start(event)
        elif count > 1:  # up to sixteen between looks at the clock
            ops, first = self.trace.ops, self._position
            outcomes = self.model.apply_many(ops, first, first + count, deadline=start + budget)
            count = len(outcomes)
            self._position += count
        late = time.perf_counter() - start > budget
        self._owed -= max(count, 0)
        if late:  # what did not fit is not owed: the speed asked for more than fits
            self._owed = min(self._owed, self.speed * FRAME_SECONDS)
        self.sig_ticked.emit(self.position)
        self._budget.end(time.perf_counter())
        self.model.flush_changes()  # a tick is a screen frame: repaint once, now
        self._bound_history()
        self.sig_position_changed.emit(self.position)
        if self.at_end:
            self.pause()

    def _on_machine_edited(self) -> None:
        if self.trace is None or self._loading:
            return
        self.pause()
        self._recorder.stop()
        self.trace, self.recording, self._report, self._position = None, None, None, 0
        self.sig_detached.emit(
            "The machine was changed by hand, so the trace player let go of the trace. "
            "Open it again to replay it."
        )

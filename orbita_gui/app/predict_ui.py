"""Predict, then check: before each allocation of the trace the student says where it
will go; the operation then runs and the guess is judged, a wrong one explained by the
step where it parts from the allocator's choice (as malloc.py without -c asks)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt

from orbita_gui.core.events import FRAMES, HEAP
from orbita_gui.traces.narration import op_text
from orbita_gui.traces.prediction import GUESSED_OPS, Score, judge
from orbita_gui.views.predict_panel import PredictPanel

NULLS = ("null", "none", "nul", "0x0")


class PredictUi(QObject):
    """The toggle, the panel, and the running score of one trace."""

    def __init__(self, window, player, explanation) -> None:
        super().__init__(window)
        self.window, self.player, self.explanation = window, player, explanation
        self.score = Score()
        self._guessed_range: tuple[int, int] | None = None
        self.panel = PredictPanel()
        top = Qt.DockWidgetArea.TopDockWidgetArea
        self.dock = window.add_dock("predict", "Predict, then check", self.panel, top)
        window.splitDockWidget(window.dock("player"), self.dock, Qt.Orientation.Vertical)
        self.dock.hide()
        self.action = window.make_action(
            "&Predict, then check",
            self.set_on,
            "P",
            "Before each allocation, say where it goes; then it runs and is checked",
        )
        self.action.setCheckable(True)
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.centralWidget().addAction(self.action)
        window.add_action("player", self.action, section="predict")
        self.panel.sig_guess_given.connect(self.check)
        player.sig_position_changed.connect(lambda _position: self._ask())
        player.sig_trace_loaded.connect(lambda _trace: self._restart())
        window.sig_region_picked.connect(self._region_picked)
        window.sig_frame_picked.connect(self._frame_picked)

    @property
    def on(self) -> bool:
        return self.dock.isVisible()

    def set_on(self, on: bool) -> None:
        self.dock.setVisible(on)
        self.action.setChecked(on)
        self.window.set_picking(on)
        if on:
            self._ask()
            self._fit_height()

    def _restart(self) -> None:
        self.score = Score()
        self.panel.score.setText("")
        self.panel.tell("", None)
        self._ask()

    def _next_op(self):
        player = self.player
        return None if not player.loaded or player.at_end else player.trace.ops[player.position]

    def _ask(self) -> None:
        """The question about the next operation of the trace (or the summary at its end)."""
        if not self.on:
            return
        op = self._next_op()
        if op is None:
            done = "the end of the trace" if self.player.loaded else "no trace: Help > Examples"
            self.panel.ask(f"At {done}. {self.score.summary()}")
            return
        if op.kind not in GUESSED_OPS:
            self.panel.ask(f"Next: {op_text(op)}. Nothing to predict: Check runs it.")
        elif op.kind == "alloc-frame":
            self.panel.ask(
                f"Next: {op_text(op)}. Which frame will it take? Click it, or type its number."
            )
        else:
            self.panel.ask(
                f"Next: {op_text(op)}. Which free region will it take? "
                "Click it (a node, or its bytes on the map), or type its address "
                "(null if none fits)."
            )

    def _region_picked(self, start: int) -> None:
        if self.on:
            self.panel.guess.setText(f"{start:#_x}")

    def _frame_picked(self, frame: int) -> None:
        if self.on:
            self.panel.guess.setText(f"{frame}")

    def check(self, text: str) -> None:
        """Read the guess, run the next operation, judge."""
        op = self._next_op()
        if op is None:
            return
        guessed = op.kind in GUESSED_OPS
        self._clear_guess()
        if guessed:
            try:
                guess = self._read(text, frames=op.kind == "alloc-frame")
            except ValueError as error:
                self.panel.tell(str(error), False)
                return
        self.player.step_forward()
        event = self.explanation.event
        if not guessed or event is None or self.explanation.op != op:
            self.panel.tell("", None)
            return
        judgement = judge(event, guess)
        self.score.add(judgement)
        self.panel.tell(judgement.said, judgement.right)
        self._fit_height()
        self.panel.score.setText(f"{self.score.right} / {self.score.asked}")
        self._show_guess(event, guess)
        if self.player.at_end:  # the question, asked as the step moved, knew no score
            self._ask()
            self.window.say(self.score.summary())

    def _read(self, text: str, frames: bool) -> int | None:
        """The guess typed: None for null; else a frame number, or the address of a free
        region (`+0x...` is an offset from the heap's start, as the narrow boxes show)."""
        text = text.strip().replace("_", "").lower()
        if text in NULLS:
            return None
        if not text:
            raise ValueError("Give a guess first: click a node, or type an address or null.")
        offset = text.startswith("+")
        try:
            value = int(text.lstrip("+"), 0)
        except ValueError:
            raise ValueError(f"{text!r} is not a number: type 0x..., +0x..., 7 or null") from None
        if frames:
            total = self.window.model.machine.frames.total_frames
            if not 0 <= value < total:
                raise ValueError(f"there is no frame {value:,}: frames go from 0 to {total - 1:,}")
            return value
        heap = self.window.model.machine.heap
        address = heap.heap_start + value if offset else value
        starts, sizes = heap.free_region_arrays()
        at = np.flatnonzero(starts == address)
        if not len(at):
            raise ValueError(f"{address:#_x} is not the start of a free region: click a node")
        self._guessed_range = (address, address + int(sizes[at[0]]))
        return address

    def _fit_height(self) -> None:
        """Room for the whole verdict: a dock keeps its height when its words grow."""
        want = self.panel.heightForWidth(self.panel.width()) if self.panel.width() else -1
        want = max(want, self.panel.sizeHint().height())
        self.window.resizeDocks([self.dock], [want], Qt.Orientation.Vertical)

    def _clear_guess(self) -> None:
        if self._guessed_range is not None:
            for view in self.window.layer_views(HEAP):
                view.highlight_range(-1, -1)
        for view in self.window.layer_views(FRAMES):
            view.highlight_frames(None)
        self._guessed_range = None

    def _show_guess(self, event, guess: int | None) -> None:
        """The student's guess lit in the pictures, beside the allocator's choice."""
        if guess is None:
            return
        if event.layer == FRAMES:
            for view in self.window.layer_views(FRAMES):
                view.highlight_frames(np.array([guess]))
        elif self._guessed_range is not None:
            for view in self.window.layer_views(HEAP):
                view.highlight_range(*self._guessed_range)

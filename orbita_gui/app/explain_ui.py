"""The window's explaining features: the narration and code panels, and the keys that
walk the steps of the operation explained."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QSplitter

from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.core.events import FRAMES, HEAP
from orbita_gui.core.pages import PAGE_STEPS
from orbita_gui.model.explanation import Explanation
from orbita_gui.model.search_animation import frame_scan
from orbita_gui.views.code_panel import CodePanel
from orbita_gui.views.narration_panel import NarrationPanel

from .snug_splitter import SMALLEST


class ExplainUi(QObject):
    """Owns the `Explanation` of the window's model and the two panels that show it."""

    def __init__(self, window, player) -> None:
        super().__init__(window)
        self.window = window
        self.animation = player.animation
        self.explanation = Explanation(window.model, self)
        self.narration = NarrationPanel(self.explanation)
        self.code = CodePanel(self.explanation)
        self.panels = QSplitter(Qt.Orientation.Horizontal)
        self.panels.addWidget(self.narration)
        self.panels.addWidget(self.code)
        self.panels.setSizes([600, 400])
        for panel in (self.narration, self.code.code):
            panel.setMinimumHeight(SMALLEST)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        dock = window.add_dock("explain", "Narration and code", self.panels, bottom, "log")
        dock.raise_()  # what a class reads first; the log is a tab behind it
        player.sig_trace_loaded.connect(self.explanation.set_trace)
        self.explanation.sig_step_changed.connect(self._point_at_step)
        self.explanation.sig_step_changed.connect(self._hold_search)
        self.explanation.sig_explanation_changed.connect(self._stop_pointing)
        self.animation.sig_changed.connect(self._follow_animation)
        self._pointing = self._following = False
        make = window.make_action
        self.previous_action = make(
            "Previous step", self.explanation.previous_step, "Up", "Back one step of the operation"
        )
        self.next_action = make(
            "Next step", self.explanation.next_step, "Down", "On one step of the operation"
        )
        for action in (self.previous_action, self.next_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for target in (window.centralWidget(), self.narration, self.code):
                target.addAction(action)
            window.add_action("player", action, section="steps")

    def _point_at_step(self) -> None:
        """The bytes or frames of the step the student walked to, lit in the pictures
        (as a hover in the other layer lights them)."""
        step, window = self.explanation.step, self.window
        self._stop_pointing()
        if step is None or step.where is None or self._following:
            return  # (following the player's animation, which outlines what it looks at)
        start, end, event = *step.where, self.explanation.event
        if event.layer == FRAMES or step.kind in PAGE_STEPS:
            if event.layer == FRAMES:
                frames = np.arange(start // FRAME_SIZE, -(-end // FRAME_SIZE))
            else:  # a heap's pages mapped or given back: their frames
                frames = np.array(event.frames_taken if step.kind == "map" else event.frames_given)
            for view in window.layer_views(FRAMES):
                view.highlight_frames(frames)
        else:
            for view in window.layer_views(HEAP):
                view.highlight_range(start, end)
        self._pointing = True

    def _stop_pointing(self) -> None:
        if not self._pointing:
            return
        for view in self.window.layer_views(FRAMES):
            view.highlight_frames(None)
        for view in self.window.layer_views(HEAP):
            view.highlight_range(-1, -1)
        self._pointing = False

    def _searched(self) -> bool:
        """Whether the operation explained made the search the pictures can show: the
        heap search they show, or the frame scan of the latest operation."""
        event, model = self.explanation.event, self.window.model
        if event is None:
            return False
        if event.search is not None:
            return event.search is model.last_heap_event
        history = model.history
        return frame_scan(event) is not None and bool(history) and history[-1] is event

    def _hold_search(self) -> None:
        """The student walked to another step: the pictures show the search that far (a
        heap search on the free list as it was before, the chosen region still free; a
        frame scan with the frame found still free) until the last step is reached."""
        if self._following or not self._searched():
            return
        explanation = self.explanation
        if explanation.index == len(explanation.steps) - 1:
            self.animation.stop()  # the last step: the pictures as they are
        else:
            self.animation.hold(explanation.event, *explanation.search_progress())

    def _follow_animation(self) -> None:
        """The player animates a search: the narration and the code follow it, node by
        node or frame by frame."""
        animation, explanation = self.animation, self.explanation
        if animation.held or not self._searched():
            return
        if animation.current is None:  # over: the operation's last step, as it ended
            step = len(explanation.steps) - 1
        elif animation.current is explanation.event:
            step = explanation.step_of_progress(*animation.looked())
        else:
            return
        self._following = True
        try:
            explanation.go_to(step)
        finally:
            self._following = False

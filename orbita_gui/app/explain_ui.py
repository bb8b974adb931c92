"""The window's explaining features: the narration and code panels, and the keys that
walk the steps of the operation explained."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QSplitter

from orbita_gui.model.explanation import Explanation
from orbita_gui.views.code_panel import CodePanel
from orbita_gui.views.narration_panel import NarrationPanel


class ExplainUi(QObject):
    """Owns the `Explanation` of the window's model and the two panels that show it."""

    def __init__(self, window, player) -> None:
        super().__init__(window)
        self.explanation = Explanation(window.model, self)
        self.narration = NarrationPanel(self.explanation)
        self.code = CodePanel(self.explanation)
        self.panels = QSplitter(Qt.Orientation.Horizontal)
        self.panels.addWidget(self.narration)
        self.panels.addWidget(self.code)
        self.panels.setSizes([600, 400])
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        dock = window.add_dock("explain", "Narration and code", self.panels, bottom, "log")
        dock.raise_()  # what a class reads first; the log is a tab behind it
        player.sig_trace_loaded.connect(self.explanation.set_trace)
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

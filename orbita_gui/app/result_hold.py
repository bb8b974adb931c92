"""Until an operation's last step is reached, the log, the status bar and the
statistics keep its result back and tell the state before it, as the pictures do: a
class predicting the next step must not read the answer in a corner of the window."""

from __future__ import annotations

from PySide6.QtCore import QObject

from orbita_gui.model.explanation import Explanation
from orbita_gui.traces.narration import op_text


class ResultHold(QObject):
    """Follows an `Explanation`; `holding` while it shows a step before the last."""

    def __init__(self, window, explanation: Explanation) -> None:
        super().__init__(window)
        self.window, self.explanation = window, explanation
        self.holding = False
        explanation.sig_step_changed.connect(self._update)
        explanation.sig_explanation_changed.connect(self._update)

    def _update(self) -> None:
        explanation, window = self.explanation, self.window
        if not explanation.pending:  # cheap: a fast replay explains thousands a second
            if self.holding:
                self.holding = False
                window.log.log.hold(None)
                window.stats.hold(None)
                window.hold_status(None)
            return
        self.holding = True
        step = f"step {explanation.index + 1} of {len(explanation.steps)}"
        asked = op_text(explanation.op) if explanation.op is not None else "the operation"
        number = window.model.last_number
        which = f"operation {number:,}" if number is not None else "the operation"
        window.log.log.hold(explanation.event, f"… ({step}: the result shows at the last)")
        window.stats.hold(window.model.stats_before(explanation.event), f"Before {which}")
        window.hold_status(f"{which.capitalize()}, {asked}: {step}; the result shows at the last")

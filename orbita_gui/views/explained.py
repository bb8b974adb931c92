"""What the narration and the code panel share: how they follow an `Explanation`."""

from __future__ import annotations

from PySide6.QtCore import QEvent

from orbita_gui.model.explanation import Explanation

from .throttle import TEXT_PER_SECOND, Throttle


class FollowsExplanation:
    """A panel (mixed in before its Qt class) that redraws, with `redraw()`, when
    another operation is explained (at most `TEXT_PER_SECOND` times a second: a fast
    replay explains thousands), at once when the student moves a step, and when a new
    theme comes (the colours written into its text are the old ones until then)."""

    def follow(self, explanation: Explanation) -> None:
        self.explanation = explanation
        self.redraws = Throttle(self.redraw, TEXT_PER_SECOND, self)
        explanation.sig_explanation_changed.connect(self.redraws.request)
        explanation.sig_step_changed.connect(self.redraw)
        self.redraw()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "explanation"):
            self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError

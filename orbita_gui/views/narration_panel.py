"""The narration: the operation explained in sentences, one a step, the step shown lit.

On top, what the trace's author wrote about the operation (or, before the
first one, about the whole trace); then the operation; then its steps,
numbered, each with its reason; then the result. Clicking a step shows it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

from orbita_gui.model.explanation import Explanation
from orbita_gui.traces.narration import op_text, sentence

from . import palette, type_scale
from .explained import FollowsExplanation

WAITING = "Run an operation (the toolbar, or the player's ▶) and each step is told here."
STEP_LINK = "step:"
TOLD_AT_MOST, TOLD_AT_ENDS, TOLD_AROUND = 24, 3, 4
"""A search of more steps is told in part: its first and last `TOLD_AT_ENDS`, and
`TOLD_AROUND` either side of the step shown."""


class NarrationPanel(FollowsExplanation, QTextBrowser):
    """Reads an `Explanation`; redraws at most `TEXT_PER_SECOND` times a second, so a
    fast replay shows the latest operation without telling every one."""

    def __init__(self, explanation: Explanation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setReadOnly(True)
        type_scale.styled(self, 13)
        self.anchorClicked.connect(self._on_link)
        self.follow(explanation)

    def redraw(self) -> None:
        self.setHtml(narration_html(self.explanation))
        self.scrollToAnchor(f"at{self.explanation.index}")

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(STEP_LINK):
            self.explanation.go_to(int(text[len(STEP_LINK) :]))


def told_steps(count: int, index: int) -> list[int]:
    """The steps the narration writes out: all of a short operation; of a long search
    (first fit past thousands of nodes), the first few, those around the step shown and
    the last few, the others counted in a row of their own. Laying out hundreds of rows
    ten times a second would take the player's every frame."""
    if count <= TOLD_AT_MOST:
        return list(range(count))
    ends = range(TOLD_AT_ENDS)
    told = {*ends, *range(index - TOLD_AROUND, index + TOLD_AROUND + 1)}
    told |= {count - 1 - n for n in ends}
    return sorted(n for n in told if 0 <= n < count)


def narration_html(explanation: Explanation) -> str:
    """The narration as the panel shows it."""
    ink, muted, lit = palette.INK.name(), palette.MUTED.name(), palette.MARKER.name()
    paper = palette.PAPER.name()
    parts = []
    note = explanation.note
    if note:
        said = "<br>".join(html.escape(line) for line in note.splitlines())
        parts.append(f'<p style="color:{palette.WARNING.name()}"><i>{said}</i></p>')
    event = explanation.event
    if event is None:
        if not note:
            parts.append(f'<p style="color:{muted}">{html.escape(WAITING)}</p>')
        return "".join(parts)
    head = op_text(explanation.op) if explanation.op is not None else event.describe()
    if explanation.undone:
        head = "Undone: " + head
    parts.append(f'<p style="color:{ink}"><b>{html.escape(head)}</b></p>')
    rows, steps, shown_before = [], explanation.steps, -1
    for number in told_steps(len(steps), explanation.index):
        if number > shown_before + 1:
            skipped = number - shown_before - 1
            rows.append(f'<tr><td></td><td style="color:{muted}">… {skipped:,} more …</td></tr>')
        shown_before = number
        text = html.escape(sentence(steps[number].reason))
        link = f'<a name="at{number}" href="{STEP_LINK}{number}" style="text-decoration:none;'
        if number == explanation.index:
            rows.append(
                f'<tr><td>{link}color:{paper};background:{lit}">&nbsp;▶ {number + 1}&nbsp;</a></td>'
                f'<td style="color:{ink}"><b>{text}</b></td></tr>'
            )
        else:
            rows.append(
                f'<tr><td>{link}color:{muted}">&nbsp;&nbsp;&nbsp;{number + 1}&nbsp;</a></td>'
                f'<td style="color:{muted if number > explanation.index else ink}">{text}</td></tr>'
            )
    parts.append(f'<table cellspacing="2">{"".join(rows)}</table>')
    if explanation.op is not None and not explanation.pending:  # told at the last step
        colour = palette.ERROR.name() if event.failed else muted
        parts.append(f'<p style="color:{colour}">→ {html.escape(event.describe())}</p>')
    return "".join(parts)

"""The code panel: the allocator's source with the line of the step shown lit.

The guide's own Rust for the guide's frame allocator and heap; pseudo-code
for the other policies, with the lines of the machine's policy (its fit, its
list order, coalescing) marked. The listing is the one the registry names for
the allocator of the layer that made the operation explained.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from orbita_gui.core import registry
from orbita_gui.core.events import FRAMES
from orbita_gui.core.listing import Listing, listing
from orbita_gui.model.explanation import Explanation

from . import palette, type_scale
from .explained import FollowsExplanation

POLICY_TINT = 40
"""Alpha of the marker colour behind the lines of the machine's own policy."""


def allocator_kind(machine, layer: str) -> str:
    """The registry's name of the machine's allocator of `layer`."""
    if layer == FRAMES:
        return machine.frames.kind
    return getattr(machine, "heap_kind", None) or machine.heap.kind


def policy_lines(shown: Listing, params) -> list[int]:
    """Lines tagged with one of the allocator's parameter values (`fit:best`,
    `order:addrsort`; `coalesce` when it is on): the policy the machine runs."""
    lines = []
    for name, value in params.items():
        tag = name if value is True else f"{name}:{value}"
        if tag in shown.tags:
            lines.append(shown.tags[tag])
    return lines


class CodePanel(FollowsExplanation, QWidget):
    """A title naming the listing, then the listing; follows an `Explanation`."""

    def __init__(self, explanation: Explanation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        type_scale.styled(self.title, 11, bold=True)
        self.code = QPlainTextEdit(readOnly=True)
        type_scale.styled(self.code, 11, mono=True)  # wrapped: on a projector no line is cut
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.code, 1)
        self.listing: Listing | None = None
        self.lit: int | None = None
        """The line lit now (0-based), if any."""
        explanation.model.sig_machine_reset.connect(self.redraw)
        self.follow(explanation)

    def redraw(self) -> None:
        machine = self.explanation.model.machine
        event = self.explanation.event
        layer = event.layer if event is not None else "heap"
        kind = allocator_kind(machine, layer)
        name = registry.kind(kind).listing
        if not name:
            self._show(None, f"{kind}: no listing")
            return
        shown = listing(name)
        if shown is not self.listing:
            self.code.setPlainText(_narrow_indents(shown.text))
            self.listing = shown
        step = self.explanation.step
        self.lit = shown.line_of(step.code_line) if step is not None else None
        params = machine.frames.params if layer == FRAMES else machine.heap.params
        self._light(policy_lines(shown, params))
        self.title.setText(shown.lines[0].lstrip("/# ").strip())

    def _show(self, shown: Listing | None, title: str) -> None:
        self.listing, self.lit = shown, None
        self.code.setPlainText("")
        self.title.setText(title)

    def _light(self, policy: list[int]) -> None:
        """Tint the policy's lines; light the step's line and scroll it into view."""
        selections = []
        tint = QColor(palette.MARKER)
        tint.setAlpha(POLICY_TINT)
        for line in policy:
            selections.append(_line_selection(self.code, line, tint, None))
        if self.lit is not None:
            selections.append(_line_selection(self.code, self.lit, palette.MARKER, palette.PAPER))
            cursor = QTextCursor(self.code.document().findBlockByNumber(self.lit))
            self.code.setTextCursor(cursor)
            self.code.centerCursor()
        self.code.setExtraSelections(selections)


def _line_selection(edit: QPlainTextEdit, line: int, back: QColor, ink: QColor | None):
    selection = QTextEdit.ExtraSelection()
    fmt = QTextCharFormat()
    fmt.setBackground(back)
    fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
    if ink is not None:
        fmt.setForeground(ink)
        fmt.setFontWeight(700)
    selection.format = fmt
    selection.cursor = QTextCursor(edit.document().findBlockByNumber(line))
    return selection


def _narrow_indents(text: str) -> str:
    """Two spaces an indent level instead of four: a narrow panel wraps fewer lines."""
    return re.sub(r"(?m)^( +)", lambda match: " " * (len(match[1]) // 2), text)

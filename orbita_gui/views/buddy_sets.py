"""A buddy allocator's free sets, order by order: where the next request of each size
comes from, and which blocks are waiting for their buddy."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.core.units import format_size
from orbita_gui.model import MachineModel

from . import palette, type_scale
from .frames_panel import FramesPanel
from .throttle import TEXT_PER_SECOND, Throttle

SHOWN_PER_ORDER = 8
"""Free blocks named in an order's row; the rest are counted."""


def sets_html(frames) -> str:
    """One row per order, the top first: its block size, and its free blocks' first frames
    (frame numbers: a block of order k starts at a multiple of 2**k)."""
    ink, muted = palette.INK.name(), palette.MUTED.name()
    rows = []
    for order in range(frames.top_order, -1, -1):
        free = frames.free_blocks(order)
        size = format_size((1 << order) * FRAME_SIZE)
        named = ", ".join(f"{start:,}" for start in free[:SHOWN_PER_ORDER])
        if len(free) > SHOWN_PER_ORDER:
            named += f" … ({len(free) - SHOWN_PER_ORDER:,} more)"
        colour = ink if free else muted
        rows.append(
            f'<tr style="color:{colour}"><td nowrap><b>order {order}</b> · '
            f"{html.escape(size)}</td><td>&nbsp;&nbsp;{html.escape(named or 'none free')}</td></tr>"
        )
    return f'<table cellspacing="4">{"".join(rows)}</table>'


class BuddySetsView(FramesPanel):
    """The free sets of the machine's buddy allocator, redrawn after model changes (at
    most `TEXT_PER_SECOND` times a second). It names frames, it does not draw them."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self.text = QLabel(wordWrap=True)
        type_scale.styled(self.text, 12)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)
        self.redraws = Throttle(self.redraw, TEXT_PER_SECOND, self)
        model.sig_changed.connect(self.redraws.request)
        self._listening = True
        self.redraw()

    def redraw(self) -> None:
        self.text.setText(sets_html(self.model.machine.frames))

    def cleanup(self) -> None:
        """Stop listening (before the view goes away); safe to call twice."""
        if self._listening:
            self._listening = False
            self.model.sig_changed.disconnect(self.redraws.request)
            self.redraws.stop()

"""The split tree of the latest block a buddy allocator worked on (see
`buddy_tree_state`): a row per order, each block's halves side by side below it,
filled with what became of them, the node of the step being explained ringed.

The steps of a buddy operation move only when the student walks them (Up, Down, a
GIF's frames): the window then points every frames view at the step's frames with
`highlight_frames`, and the node with exactly those frames is the step's.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget

from orbita_gui.model import MachineModel

from . import palette, type_scale
from .buddy_tree_state import (
    FREE,
    FREED,
    MADE,
    OUTSIDE,
    USED,
    LatestBlockOperation,
    SplitTree,
    TreeNode,
    split_tree,
)
from .frames_panel import FramesPanel
from .heap_canvas import label_font
from .throttle import PICTURE_PER_SECOND, Throttle

MARGIN, POINTER, GAP, ROW_GAP, PAD, RING = 6, 20, 10, 10, 4, 6
"""Design units (pixels at zoom 1): around the picture, the room for the step's ▶ at
the left of its row, between a row's halves, between rows, inside a box, and from a
box to the outer edge of the ring around the step's node."""
NARROWEST = 200
"""The least width the tree asks for: its words shorten to fit what it gets."""
NOTHING_YET = "No block allocated or freed yet."

FILLS = {
    FREE: palette.FREE,
    MADE: palette.MADE,
    FREED: palette.FREED,
    USED: palette.USED,
    OUTSIDE: palette.OUTSIDE,
}
"""What became of a block, in the grid's colours (the palette's objects: a new theme
changes them in place); the others (split, merged) are outlines on the paper."""
LIVE, FREE_BLOCK = {MADE, USED}, {FREE, FREED}
"""Outlined as the grid outlines its blocks: solid around a live one, dashed around a
free one."""


def ink_on(fill: QColor) -> QColor:
    """Black or white, whichever is the more legible on `fill` (at least 4.5:1 on every
    theme's fills): no theme's ink is on every fill."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in fill.getRgbF()[:3]
    ]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return QColor(Qt.GlobalColor.black if luminance > 0.179 else Qt.GlobalColor.white)


class BuddyTreeView(FramesPanel):
    """The split tree of the machine's latest buddy block operation, redrawn after model
    changes (at most `PICTURE_PER_SECOND` times a second). A frames view as the window
    expects one: it hovers and picks no frame, and lights the node of the frames it is
    pointed at."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._latest = LatestBlockOperation()
        self._tree: SplitTree | None = None
        self._drawn: SplitTree | None = None
        self._asked = QSize()
        self._unrevealed = False
        self._pointed: tuple[int, int] | None = None
        self._explained = model.history[-1] if model.history else None
        """The operation the narration explains, as the model announces them (the latest
        applied when the view is built); None once one was taken back."""
        self._font = label_font(11)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.redraws = Throttle(self.redraw, PICTURE_PER_SECOND, self)
        self._connections = (
            (model.sig_changed, self.redraws.request),
            (model.sig_machine_reset, self._on_reset),
            (model.sig_event_applied, self._on_applied),
            (model.sig_events_applied, self._on_applied_many),
            (model.sig_event_reverted, self._on_reverted),
            (model.sig_events_reverted, self._on_reverted),
            (type_scale.changes().sig_scale_changed, self.redraw),
        )
        for signal, slot in self._connections:
            signal.connect(slot)
        self._listening = True

    # What it shows

    @property
    def tree(self) -> SplitTree | None:
        """The tree of the latest block operation in the machine's history, or None."""
        event = self._latest.find(self.model.history)
        if event is None or self._tree is None or self._tree.event is not event:
            self._tree = split_tree(event)
        return self._tree

    @property
    def lit(self) -> int | None:
        """The node of the step being explained: the one whose frames the view is pointed
        at, while the operation explained is the tree's."""
        tree = self.tree
        if tree is None or self._pointed is None or self._explained is not tree.event:
            return None
        return tree.node_at(*self._pointed)

    def caption(self) -> str | None:
        """What names the tree's operation when another one is explained (on the heap,
        or taken back)."""
        tree = self.tree
        if tree is None or self._explained is tree.event:
            return None
        return f"The latest block operation: {tree.event.describe()}"

    def redraw(self, *_) -> None:
        tree = self.tree
        if tree is not self._drawn:
            self._drawn, self._unrevealed = tree, True
        if self.sizeHint() != self._asked:  # the layer's views are laid out again only then
            self._asked = self.sizeHint()
            self.updateGeometry()
        self._reveal_outcome()
        self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reveal_outcome()

    def _reveal_outcome(self) -> None:
        """Once laid out at its height, a new tree shows the node of the step the
        narration is at: the last, the block handed out or the one a release ended in."""
        tree = self._drawn
        if self._unrevealed and self.height() >= self.sizeHint().height():
            self._unrevealed = False
            self._reveal(QRectF() if tree is None else self._box(tree.nodes[tree.outcome]))

    # The window's protocol of frames views

    def highlight_frames(self, frames) -> None:
        """Light the node whose block is exactly `frames` (a step's), if there is one."""
        whole = frames is not None and len(frames) and frames[-1] - frames[0] + 1 == len(frames)
        self._pointed = (int(frames[0]), len(frames)) if whole else None
        lit = self.lit
        if lit is not None:
            self._reveal(self._box(self.tree.nodes[lit]))
        self.update()

    def cleanup(self) -> None:
        """Stop listening (before the view goes away); safe to call twice."""
        if self._listening:
            self._listening = False
            for signal, slot in self._connections:
                signal.disconnect(slot)
            self.redraws.stop()

    def _on_reset(self) -> None:
        self._latest, self._pointed, self._explained = LatestBlockOperation(), None, None
        self.redraw()

    def _on_applied(self, event) -> None:
        self._explained = event

    def _on_applied_many(self, events) -> None:
        self._explained = events[-1]

    def _on_reverted(self, _) -> None:
        self._explained = None

    # Geometry, in design units (pixels at zoom 1; the painter scales them)

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self._font)

    def _box_height(self) -> float:
        return self._metrics().height() + 2 * PAD

    def _rows_top(self) -> float:
        """Below the line that names an earlier operation, if the tree is one's."""
        return MARGIN + (self._metrics().height() + PAD if self.caption() else 0)

    def _design_height(self) -> float:
        tree = self.tree
        if tree is None:
            return 2 * MARGIN + 2 * self._metrics().height()
        return self._rows_top() + tree.rows * (self._box_height() + ROW_GAP) - ROW_GAP + MARGIN

    def sizeHint(self) -> QSize:
        zoom = type_scale.scale()
        return QSize(round(2 * NARROWEST * zoom), round(self._design_height() * zoom))

    def minimumSizeHint(self) -> QSize:
        return QSize(round(NARROWEST * type_scale.scale()), self.sizeHint().height())

    def _box(self, node: TreeNode) -> QRectF:
        left = MARGIN + POINTER
        room = self.width() / type_scale.scale() - left - MARGIN
        height = self._box_height()
        top = self._rows_top() + node.row * (height + ROW_GAP)
        if node.column is None:
            return QRectF(left, top, room, height)
        half = (room - GAP) / 2
        return QRectF(left + node.column * (half + GAP), top, half, height)

    def _reveal(self, box: QRectF) -> None:
        """Scroll the lit node into sight: a deep tree is taller than a projector's room."""
        area = self.parentWidget() and self.parentWidget().parentWidget()
        if isinstance(area, QScrollArea):
            zoom = type_scale.scale()
            centre = box.center() * zoom
            margin = round((box.height() / 2 + RING) * zoom)  # the box and its ring
            area.ensureVisible(round(centre.x()), round(centre.y()), 0, margin)

    # Painting

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), palette.PAPER)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        zoom = type_scale.scale()
        painter.scale(zoom, zoom)
        painter.setFont(self._font)
        width = self.width() / zoom - 2 * MARGIN
        tree = self.tree
        painter.setPen(palette.MUTED)
        if tree is None:
            where = QRectF(MARGIN, MARGIN, width, 2 * self._metrics().height())
            painter.drawText(where, Qt.TextFlag.TextWordWrap, NOTHING_YET)
            return
        earlier = self.caption()
        if earlier:
            said = self._metrics().elidedText(earlier, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRectF(MARGIN, MARGIN, width, self._metrics().height()), 0, said)
        boxes = [self._box(node) for node in tree.nodes]
        painter.setPen(QPen(palette.EDGE, 1.5))
        for node, box in zip(tree.nodes, boxes, strict=True):
            if node.parent is not None:
                above = boxes[node.parent]
                painter.drawLine(above.center().x(), above.bottom(), box.center().x(), box.top())
        for node, box in zip(tree.nodes, boxes, strict=True):
            self._draw_node(painter, node, box)
        lit = self.lit
        if lit is not None:
            self._draw_lit(painter, boxes[lit])

    def _draw_node(self, painter: QPainter, node: TreeNode, box: QRectF) -> None:
        fill = FILLS.get(node.role, palette.PAPER)
        if node.role in LIVE:
            pen = QPen(palette.MARKER, 2.5)
        elif node.role in FREE_BLOCK:
            pen = QPen(palette.MARKER, 1.5, Qt.PenStyle.DashLine)
        else:
            pen = QPen(palette.EDGE, 1.5)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 5, 5)
        painter.setPen(ink_on(fill))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.text_of(node))

    def text_of(self, node: TreeNode) -> str:
        """The longest of the node's words that fits its box (the shortest cut if none)."""
        room, metrics, texts = self._box(node).width() - 2 * PAD, self._metrics(), node.texts()
        fits = (text for text in texts if metrics.horizontalAdvance(text) <= room)
        return next(fits, metrics.elidedText(texts[-1], Qt.TextElideMode.ElideRight, room))

    def _draw_lit(self, painter: QPainter, box: QRectF) -> None:
        """A thick ring around the step's node, and a ▶ at its row's left."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(palette.MARKER, 3.5))
        ring = RING - 2
        painter.drawRoundedRect(box.adjusted(-ring, -ring, ring, ring), 8, 8)
        painter.setPen(palette.MARKER)
        arrow = QRectF(MARGIN - 4, box.top(), POINTER, box.height())
        painter.drawText(arrow, Qt.AlignmentFlag.AlignCenter, "▶")

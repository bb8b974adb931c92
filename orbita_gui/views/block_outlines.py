"""The blocks of a frame allocator that hands out blocks (a buddy), drawn over the
frame grid: each live block of two frames or more outlined solid, each free block
dashed, so that a class sees the halves a split made and the pairs a free merged.

A block of 2**k frames is aligned to its size and the grid's width is a power of
two, so a block is always one rectangle: part of a row, or whole rows.
"""

from __future__ import annotations

import heapq

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from . import palette

OUTLINED_AT_MOST = 4096
"""Blocks outlined, of each kind, largest first: beyond, the smallest are left bare
(a path of a million rectangles would take seconds to draw)."""


def block_rect(start: int, size: int, cols: int) -> QRectF:
    """The cells of the block of `size` frames at frame `start`, on a grid `cols` wide."""
    if size <= cols:
        return QRectF(start % cols, start // cols, size, 1)
    return QRectF(0, start // cols, cols, size // cols)


def _outline(style: Qt.PenStyle, width: float) -> QGraphicsPathItem:
    item = QGraphicsPathItem()
    pen = QPen(palette.MARKER, width, style)
    pen.setCosmetic(True)
    item.setPen(pen)
    item.setZValue(5)
    return item


class BlockOutlines:
    """Two path items for a plot (`items`): the live blocks and the free ones."""

    def __init__(self) -> None:
        self.live = _outline(Qt.PenStyle.SolidLine, 2.5)
        self.free = _outline(Qt.PenStyle.DashLine, 1.5)
        self.items = (self.live, self.free)
        self._drawn: object = None

    def show(self, machine, cols: int, revision: object) -> None:
        """Outline the blocks of `machine`'s frame allocator (nothing for one without
        blocks); drawn again only when `revision` (the model's) has moved."""
        if revision == self._drawn or (not machine.hands_out_blocks and self._drawn is None):
            return  # (a bitmap machine, and nothing outlined from a buddy before it)
        self._drawn = revision if machine.hands_out_blocks else None
        live, free = QPainterPath(), QPainterPath()
        if machine.hands_out_blocks:
            frames = machine.frames
            for order in range(frames.top_order, 0, -1):
                size = 1 << order
                for start in frames.free_blocks(order)[:OUTLINED_AT_MOST]:
                    free.addRect(block_rect(start, size, cols))
            orders = ((frames.block_order(start), start) for start in frames.live_blocks())
            largest = heapq.nlargest(OUTLINED_AT_MOST, orders)
            for order, start in (block for block in largest if block[0] >= 1):
                live.addRect(block_rect(start, 1 << order, cols))
        self.live.setPath(live)
        self.free.setPath(free)

    def describe(self, machine, frame: int) -> str | None:
        """Which block a frame is in, for its tooltip; None if the allocator has none."""
        if not machine.hands_out_blocks:
            return None
        frames = machine.frames
        start = frames.block_start(frame)
        if start is not None:
            order = frames.block_order(start)
            asked = frames.live_blocks()[start]
            return (
                f"In the order-{order} block of frames {start:,} to {start + (1 << order) - 1:,}"
                f" ({asked:,} asked)"
            )
        for order in range(frames.top_order + 1):
            start = frame & -(1 << order)
            if start in frames.free_blocks(order):
                end = start + (1 << order) - 1
                return f"In the free order-{order} block of frames {start:,} to {end:,}"
        return None

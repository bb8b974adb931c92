"""The heap in address order, one row per 4 KiB page, each labelled with its frame."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from orbita_gui.core import PAGE_SIZE
from orbita_gui.core.events import HEAP
from orbita_gui.model import MachineModel

from . import palette
from .heap_canvas import HeapCanvas, label_font
from .heap_segments import BLOCK, FREE, LOST, UNMAPPED
from .heap_state import animation_positions

ROW_HEIGHT = 30
MARGIN = 8
BAR_HEIGHT = ROW_HEIGHT - 6
FILL = {BLOCK: palette.USED, FREE: palette.FREE, LOST: palette.LOST, UNMAPPED: palette.OUTSIDE}
TEXT = {BLOCK: QColor("white"), FREE: palette.INK, LOST: QColor("white"), UNMAPPED: palette.INK}
WORD = {LOST: "lost", UNMAPPED: "not mapped"}
"""How a segment that is no block and no free region is labelled."""


MAX_BAR_ZOOM = 64
BOUNDARY_WIDTH = 1.5
FULL_LABELS_FROM = 420
"""Pages are labelled with their whole address when that leaves the bars this wide."""
ROVER_TIP = "next fit starts here: its next search begins at this region"


class HeapMapView(HeapCanvas):
    """Blocks (slate, their headers darker and hatched), free regions (paper) and lost
    bytes (coral), page by page.

    The last allocation's block is outlined solid teal, its leftover dashed, and the
    free regions its search passed over dotted sand (every region, for best and worst
    fit). Next fit's start is a triangle and a bar at its region's left edge; the
    regions a coalescing free joined are hatched inside a double outline. Click a
    block to free it, Ctrl+click to select it.
    """

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._font = label_font(11)
        self._metrics = QFontMetrics(self._font)
        # Labels are mostly digits, which the font draws at one width: estimating from it
        # saves measuring hundreds of strings a frame during a fast replay.
        self._char_width = self._metrics.horizontalAdvance("0000000000") / 10
        self._full_width = self._compact_width = 0
        self._shown = (0, 0)
        self.bar_zoom = 1
        """How many times wider than the view each page's bar is drawn (Ctrl+wheel)."""
        self._on_changed()

    def design_size(self) -> QSize:
        return QSize(640, 2 * MARGIN + self._pages() * ROW_HEIGHT)

    def design_minimum_size(self) -> QSize:
        width = self._compact_width + 120
        if self.bar_zoom > 1:  # wider than the view: the scroll area scrolls sideways
            width = round(self._label_width + self._bar_width() + MARGIN)
        return QSize(width, self.design_size().height())

    def wheelEvent(self, event) -> None:
        """Ctrl+wheel widens the bars (a 16-byte block becomes more than a sliver); the
        wheel alone scrolls, as anywhere else."""
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() // 120
        if steps:
            self.zoom_bars(2.0**steps)
        event.accept()

    def zoom_bars(self, factor: float) -> None:
        """Widen (or narrow) every page's bar by `factor`, from 1 to `MAX_BAR_ZOOM` views
        wide."""
        self.bar_zoom = min(max(self.bar_zoom * factor, 1), MAX_BAR_ZOOM)
        self.updateGeometry()
        self.update()

    def _on_changed(self) -> None:
        machine = self.model.machine
        frame = max(f"frame {machine.frames.total_frames:,}", "not mapped", key=len)
        widest = f"{machine.page_address(0):#_x} → {frame}"
        self._full_width = self._metrics.horizontalAdvance(widest) + 3 * MARGIN
        last = (len(machine.heap_frames) - 1) * PAGE_SIZE
        compact = f"+{last:#x} → {max(f'{machine.frames.total_frames:,}', 'none', key=len)}"
        self._compact_width = self._metrics.horizontalAdvance(compact) + 3 * MARGIN
        super()._on_changed()

    # Geometry

    @property
    def compact(self) -> bool:
        """Narrow (a 1024-wide projector): pages are labelled by their offset in the heap
        and their frame's number, leaving the bars room to be read; a label's tooltip
        says it in full."""
        return self._visible_width() - self._full_width < FULL_LABELS_FROM

    @property
    def _label_width(self) -> int:
        return self._compact_width if self.compact else self._full_width

    def _pages(self) -> int:
        return len(self.model.machine.heap_frames)

    def _visible_width(self) -> float:
        """The width on screen: the view's, or once zoomed wider, its scroll area's."""
        if self.bar_zoom > 1 and self.parentWidget() is not None:
            return self.parentWidget().width() / self.zoom
        return self.design_width()

    def _bar_width(self) -> float:
        """Every page's bar starts at `_label_width` and is this wide: the width on
        screen, times the zoom."""
        return max(self._visible_width() - self._label_width - MARGIN, 10) * self.bar_zoom

    def _bar(self, page: int) -> QRectF:
        return QRectF(self._label_width, _bar_top(page), self._bar_width(), BAR_HEIGHT)

    def _boxes(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the byte ranges `[starts[i], ends[i])` are drawn, cut at page rows:
        `(index, boxes)`, box `j` being `(x, y, width, height)` of a piece of range
        `index[j]`, pieces in address order. In numpy: a fast replay shows thousands."""
        machine = self.model.machine
        base, left = machine.page_base, self._label_width
        scale = self._bar_width() / PAGE_SIZE
        first = (starts - base) // PAGE_SIZE
        counts = (ends - 1 - base) // PAGE_SIZE - first + 1
        index = np.repeat(np.arange(len(starts)), counts)
        page = first[index] + np.arange(len(index)) - np.repeat(np.cumsum(counts) - counts, counts)
        page_start = base + page * PAGE_SIZE
        x0 = np.maximum(starts[index], page_start) - page_start
        x1 = np.minimum(ends[index], page_start + PAGE_SIZE) - page_start
        boxes = np.empty((len(index), 4))
        boxes[:, 0] = left + x0 * scale
        boxes[:, 1] = _bar_top(page)
        boxes[:, 2] = np.maximum((x1 - x0) * scale, 1.0)
        boxes[:, 3] = BAR_HEIGHT
        return index, boxes

    def _rects(self, start: int, end: int) -> list[QRectF]:
        """The boxes of one byte range, a row each."""
        if end <= start:
            return []
        _, boxes = self._boxes(np.array([start]), np.array([end]))
        return [QRectF(*box) for box in boxes.tolist()]

    # Painting

    def paint(self, painter: QPainter, rect) -> None:
        machine = self.model.machine
        first = max((rect.top() - MARGIN) // ROW_HEIGHT, 0)
        last = min((rect.bottom() - MARGIN) // ROW_HEIGHT, self._pages() - 1)
        if last < first:
            return
        painter.setFont(self._font)
        for page in range(first, last + 1):
            frame = int(machine.heap_frames[page])
            painter.setPen(palette.INK)
            label = QRectF(
                MARGIN, MARGIN + page * ROW_HEIGHT, self._label_width - 2 * MARGIN, ROW_HEIGHT
            )
            to = f"{frame:,}" if frame >= 0 else "none"
            if self.compact:
                text = f"+{page * PAGE_SIZE:#x} → {to}"
            else:
                to = f"frame {frame:,}" if frame >= 0 else "not mapped"
                text = f"{machine.page_address(page):#_x} → {to}"
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter, text)
            painter.fillRect(self._bar(page), palette.OUTSIDE)
        lo = machine.page_address(first)
        hi = machine.page_address(last + 1)
        self._shown = (lo, hi)  # what is drawn below is clipped to the rows on screen
        segments = self.segments
        span = segments.overlapping(lo, hi)
        starts, ends = segments.starts[span], segments.ends[span]
        index, boxes = self._boxes(np.maximum(starts, lo), np.minimum(ends, hi))
        kinds = segments.kinds[span][index]
        painter.setPen(Qt.PenStyle.NoPen)
        for kind, colour in FILL.items():
            painter.setBrush(colour)
            painter.drawRects([QRectF(*box) for box in boxes[kinds == kind].tolist()])
        self._paint_headers(painter, lo, hi)
        self._paint_boundaries(painter, boxes)
        # Label a segment once, where it starts, if its box has room for a size at least.
        opening = np.flatnonzero(
            (starts[index] >= lo)
            & np.r_[True, index[1:] != index[:-1]]
            & (boxes[:, 2] > 3 * self._char_width + 8)
        )
        ptrs = segments.ptrs[span]
        for j in opening.tolist():
            i = int(index[j])
            box, kind = QRectF(*boxes[j]), int(kinds[j])
            self._label(painter, box, int(starts[i]), int(ends[i]), kind, int(ptrs[i]))
        self._outline_last_allocation(painter, lo, hi)
        self._paint_merged(painter)
        self._paint_rover(painter)
        for ptr in self.model.selected_blocks:
            block = machine.heap.allocations().get(ptr)
            if block:
                self._outline(painter, block.start, block.end, palette.MARKER)
        if self.linked:
            overlay = QColor(palette.LINKED)
            overlay.setAlpha(110)
            for box in self._rects(*self._clip(*self.linked)):
                painter.fillRect(box, overlay)

    def _label(
        self, painter: QPainter, box: QRectF, start: int, end: int, kind: int, ptr: int
    ) -> None:
        """A segment's words, the longest that fit: a free region's note (next fit, joined)
        or a block's name (the trace's `a`, `big`), its offset, its size."""
        offset = start - self.model.machine.heap.heap_start
        size = f"{end - start:,} B"
        text = f"{WORD[kind]} {size}" if kind in WORD else f"+{offset:#x} · {size}"
        if kind == FREE:
            note = self._note(start, end)
        else:
            note = (self.model.name_of_block(ptr) or "") if kind == BLOCK else ""
        left = 4 + (14 if note.startswith("next fit") else 0)  # clear of the rover's mark
        for candidate in (f"{note} · {text}", f"{note} · {size}", text, size):
            if candidate.startswith(" · "):
                continue
            if len(candidate) * self._char_width + left + 4 <= box.width():
                painter.setPen(TEXT[kind])
                painter.drawText(
                    box.adjusted(left, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, candidate
                )
                return

    def _note(self, start: int, end: int) -> str:
        """A word on a free region's label: next fit starts there, or a free joined it."""
        rover = self.rover
        if rover is not None and int(self.free_nodes[0][rover]) == start:
            return "next fit"
        merged = self.merged_at(start, end)
        return f"joined {merged.count}" if merged is not None else ""

    def _paint_boundaries(self, painter: QPainter, boxes: np.ndarray) -> None:
        """A line where each region or block starts, inside a row: two free regions side
        by side stay two, visibly, at any width (the guide never merges them)."""
        inside = boxes[:, 0] > self._label_width + 0.5
        painter.setPen(QPen(palette.INK, BOUNDARY_WIDTH))
        painter.drawLines([QLineF(x, y, x, y + h) for x, y, _, h in boxes[inside].tolist()])

    def _paint_headers(self, painter: QPainter, lo: int, hi: int) -> None:
        """Each block's header, `[start, ptr)`: part of the block, darker and hatched;
        the address handed out is where it ends."""
        segments = self.segments
        span = segments.overlapping(lo, hi)
        starts, ptrs = segments.starts[span], segments.ptrs[span]
        headed = (segments.kinds[span] == BLOCK) & (ptrs > starts)
        if not headed.any():
            return
        _, boxes = self._boxes(np.maximum(starts[headed], lo), np.minimum(ptrs[headed], hi))
        rects = [QRectF(*box) for box in boxes.tolist()]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.HEADER)
        painter.drawRects(rects)
        painter.setBrush(QBrush(palette.USED, Qt.BrushStyle.BDiagPattern))
        painter.drawRects(rects)

    def _paint_rover(self, painter: QPainter) -> None:
        """Next fit's start: a triangle on its region's left edge and a bar down it."""
        rover = self.rover
        if rover is None:
            return
        start = int(self.free_nodes[0][rover])
        lo, hi = self._shown
        if not lo <= start < hi:
            return
        box = self._rects(start, start + 1)[0]
        x, top = box.left(), box.top()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.MARKER)
        painter.drawRect(QRectF(x, top, 3, box.height()))
        painter.drawPolygon(
            QPolygonF([QPointF(x, top), QPointF(x + 14, top), QPointF(x, top + 14)])
        )

    def _paint_merged(self, painter: QPainter) -> None:
        """The regions the latest free joined: hatched, inside a double outline."""
        for region in self.merged:
            rects = self._rects(*self._clip(region.start, region.end))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(palette.MARKER, Qt.BrushStyle.FDiagPattern))
            painter.drawRects([rect.adjusted(1, 1, -1, -1) for rect in rects])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for rect in rects:
                painter.setPen(QPen(palette.MARKER, 2))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
                painter.setPen(QPen(palette.MARKER, 1))
                painter.drawRect(rect.adjusted(5, 5, -5, -5))

    def _clip(self, start: int, end: int) -> tuple[int, int]:
        """`[start, end)` cut to the rows being painted."""
        lo, hi = self._shown
        return max(start, lo), min(end, hi)

    def _paint_free(self, painter: QPainter, start: int, size: int) -> None:
        """A region as it was before the search took it: one free region."""
        for box in self._rects(*self._clip(start, start + size)):
            painter.fillRect(box, palette.FREE)
            painter.setPen(QPen(palette.MUTED, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box.adjusted(0, 0, -1, -1))

    def _outline(self, painter, start, end, color, style=Qt.PenStyle.SolidLine, width=3) -> None:
        pen = QPen(color, width, style)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for box in self._rects(*self._clip(start, end)):
            painter.drawRect(box.adjusted(1, 1, -1, -1))

    def _outline_last_allocation(self, painter: QPainter, lo: int, hi: int) -> None:
        """Outline, within `[lo, hi)` (the rows on screen), what the last search passed over
        (dotted), the block it made (solid) and the leftover it put back (dashed). While
        the search is animated, only what it has looked at so far, the region it looks
        at now in a thick outline, and best or worst fit's winner once met (dash-dot)."""
        event = self.model.last_heap_event
        picture = self.search
        if event is None or picture is None:
            self._outline_made(painter)
            return
        search = self.animated_search()
        done = True
        if search is event and picture.before is not None:
            before_starts, before_sizes = picture.before
            looked, done = self.search_progress(search)
            if not done and picture.chosen is not None:  # not yet taken: still free
                self._paint_free(painter, *picture.chosen)
            shown = animation_positions(search, len(before_starts), looked, done)
            regions = [(int(before_starts[p]), int(before_sizes[p])) for p in shown.passed]
            for mark, style in ((shown.current, None), (shown.best, Qt.PenStyle.DashDotLine)):
                if mark is not None:
                    start, size = int(before_starts[mark]), int(before_sizes[mark])
                    if style is None:
                        self._outline(painter, start, start + size, palette.MARKER, width=5)
                    else:
                        self._outline(painter, start, start + size, palette.MADE, style)
        else:
            starts, sizes = self.free_nodes
            shown = self.looked & (starts < hi) & (starts + sizes > lo)
            regions = list(zip(starts[shown].tolist(), sizes[shown].tolist(), strict=True))
        dotted = Qt.PenStyle.DotLine
        for start, size in regions:
            if start < hi and start + size > lo:
                self._outline(painter, start, start + size, palette.PASSED_LINE, dotted)
        if not done:
            return
        block = self.model.machine.heap.allocations().get(event.ptr)
        if block is event.block and block is not None:
            self._outline(painter, block.start, block.end, palette.MADE)
        if event.leftover:
            start, size = event.leftover
            self._outline(painter, start, start + size, palette.MADE, Qt.PenStyle.DashLine)

    def _outline_made(self, painter: QPainter) -> None:
        """For a heap that searches no list (a slab, a block list's pop): the blocks the
        latest operation made, while they live."""
        history = self.model.history
        latest = history[-1] if history else None
        if latest is None or latest.layer != HEAP:
            return
        live = self.model.machine.heap.allocations()
        for block in latest.blocks_made:
            if live.get(block.ptr) is block:
                self._outline(painter, block.start, block.end, palette.MADE)

    # Hover and clicks

    def _address_at(self, pos: QPoint) -> int | None:
        page = (pos.y() - MARGIN) // ROW_HEIGHT
        if not 0 <= page < self._pages():
            return None
        bar = self._bar(page)
        if not bar.left() <= pos.x() < bar.right():
            return None
        offset = int((pos.x() - bar.left()) / bar.width() * PAGE_SIZE)
        return self.model.machine.page_address(page) + offset

    def label_hit(self, pos: QPoint) -> tuple[int, int, str] | None:
        """A page's label under the mouse: its heap bytes and the mapping in full (the
        label may be the short one), or None."""
        page = (pos.y() - MARGIN) // ROW_HEIGHT
        if not (0 <= page < self._pages() and MARGIN <= pos.x() < self._label_width - MARGIN):
            return None
        machine, heap = self.model.machine, self.model.machine.heap
        address = machine.page_address(page)
        start = max(address, heap.heap_start)
        end = min(address + PAGE_SIZE, heap.heap_start + heap.heap_size)
        frame = int(machine.heap_frames[page])
        if frame < 0:
            tip = f"Heap page {address:#_x} (virtual) is not mapped: no frame backs it yet"
        else:
            tip = f"Heap page {address:#_x} (virtual) is mapped to frame {frame:,} (physical)"
        return start, end, tip

    def mouseMoveEvent(self, event) -> None:
        label = self.label_hit(self.design_pos(event))
        if label is None:
            super().mouseMoveEvent(event)
            return
        if label[:2] != self._hovered:
            self._hovered = label[:2]
            self.sig_range_hovered.emit(*label[:2])
        QToolTip.showText(QCursor.pos(), label[2], self)

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        address = self._address_at(pos)
        index = None if address is None else self.segments.at(address)
        if index is None:
            return -1, -1, ""
        start, end = int(self.segments.starts[index]), int(self.segments.ends[index])
        kind, ptr = int(self.segments.kinds[index]), int(self.segments.ptrs[index])
        return start, end, self.describe(start, end, kind, ptr)

    def describe(self, start: int, end: int, kind: int, ptr: int | None = None) -> str:
        machine = self.model.machine
        frames = ", ".join(f"{f:,}" for f in machine.frames_under(start, end - start).tolist())
        where = f"{start:#_x} – {end - 1:#_x} (frames {frames})"
        if kind == BLOCK:
            block = machine.heap.allocations()[start if ptr is None else ptr]
            name = self.model.name_of_block(block.ptr)
            called = f" {name}" if name else ""
            lines = [f"Block{called} of {block.size:,} bytes at {where}"]
            if block.header:
                lines.append(
                    f"Header: {block.header:,} bytes in front; the address handed out is "
                    f"{block.ptr:#_x}"
                )
            lines += [
                f"Asked for: {block.layout}",
                f"Alignment padding lost in front of it: {block.padding:,} bytes",
                "Click to free it; Ctrl+click to select it",
            ]
            return "\n".join(lines)
        if kind == FREE:
            starts, _ = self.free_nodes
            position = int(np.flatnonzero(starts == start)[0])
            lines = [
                f"Free region of {end - start:,} bytes at {where}",
                f"Node {position + 1:,} of {len(starts):,} in the free list",
            ]
            if position == self.rover:
                lines.append(ROVER_TIP)
            merged = self.merged_at(start, end)
            if merged is not None:
                lines.append(f"The latest free {merged.describe()}")
            picture = self.search
            if picture is not None and start in picture.reasons:
                lines.append(f"Last search: {picture.reasons[start]}")
            return "\n".join(lines)
        if kind == UNMAPPED:
            return (
                f"{end - start:,} bytes not mapped at {start:#_x} – {end - 1:#_x}\n"
                "No frame backs these pages: the heap maps them when it needs them"
            )
        why = (
            "A slab's leftover: too small for another object"
            if machine.heap_grows
            else "Alignment padding: this allocator never gives it back"
        )
        return f"{end - start:,} bytes lost at {where}\n{why}"

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        address = self._address_at(self.design_pos(event))
        index = None if address is None else self.segments.at(address)
        if index is not None and self.segments.kinds[index] == FREE:
            self.sig_region_picked.emit(int(self.segments.starts[index]))
        if index is None or self.segments.kinds[index] != BLOCK:
            return
        ptr = int(self.segments.ptrs[index])
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.model.toggle_block_selection(ptr)
        else:
            self.model.free_block(ptr)


def _bar_top(page):
    """Top of a page's bar (for a page number or an array of them)."""
    return MARGIN + page * ROW_HEIGHT + 3

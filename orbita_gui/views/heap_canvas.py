"""What the two heap pictures share: the model's signals, hover links, and fonts."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRectF, QSize, Signal
from PySide6.QtGui import QCursor, QFont, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from orbita_gui.model import MachineModel

from . import palette, type_scale
from .heap_segments import HeapSegments, heap_segments
from .heap_state import (
    MergedRegion,
    SearchPicture,
    heap_search,
    merged_regions,
    release_merges,
    rover_position,
    search_picture,
)
from .throttle import PICTURE_PER_SECOND, Throttle


def label_font(point_size: int = 11, bold: bool = False) -> QFont:
    """A font for a picture's words, at zoom 1: the picture's painter scales it with
    everything else it draws (see `HeapCanvas.zoom`)."""
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


class StateCache:
    """A value derived from the model's machine, computed again once the machine has
    changed. Keyed on the model's revision, which moves with the change itself, not
    with the repaint that follows later: hovering right after a change reads the
    state now, never a picture of the state before."""

    def __init__(self, model: MachineModel, compute) -> None:
        self._model, self._compute = model, compute
        self._revision, self._value = None, None

    def get(self):
        if self._revision != self._model.revision:
            self._value, self._revision = self._compute(), self._model.revision
        return self._value


class HeapCanvas(QWidget):
    """A heap picture: repaints after model changes (at most `PICTURE_PER_SECOND` times a
    second), links hovers with the frame grid.

    Subclasses draw in `paint(painter, rect)` and say what is under the mouse in
    `hit(pos)` as `(start, end, tooltip)`. Both read the same marks: the last
    search (`search`), next fit's roving start (`rover`), and the regions the
    latest free joined (`merged`).

    Both work in design units, as at zoom 1: the painter, the mouse positions
    (`design_pos`) and the sizes (`design_size`, `design_minimum_size`) are
    scaled by `zoom`, the type scale, so that boxes grow with their words.
    """

    sig_range_hovered = Signal(object, object)
    """Heap bytes `[start, end)` under the mouse, or -1, -1: lets the grid show their frames."""
    sig_region_picked = Signal(object)
    """A free region clicked (its node, or its bytes on the map): its start. Predict
    mode takes it as the student's guess."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.linked: tuple[int, int] | None = None
        self.animation = None
        self._hint = None
        """The sizes last asked of the layout (`_redraw` tells it of new ones)."""
        self._segments = StateCache(
            model, lambda: heap_segments(model.machine.heap, self.free_nodes, self._unmapped())
        )
        self._free = StateCache(model, self._read_free)
        self._search = StateCache(model, self._read_search)
        self._looked = StateCache(model, self._read_looked)
        self.merged: tuple[MergedRegion, ...] = ()
        """The regions the latest heap operation joined (a coalescing free), if it did."""
        self._hovered: tuple[int, int] = (-1, -1)
        self.repaints = Throttle(self._redraw, PICTURE_PER_SECOND, self)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(False)
        model.sig_changed.connect(self._on_changed)
        model.sig_selection_changed.connect(self.update)
        model.sig_machine_reset.connect(self._on_reset)
        model.sig_event_applied.connect(self._on_event)
        model.sig_events_applied.connect(self._on_events)
        model.sig_event_reverted.connect(self._forget_merges)
        model.sig_events_reverted.connect(self._forget_merges)
        type_scale.changes().sig_scale_changed.connect(self._redraw)
        self._listening = True

    # Design units

    @property
    def zoom(self) -> float:
        """Pixels per design unit."""
        return type_scale.scale()

    def design_width(self) -> float:
        return self.width() / self.zoom

    def design_pos(self, event) -> QPoint:
        """Where a mouse event is, in design units."""
        return (event.position() / self.zoom).toPoint()

    def design_size(self) -> QSize:
        raise NotImplementedError

    def design_minimum_size(self) -> QSize:
        raise NotImplementedError

    def sizeHint(self) -> QSize:
        return self.design_size() * self.zoom

    def minimumSizeHint(self) -> QSize:
        return self.design_minimum_size() * self.zoom

    @property
    def segments(self) -> HeapSegments:
        """The heap in address order, computed once per change."""
        return self._segments.get()

    @property
    def free_nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and sizes of the free regions in list order, head first (int64)."""
        return self._free.get()

    def _unmapped(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The pages of a heap that grows that no frame backs yet (None for a heap mapped
        whole at boot: its blocks and regions cover it, mapped or not)."""
        machine = self.model.machine
        if not machine.heap_grows:
            return None
        heap = machine.heap
        return machine.pages.unmapped_runs(heap.heap_start, heap.heap_start + heap.heap_size)

    def _read_free(self) -> tuple[np.ndarray, np.ndarray]:
        starts, sizes = self.model.machine.heap.free_region_arrays()
        return starts.astype(np.int64), sizes.astype(np.int64)

    @property
    def search(self) -> SearchPicture | None:
        """The last allocation's search as drawn, or None."""
        return self._search.get()

    def _read_search(self) -> SearchPicture | None:
        event = self.model.last_heap_event
        search = None if event is None else heap_search(event)
        return None if search is None else search_picture(*self.free_nodes, search)

    @property
    def looked(self) -> np.ndarray:
        """Per free-list node (head first), whether the last search passed over it."""
        return self._looked.get()

    def _read_looked(self) -> np.ndarray:
        picture, starts = self.search, self.free_nodes[0]
        return np.zeros(len(starts), bool) if picture is None else picture.looked_at(starts)

    @property
    def rover(self) -> int | None:
        """Next fit's roving start, a free-list position; None for the other fits."""
        return rover_position(self.model.machine.heap, len(self.free_nodes[0]))

    def merged_at(self, start: int, end: int) -> MergedRegion | None:
        """The region the latest free joined that overlaps `[start, end)`, if any."""
        for region in self.merged:
            if region.start < end and start < region.end:
                return region
        return None

    def _on_event(self, event) -> None:
        if getattr(event, "layer", None) == "heap":
            self._note_merges(event)

    def _on_events(self, events) -> None:
        heap = [event for event in events if getattr(event, "layer", None) == "heap"]
        if heap:  # frame operations leave the free list as the last heap one left it
            self._note_merges(heap[-1])

    def _note_merges(self, event) -> None:
        merged = merged_regions(*self.free_nodes, event) if release_merges(event) else ()
        if merged or self.merged:
            self.merged = merged
            self.repaints.request()

    def _forget_merges(self, *_) -> None:
        if self.merged:
            self.merged = ()
            self.repaints.request()

    def _on_reset(self) -> None:
        self.merged = ()
        self.linked = None  # bytes of the machine replaced: the grid forgets its links too
        self._on_changed()

    def follow(self, animation) -> None:
        """Show the heap searches of this `SearchAnimation` as it steps."""
        self.animation = animation
        animation.sig_changed.connect(self.update)

    def animated_search(self):
        """The heap search being animated, or None (read through the event protocol:
        an event of the heap layer that made a search)."""
        animation = self.animation
        return None if animation is None else heap_search(animation.current)

    def search_progress(self, search) -> tuple[int, bool]:
        """`(nodes the animated search has looked at, done)`."""
        return self.animation.looked()

    def highlight_range(self, start: int, end: int) -> None:
        """Mark heap bytes `[start, end)` as linked to what is hovered in the grid."""
        self.linked = None if start < 0 else (start, end)
        self.update()

    def cleanup(self) -> None:
        """Disconnect from the model (before the view goes away); safe to call twice (a
        closed window's views are let go again if it rebuilds them)."""
        if not self._listening:
            return
        self._listening = False
        self.model.sig_changed.disconnect(self._on_changed)
        self.model.sig_selection_changed.disconnect(self.update)
        self.model.sig_machine_reset.disconnect(self._on_reset)
        self.model.sig_event_applied.disconnect(self._on_event)
        self.model.sig_events_applied.disconnect(self._on_events)
        self.model.sig_event_reverted.disconnect(self._forget_merges)
        self.model.sig_events_reverted.disconnect(self._forget_merges)
        if self.animation is not None:  # the player's: it outlives the views it shows in
            self.animation.sig_changed.disconnect(self.update)
        type_scale.changes().sig_scale_changed.disconnect(self._redraw)
        self.repaints.stop()

    def _on_changed(self) -> None:
        self.repaints.request()

    def _redraw(self) -> None:
        # The size too, when it changed: a free list that grows every frame would
        # otherwise be laid out and repainted every frame, throttle or not.
        hint = (self.sizeHint(), self.minimumSizeHint())
        if hint != self._hint:
            self._hint = hint
            self.updateGeometry()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), palette.PAPER)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        zoom = self.zoom
        painter.scale(zoom, zoom)
        rect = QRectF(event.rect())
        self.paint(painter, QRectF(rect.topLeft() / zoom, rect.size() / zoom).toAlignedRect())
        painter.end()

    def mouseMoveEvent(self, event) -> None:
        start, end, tip = self.hit(self.design_pos(event))
        if (start, end) != self._hovered:
            self._hovered = (start, end)
            self.sig_range_hovered.emit(start, end)
        if tip:
            QToolTip.showText(QCursor.pos(), tip, self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event) -> None:
        self._hovered = (-1, -1)
        self.sig_range_hovered.emit(-1, -1)

    def paint(self, painter: QPainter, rect) -> None:
        raise NotImplementedError

    def hit(self, pos: QPoint) -> tuple[int, int, str]:
        raise NotImplementedError

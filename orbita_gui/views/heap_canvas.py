"""What the two heap pictures share: the model's signals, hover links, and fonts."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QCursor, QFont, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from orbita_gui.core import HeapAllocation
from orbita_gui.model import MachineModel

from . import palette
from .heap_segments import HeapSegments, heap_segments
from .throttle import PICTURE_PER_SECOND, Throttle


def label_font(point_size: int = 11, bold: bool = False) -> QFont:
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
    `hit(pos)` as `(start, end, tooltip)`.
    """

    sig_range_hovered = Signal(object, object)
    """Heap bytes `[start, end)` under the mouse, or -1, -1: lets the grid show their frames."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.linked: tuple[int, int] | None = None
        self.animation = None
        self._segments = StateCache(model, lambda: heap_segments(model.machine.heap))
        self._hovered: tuple[int, int] = (-1, -1)
        self.repaints = Throttle(self._redraw, PICTURE_PER_SECOND, self)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(False)
        model.sig_changed.connect(self._on_changed)
        model.sig_selection_changed.connect(self.update)
        model.sig_machine_reset.connect(self._on_changed)

    @property
    def segments(self) -> HeapSegments:
        """The heap in address order, computed once per change."""
        return self._segments.get()

    def follow(self, animation) -> None:
        """Show the heap searches of this `SearchAnimation` as it steps."""
        self.animation = animation
        animation.sig_changed.connect(self.update)

    def animated_search(self):
        """The heap allocation being animated, or None."""
        animation = self.animation
        if animation is not None and isinstance(animation.current, HeapAllocation):
            return animation.current
        return None

    def highlight_range(self, start: int, end: int) -> None:
        """Mark heap bytes `[start, end)` as linked to what is hovered in the grid."""
        self.linked = None if start < 0 else (start, end)
        self.update()

    def cleanup(self) -> None:
        self.model.sig_changed.disconnect(self._on_changed)
        self.model.sig_selection_changed.disconnect(self.update)
        self.model.sig_machine_reset.disconnect(self._on_changed)
        self.repaints.stop()

    def _on_changed(self) -> None:
        self.repaints.request()

    def _redraw(self) -> None:
        # The size too: a free list that grows every frame would otherwise be laid out
        # and repainted every frame, throttle or not.
        self.updateGeometry()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), palette.PAPER)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.paint(painter, event.rect())
        painter.end()

    def mouseMoveEvent(self, event) -> None:
        start, end, tip = self.hit(event.position().toPoint())
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

"""A layer's views one above the other, each given the height it can use."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtWidgets import QScrollArea, QSplitter
from shiboken6 import Shiboken

SMALLEST = 40
"""The least a picture shrinks to, in pixels: on a 1024 x 768 projector every row
counts, and the window must fit 800 x 600."""


class SnugSplitter(QSplitter):
    """Every view but the last gets the height it asks for, up to its share; the last
    takes the rest. A heap of one page needs one row of the heap map: the free list
    below it gets the height a projector cannot spare. Once the user drags a handle,
    the sizes are theirs until `refit()` (a new machine, another type scale)."""

    def __init__(self, shares: list[int]) -> None:
        super().__init__(Qt.Orientation.Vertical)
        self._shares = shares
        self._by_hand = False
        self.splitterMoved.connect(self._moved_by_hand)

    def refit(self) -> None:
        self._by_hand = False
        self._fit()

    def refit_soon(self) -> None:
        """Refit once the views have laid out their new type (a zoom changes every
        heading's height only as the events it posts are handled)."""
        QTimer.singleShot(0, lambda: Shiboken.isValid(self) and self.refit())  # (if not gone)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._by_hand:
            self._fit()

    def event(self, event) -> bool:
        """A view asking for another height (a new machine's heap has more pages) is
        given it, as on a resize."""
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and not self._by_hand:
            self._fit()
        return handled

    def _moved_by_hand(self) -> None:
        self._by_hand = True

    def _fit(self) -> None:
        count = self.count()
        if count < 2:
            return
        total = self.height() - (count - 1) * self.handleWidth()
        whole = sum(self._shares)
        sizes = [
            min(self.widget(i).sizeHint().height(), total * self._shares[i] // whole)
            for i in range(count - 1)
        ]
        sizes.append(max(total - sum(sizes), 0))
        if sizes != self.sizes():
            self.setSizes(sizes)


class SnugScrollArea(QScrollArea):
    """A scroll area whose size hint is its picture's now: Qt's keeps the picture's hint
    of when it was first shown, and a heap of one page would keep the height of a
    heap of 25 (the demo's)."""

    def viewportEvent(self, event) -> bool:
        """The picture asked for another size (a LayoutRequest comes to its parent, the
        viewport): pass the news on to the layout holding this area."""
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().viewportEvent(event)

    def minimumSizeHint(self) -> QSize:
        return QSize(SMALLEST, SMALLEST)

    def sizeHint(self) -> QSize:
        frame = 2 * self.frameWidth()
        hint = self.widget().sizeHint() + QSize(frame, frame)
        if self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn:
            hint += QSize(self.verticalScrollBar().sizeHint().width(), 0)
        return hint

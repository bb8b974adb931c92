"""The search behind one operation, shown step by step at slow speeds.

The operation is already applied; the animation replays its event's steps
so that the views can show the search as it went: for the heap, each
free-list node visited, then the one chosen, then the leftover pushed at the
head; for frames, the scan from `next_free` to the frame found.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from orbita_gui.core import Event
from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.core.events import FRAMES, HEAP

STEP_MS = 90
"""Time between two steps: a search of eight nodes takes under a second."""
MAX_STEPS = 24
"""Longer searches are shown in this many steps (several nodes or frames a step)."""


def frame_scan(event: Event) -> tuple[int, int] | None:
    """`(frame the scan started at, frame found)` of a frame allocation that found one
    from `next_free` on, read through the event protocol (the frame taken, the first
    step's range); None for any other event."""
    if event.layer != FRAMES or event.failed or len(event.frames_taken) != 1:
        return None
    first = event.steps[0]
    if first.kind not in ("pass-over", "choose"):  # no scan (a buddy takes from a set)
        return None
    start, found = first.where[0] // FRAME_SIZE, event.frames_taken[0]
    return (start, found) if found >= start else None


def looks(event: Event) -> int:
    """How many things `event`'s search looks at, the one chosen included: free-list
    nodes, or frames from `next_free` to the one found; 0 if it has no search to show
    (a realloc's is shown with its allocation's in the log, not animated)."""
    search = event.search
    if search is event:
        return search.visited
    scan = frame_scan(event)
    return 0 if scan is None else scan[1] - scan[0] + 1


def step_count(event: Event) -> int:
    """How many steps the animation of `event` takes; 0 if there is no search to show."""
    looked = looks(event)
    return min(looked, MAX_STEPS) + 1 if looked or event.search is event else 0


class SearchAnimation(QObject):
    """`current` (an event) and how far its search is shown: `step` runs from 0 to
    `steps` - 1. (Not `event`: that name is QObject's event handler.)"""

    sig_changed = Signal()
    """The step shown changed, or the animation started or ended."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current: Event | None = None
        self.step = self.steps = 0
        self._held: tuple[int, bool] | None = None
        """`(nodes looked at, done)` when a student walks the search by hand."""
        self._timer = QTimer(self, interval=STEP_MS)
        self._timer.timeout.connect(self._advance)

    @property
    def active(self) -> bool:
        return self.current is not None

    def start(self, event: Event | None) -> None:
        """Animate `event`'s search (nothing if it has none to show); a heap search that
        found nothing too: it shows why."""
        self.stop()
        shown = event is not None and (not event.failed or event.layer == HEAP)
        steps = step_count(event) if shown else 0
        if steps:
            self.current, self.step, self.steps = event, 0, steps
            self._timer.start()
            self.sig_changed.emit()

    def stop(self) -> None:
        if self.current is not None:
            self._timer.stop()
            self.current, self._held = None, None
            self.sig_changed.emit()

    def hold(self, event: Event, looked: int, done: bool) -> None:
        """Show `event`'s search `looked` nodes or frames in (`done`: finished), until told
        otherwise: the student walks the steps and the pictures wait for them."""
        self._timer.stop()
        self.current, self._held = event, (looked, done)
        self.sig_changed.emit()

    @property
    def held(self) -> bool:
        return self._held is not None

    def _advance(self) -> None:
        self.step += 1
        if self.step >= self.steps:
            self.stop()
        else:
            self.sig_changed.emit()

    # What the views draw at the current step

    def looked(self) -> tuple[int, bool]:
        """`(things looked at so far, whether the search is done)`: while not done, the
        search is looking at node (or frame) number `looked` of its order, the chosen
        one counted where the search met it (best and worst fit look at every node,
        then choose)."""
        if self._held is not None:
            return self._held
        total = looks(self.current)
        visible = min(total, MAX_STEPS)
        if self.step < visible:  # several nodes or frames a step when the search was long
            return self.step * total // visible, False
        return total, True

    def frames_scanned(self) -> range:
        """The used frames the scan from `next_free` has looked at so far, the one it is
        looking at included (the frame it finds is not one of them: it is free, and
        taken when the search is done)."""
        start, found = frame_scan(self.current)
        looked, done = self.looked()
        return range(start, start + min(looked if done else looked + 1, found - start))

    @property
    def done(self) -> bool:
        """The search shown is over: what it chose is taken."""
        return self.looked()[1]

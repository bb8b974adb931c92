"""What the views read about the latest operations: the last heap search, and the
last operation that changed each frame. Pure Python; events read through the
protocol (`core.protocols.Event`), whatever allocator made them."""

from __future__ import annotations

from collections.abc import Sequence

from orbita_gui.core import Event


class Notes:
    """`last_search`, and each frame's last change as `(event, undone)`."""

    def __init__(self) -> None:
        self.last_search = None
        """The search of the latest heap allocation applied (what it passed over and
        chose); None once that allocation is undone, or on a new machine."""
        self.frame_changes: dict[int, tuple[Event, bool]] = {}

    def clear(self) -> None:
        self.last_search = None
        self.frame_changes.clear()

    def record(self, event: Event, undone: bool) -> None:
        """An event applied, or `undone`."""
        self.record_many((event,), undone)

    def record_many(self, events: Sequence[Event], undone: bool) -> None:
        """`record` for each event of a batch (oldest first, or newest first undone),
        with less work per event: a fast replay records a thousand a frame."""
        changes, last_search = self.frame_changes, None
        for event in events:
            if event.frames_taken or event.frames_given:  # a heap that grows takes frames too
                for number in event.frames_taken:
                    changes[number] = (event, undone)
                for number in event.frames_given:
                    changes[number] = (event, undone)
            search = event.search
            if search is not None:
                last_search = search
        if last_search is not None:  # the newest allocation applied; none once one is undone
            self.last_search = None if undone else last_search

    def frame_note(self, number: int) -> str | None:
        """The last operation that changed a frame, in words (None if none has)."""
        change = self.frame_changes.get(number)
        if change is None:
            return None
        event, undone = change
        return ("undone: " if undone else "") + event.describe()

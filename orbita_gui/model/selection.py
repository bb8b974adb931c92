"""What the user picked with Ctrl+click: frames and heap blocks to free together.

Pure Python: the model emits `sig_selection_changed` when the user changes it.
Only live frames and blocks stay selected: an operation that frees one (or
undoes its allocation) drops it, so that freeing the selection frees nothing
stale.
"""

from __future__ import annotations

from orbita_gui.core import Event


class Selection:
    """The selected frames (numbers) and blocks (addresses). The two sets are kept, and
    changed in place, for the model's whole life: views may hold them."""

    def __init__(self) -> None:
        self.frames: set[int] = set()
        self.blocks: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.frames or self.blocks)

    def toggle_frame(self, number: int) -> None:
        self.frames.symmetric_difference_update({number})

    def toggle_block(self, ptr: int) -> None:
        self.blocks.symmetric_difference_update({ptr})

    def clear(self) -> None:
        self.frames.clear()
        self.blocks.clear()

    def forget(self, event: Event, undone: bool) -> None:
        """Drop what the event (applied, or `undone`) made free."""
        if not (self.frames or self.blocks):
            return
        freed_frames = event.frames_taken if undone else event.frames_given
        freed_blocks = event.blocks_made if undone else event.blocks_freed
        for number in freed_frames:
            self.frames.discard(number)
        for block in freed_blocks:
            self.blocks.discard(block.ptr)

"""The state the application opens with, so that the first look already teaches."""

from __future__ import annotations

from orbita_gui.model import MachineModel


def load_demo(model: MachineModel) -> None:
    """Frames handed out past the heap's, two holes that pulled `next_free` back, and a
    heap with alignment padding lost and a search that passed over two regions."""
    with model.batch("demo"):
        model.allocate_frames(12)  # frames 25..36, after the heap's 0..24
        model.free_frame(33)
        model.free_frame(28)  # next_free falls back to 28
        blocks = {}
        for name, size, align in [
            ("a", 24, 8),
            ("b", 200, 8),
            ("c", 64, 64),  # 32 bytes of padding lost in front of it
            ("d", 1000, 8),
            ("e", 48, 16),
            ("f", 3000, 8),
            ("g", 512, 256),  # 232 bytes lost
            ("h", 16, 8),
            ("i", 6000, 8),
        ]:
            blocks[name] = model.allocate(size, align).ptr
        for name in ("b", "e", "h"):
            model.free_block(blocks[name])  # the list is now h -> e -> b -> the rest
        model.allocate(100, 8)  # passes over h and e, splits b
    model.mark_saved()  # a starting point: nothing of the user's to lose yet

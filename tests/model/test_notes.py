"""The notes alone: the last heap search and each frame's last change."""

from orbita_gui.core import Layout, Machine
from orbita_gui.model.notes import Notes


def events():
    machine = Machine(1 << 20, heap_size=4096)
    frame = machine.frames.allocate_frame_event()
    block = machine.heap.allocate_event(Layout(24, 8))
    moved = machine.heap.realloc_event(block.ptr, Layout(24, 8), 100)
    freed = machine.free_frame_event(frame.frame)
    return [frame, block, moved, freed]


def test_one_by_one_and_at_once_note_the_same():
    one, many = Notes(), Notes()
    batch = events()
    for event in batch:
        one.record(event, undone=False)
    many.record_many(batch, undone=False)
    assert one.frame_changes == many.frame_changes
    assert one.last_search is many.last_search is batch[2].search  # the realloc's
    assert one.frame_note(1).startswith("free_frame(")
    assert one.frame_note(2) is None
    one.record(batch[2], undone=True)
    many.record_many(list(reversed(batch)), undone=True)
    assert one.last_search is None and many.last_search is None
    assert many.frame_note(1).startswith("undone: allocate_frame()")

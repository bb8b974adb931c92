"""The selection alone: toggled by hand, and what an operation frees drops out of it."""

from orbita_gui.core import Layout, Machine
from orbita_gui.model.selection import Selection


def test_toggling_and_clearing_keep_the_same_sets():
    selection = Selection()
    frames, blocks = selection.frames, selection.blocks
    selection.toggle_frame(3)
    selection.toggle_frame(4)
    selection.toggle_frame(3)
    selection.toggle_block(0x1000)
    assert frames == {4} and blocks == {0x1000} and selection
    selection.clear()
    assert not selection and selection.frames is frames and selection.blocks is blocks


def test_what_an_operation_frees_or_an_undo_unmakes_is_dropped():
    machine = Machine(1 << 20, heap_size=4096)
    taken = machine.frames.allocate_frame_event()
    made = machine.heap.allocate_event(Layout(24, 8))
    selection = Selection()
    selection.toggle_frame(taken.frame_number)
    selection.toggle_block(made.ptr)
    selection.forget(taken, undone=False)  # allocating a frame frees nothing
    assert selection.frames == {taken.frame_number}
    selection.forget(made, undone=True)  # undoing the allocation unmakes the block
    assert selection.blocks == set()
    given = machine.free_frame_event(taken.frame)
    selection.forget(given, undone=False)
    assert selection.frames == set()

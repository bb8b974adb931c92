"""A buddy frame allocator in the window: chosen in File > New machine or by a trace's
`frames` line; its blocks outlined on the grid and its free sets listed; a click frees
the whole block, and Allocate frames takes one block of contiguous frames."""

from PySide6.QtCore import Qt

from .test_new_machine_dialog import choose, new_machine


def buddy_machine(qtbot, window, dialogs):
    new_machine(qtbot, window, dialogs, lambda d: choose(d.frames_box, "buddy"))
    assert window.model.machine.frames_kind == "buddy"
    return window.model


def test_new_machine_chooses_the_frame_allocator_and_its_pictures_follow(qtbot, window, dialogs):
    buddy_machine(qtbot, window, dialogs)
    sets = window.views["free_sets"]
    sets.redraw()
    assert "order 0" in sets.text.text() and "none free" in sets.text.text()
    assert window.grid._marker.isVisible() is False  # no next_free: a buddy has no hint
    new_machine(qtbot, window, dialogs, lambda d: choose(d.frames_box, "bitmap"))
    assert "free_sets" not in window.views and window.grid._marker.isVisible()


def test_allocate_frames_takes_one_block_and_a_click_inside_frees_it(qtbot, window, dialogs):
    model = buddy_machine(qtbot, window, dialogs)
    frames = model.machine.frames
    used = frames.stats().used_frames
    spin = window.controls.frame_count
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.mouseClick(window.controls.allocate_frames_button, Qt.MouseButton.LeftButton)
    (start,) = [s for s, n in frames.live_blocks().items() if n == 3]
    assert frames.block_order(start) == 2 and frames.stats().used_frames == used + 4
    window.grid.refresh()
    assert not window.grid._blocks.live.path().isEmpty()  # the block outlined
    assert "order-2 block of frames" in window.grid.describe_frame(start + 2)
    model.free_frame(start + 2)  # as a click on the block's third frame does
    assert frames.stats().used_frames == used and start not in frames.live_blocks()
    model.undo_stack.undo()
    assert frames.live_blocks()[start] == 3


def test_a_trace_on_a_buddy_machine_plays_and_says_each_split(qtbot, window, tmp_path):
    trace = tmp_path / "buddy.trace"
    trace.write_text("frames 1MiB buddy\nalloc-frames big 16\nalloc-frame one\nfree-frame big\n")
    window.traces.load(trace)
    assert window.model.machine.frames_kind == "buddy"
    player = window.traces.player
    player.step_forward()
    reasons = [step.reason for step in window.explain.explanation.steps]
    assert any(reason.startswith("split the order-5 block at frame 32") for reason in reasons)
    player.step_forward()
    player.step_forward()
    assert window.model.machine.frames.stats().used_frames == 26
    player.step_back()
    player.step_back()
    player.step_back()
    assert window.model.machine.frames.stats().used_frames == 25


def test_a_grid_built_anew_while_hovered_leaves_no_heap_bytes_lit(qtbot, window, dialogs):
    window.grid.sig_frame_hovered.emit(0)  # as the grid says when the mouse is on frame 0
    assert window.heap_map.linked is not None
    buddy_machine(qtbot, window, dialogs)  # a buddy: the grid is built anew
    assert window.heap_map.linked is None


def test_a_huge_page_is_one_block_of_512_frames_on_a_buddy_only(qtbot, window, dialogs):
    two_mib = window.controls.page_buttons[0]
    assert not two_mib.isEnabled()  # the guide's bitmap hands out a frame at a time
    model = buddy_machine(qtbot, window, dialogs)
    assert two_mib.isEnabled()
    qtbot.mouseClick(two_mib, Qt.MouseButton.LeftButton)
    frames = model.machine.frames
    (start,) = [s for s, n in frames.live_blocks().items() if n == 512]
    assert start % 512 == 0 and frames.block_order(start) == 9

"""The narration and code panels: each operation told step by step with the trace's
comments, the guide's line of each step lit, and the keys that walk the steps."""

from PySide6.QtCore import QPoint, Qt, QUrl

from orbita_gui.resources import resource_path
from orbita_gui.views import palette

from .conftest import pixel

SAMPLE = resource_path("traces", "2-no-coalescing.trace")


def settled(qtbot, window):
    """The panels redraw at most ten times a second: wait for the last redraw."""
    panels = (window.explain.narration, window.explain.code)
    qtbot.waitUntil(lambda: not any(panel.redraws.pending for panel in panels))


def lit_line(qtbot, window):
    """The text of the line the code panel lights."""
    settled(qtbot, window)
    code = window.explain.code
    return code.listing.lines[code.lit].strip() if code.lit is not None else None


def narration(qtbot, window):
    settled(qtbot, window)
    return window.explain.narration.toPlainText()


def test_a_trace_is_introduced_by_its_authors_words(qtbot, window):
    window.traces.load(SAMPLE)
    assert narration(qtbot, window).startswith(
        "Fragmentation grows: freed neighbours are never merged."
    )


def test_each_step_of_a_failed_search_is_told_and_lit_and_the_keys_walk_them(qtbot, window):
    window.traces.load(SAMPLE)
    window.grid.setFocus()
    for _ in range(15):
        qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    window.traces.player.animation.stop()  # the search as it ends, not as it plays
    told = narration(qtbot, window)
    assert "null: no single region holds 200 bytes" in told  # the author's comment
    assert "line 23: malloc big 200" in told
    assert "128 B at 0x444444440300 is too small for 200 B." in told
    assert lit_line(qtbot, window) == "ptr::null_mut()"  # the last step: allocate returns null
    qtbot.keyClick(window.grid, Qt.Key.Key_Up)
    assert window.explain.explanation.index == 4
    assert lit_line(qtbot, window) == "current = current.next.as_mut().unwrap();"  # passed over
    assert "▶ 5" in narration(qtbot, window)
    for _ in range(9):
        qtbot.keyClick(window.grid, Qt.Key.Key_Up)
    assert window.explain.explanation.index == 0  # stops at the first step
    qtbot.keyClick(window.grid, Qt.Key.Key_Down)
    assert window.explain.explanation.index == 1


def test_a_hand_action_is_explained_with_the_frame_allocators_code(qtbot, window):
    window.model.allocate_frame()
    assert window.explain.code.listing.name == "guide_frames.rs"
    assert lit_line(qtbot, window) == "self.mark_frame_used(frame_num);"
    assert "Frame 25 is free: it is marked used, next_free becomes 26" in narration(qtbot, window)
    window.model.allocate(100, 8)
    settled(qtbot, window)
    assert window.explain.code.listing.name == "guide_heap.rs"
    assert "size_align pads it to a multiple of 8" in narration(qtbot, window)
    window.undo_action.trigger()
    assert narration(qtbot, window).startswith("Undone: allocate(")


def test_a_policy_shows_its_pseudo_code_with_its_own_lines_marked(qtbot, window):
    window.model.reset(4 << 20, 4096, heap="free-list", heap_params={"fit": "best"})
    window.model.allocate(24, 8)
    code = window.explain.code
    assert lit_line(qtbot, window) == "put the leftover back in the list (by the order)"
    assert code.listing.name == "free_list.txt"
    marked = {
        code.listing.lines[s.cursor.blockNumber()].strip() for s in code.code.extraSelections()
    }
    assert "best fit:  look at every region, keep the smallest that fits" in marked
    assert "insert-front: push at the head" in marked


def test_clicking_a_step_shows_it(qtbot, window):
    window.traces.load(SAMPLE)
    for _ in range(15):
        window.traces.player.step_forward()
    window.explain.narration.anchorClicked.emit(QUrl("step:2"))
    assert window.explain.explanation.index == 2


def test_walking_to_a_step_lights_its_bytes_in_the_heap_pictures(qtbot, window):
    window.traces.load(SAMPLE)
    for _ in range(15):  # malloc big 200: five 128-byte regions passed over
        window.traces.player.step_forward()
    window.traces.player.animation.stop()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Up)
    step = window.explain.explanation.step
    assert step.where == (0x444444440080, 0x444444440100)
    assert window.heap_map.linked == step.where and window.free_list.linked == step.where
    window.traces.player.step_forward()
    assert window.heap_map.linked is None  # a new operation: nothing pointed at


def test_the_keys_walk_a_frame_scan_frame_by_frame_and_the_grid_waits(qtbot, window):
    """Up walks back through the scan: each used frame it passed is told, lit in the
    grid and in the code; until the last step the frame found is still free and
    next_free is where the scan began."""
    from orbita_gui.views.frame_codes import CODE_FREE, CODE_SCANNED

    model, grid = window.model, window.grid
    for _ in range(4):
        model.allocate_frame()  # frames 25..28
    model.free_frame(25)
    model.allocate_frame()  # 25 again: next_free 26, frames 26..28 used
    event = model.allocate_frame()  # looks at 26, 27, 28; takes 29
    explanation = window.explain.explanation
    assert explanation.event is event and len(explanation.steps) == 4
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    qtbot.keyClick(grid, Qt.Key.Key_Up)  # "frame 27 is used: go on"
    assert "▶ 2 \nFrame 27 is used: go on." in narration(qtbot, window)
    assert lit_line(qtbot, window) == "if !self.is_frame_used(frame_num) {"
    grid.refresh()
    codes = grid.codes.codes
    assert codes[26] == CODE_SCANNED and codes[29] == CODE_FREE
    assert grid._linked.tolist() == [27]  # the frame looked at, pointed at
    assert grid._marker.rect().topLeft().toTuple() == grid.cell_of(26)  # next_free
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # the last step: frame 29 taken
    grid.refresh()
    assert codes[29] != CODE_FREE
    assert grid._marker.rect().topLeft().toTuple() == grid.cell_of(30)


def test_walking_back_into_a_search_shows_the_pictures_that_far(qtbot, window):
    window.traces.load(SAMPLE)
    for _ in range(16):  # line 24: malloc small 100 takes the head, g's 128 bytes
        window.traces.player.step_forward()
    animation = window.traces.player.animation
    animation.stop()  # the player's own animation, at the speed it plays
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Up)  # back to "holds 104 B: the first that fits"
    assert animation.held and animation.looked() == (0, False)
    heap_map = window.heap_map
    block = window.model.last_heap_event.block
    inside = QPoint(
        *(
            round(v * heap_map.zoom)
            for v in heap_map._rects(block.start, block.end)[0].center().toTuple()
        )
    )
    assert pixel(heap_map, inside) != palette.USED.name()  # not taken yet: still free
    qtbot.keyClick(window.grid, Qt.Key.Key_Down)
    assert animation.current is None  # the last step: the pictures as they are
    assert pixel(heap_map, inside) == palette.USED.name()


def test_the_narration_follows_the_players_animation_node_by_node(qtbot, window):
    window.traces.load(SAMPLE)
    for _ in range(14):
        window.traces.player.step_forward()
    window.traces.player.step_forward()  # line 23: five regions passed over, then null
    explanation = window.explain.explanation
    seen = set()
    qtbot.waitUntil(lambda: seen.add(explanation.index) or len(seen) >= 3, timeout=3000)


def test_until_the_last_step_the_log_status_and_statistics_keep_the_result_back(qtbot, window):
    window.traces.load(SAMPLE)
    player, stats = window.traces.player, window.stats
    for _ in range(15):
        player.step_forward()
    player.animation.stop()
    qtbot.waitUntil(lambda: not stats.updates.pending)
    before = stats.values["heap_allocated"].text()
    player.step_forward()  # line 24: malloc small 100 takes 104 B at the head
    player.animation.stop()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Up)
    log = window.log.log
    log.flush()
    last = len(log.lines) - 1
    steps = len(window.explain.explanation.steps)
    held = f"… (step {steps - 1} of {steps}: the result shows at the last)"
    assert log.text(last) == f"line 24: malloc small 100 → {held}"
    assert window.status.text().startswith(
        f"Operation 16, line 24: malloc small 100: step {steps - 1}"
    )
    assert stats.values["heap_allocated"].text() == before
    assert stats.caption.isVisible() and stats.caption.text() == "Before operation 16"
    assert "→ allocate(" not in narration(qtbot, window)  # nor the narration's last line
    qtbot.keyClick(window.grid, Qt.Key.Key_Down)  # the last step: the result, everywhere
    assert "allocate(Layout { size: 100" in log.text(last)
    assert "allocate(Layout { size: 100" in window.status.text()
    assert "→ allocate(Layout { size: 100" in narration(qtbot, window)
    assert stats.values["heap_allocated"].text() != before and not stats.caption.isVisible()


def test_a_new_machine_while_a_frame_scan_is_walked_draws_the_new_one(qtbot, window):
    """The held scan lets go when the machine is replaced: a grid built anew (a theme) is
    told of it after the animation, and drew the old machine's cells over the new bitmap."""
    model = window.model
    window.rebuild_views()
    for _ in range(3):
        model.allocate_frame()  # frames 25..27
    model.free_frame(25)
    model.allocate_frame()  # 25 again: next_free 26
    model.allocate_frame()  # looks at 26 and 27, takes 28
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Up)
    assert window.traces.player.animation.held
    assert model.reset(128 << 10, 1024)  # 32 frames
    window.grid.refresh()
    assert window.grid.codes.total_frames == 32
    assert window.heap_map.linked is None

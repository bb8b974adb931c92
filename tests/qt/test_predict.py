"""Predict, then check, as a student uses it: P, a click on a node or a typed guess,
Enter; the verdict, its reason, the score."""

from PySide6.QtCore import QPoint, Qt

from orbita_gui.resources import resource_path

SAMPLE = resource_path("traces", "2-no-coalescing.trace")


def start(qtbot, window, steps):
    window.traces.load(SAMPLE)
    for _ in range(steps):
        window.traces.player.step_forward()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_P)
    return window.predict


def test_p_asks_about_the_next_operation(qtbot, window):
    predict = start(qtbot, window, 15)
    assert predict.dock.isVisible()
    assert predict.panel.question.text().startswith("Next: line 24: malloc small 100.")


def test_a_clicked_node_is_the_guess_and_a_right_one_scores(qtbot, window):
    predict = start(qtbot, window, 15)  # malloc small 100: first fit takes the head
    free_list = window.free_list
    head = free_list._box(1).center() * free_list.zoom
    qtbot.mouseClick(
        free_list, Qt.MouseButton.LeftButton, pos=QPoint(round(head.x()), round(head.y()))
    )
    assert predict.panel.guess.text() == "0x4444_4444_0300"
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    assert window.traces.player.position == 16
    assert predict.panel.verdict.text().startswith("✔ Right: 128 B at 0x444444440300 holds 104 B")
    assert predict.panel.score.text() == "1 / 1"


def test_a_wrong_guess_is_explained_and_lit_beside_the_allocators_choice(qtbot, window):
    predict = start(qtbot, window, 15)
    qtbot.keyClicks(predict.panel.guess, "+0x80")  # b's region, the last node
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    said = predict.panel.verdict.text()
    assert said.startswith("✘ The allocator took 0x444444440300")
    assert "never looked at yours (0x444444440080)" in said
    assert window.heap_map.linked == (0x444444440080, 0x444444440100)
    assert predict.panel.score.text() == "0 / 1"


def test_a_guess_that_is_no_free_region_changes_nothing(qtbot, window):
    predict = start(qtbot, window, 15)
    qtbot.keyClicks(predict.panel.guess, "0x1234")
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    assert window.traces.player.position == 15
    assert (
        predict.panel.verdict.text() == "✘ 0x1234 is not the start of a free region: click a node"
    )


def test_null_predicted_for_the_failed_search_and_the_summary_at_the_end(qtbot, window):
    predict = start(qtbot, window, 14)  # line 23: malloc big 200 returns null
    qtbot.keyClicks(predict.panel.guess, "null")
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    assert predict.panel.verdict.text() == "✔ Right: no region fits, allocate returns null."
    qtbot.keyClicks(predict.panel.guess, "0x4444_4444_0280")
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    assert window.traces.player.at_end
    summary = "You predicted 1 of 2 right (50%)."
    assert predict.panel.question.text() == f"At the end of the trace. {summary}"
    assert window.status.text() == summary


def test_a_frame_that_does_not_exist_is_refused(qtbot, window, tmp_path):
    trace = tmp_path / "frames.trace"
    trace.write_text("frames 1MiB\nalloc-frame f\n")
    window.traces.load(trace)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_P)
    panel = window.predict.panel
    assert "Which frame will it take?" in panel.question.text()
    qtbot.keyClicks(panel.guess, "0x4444_4444_0000")
    qtbot.keyClick(panel.guess, Qt.Key.Key_Return)
    assert panel.verdict.text() == "✘ there is no frame 75,059,993,772,032: frames go from 0 to 255"
    assert window.traces.player.position == 0


def test_a_free_region_clicked_on_the_heap_map_is_the_guess_after_a_new_theme_too(qtbot, window):
    predict = start(qtbot, window, 15)
    window.theme.choose("dark")  # the pictures are built anew
    heap_map = window.heap_map
    box = heap_map._rects(0x444444440300, 0x444444440380)[0].center() * heap_map.zoom
    qtbot.mouseClick(
        heap_map, Qt.MouseButton.LeftButton, pos=QPoint(round(box.x()), round(box.y()))
    )
    assert predict.panel.guess.text() == "0x4444_4444_0300"
    qtbot.keyClick(predict.panel.guess, Qt.Key.Key_Return)
    assert predict.panel.score.text() == "1 / 1"


def test_a_frame_clicked_in_predict_mode_is_the_guess_not_an_allocation(qtbot, window, tmp_path):
    trace = tmp_path / "frames.trace"
    trace.write_text("frames 1MiB\nalloc-frame f\n")
    window.traces.load(trace)
    grid = window.grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_P)
    grid.fit()
    used = window.model.machine.frames.stats().used_frames  # the heap's frames, 0 to 24
    point = grid.mapFromScene(grid.center_on(30))
    qtbot.mouseClick(
        grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
    panel = window.predict.panel
    assert panel.guess.text() == "30"
    assert window.model.machine.frames.stats().used_frames == used  # picked, not allocated
    qtbot.keyClick(panel.guess, Qt.Key.Key_Return)
    assert panel.verdict.text().startswith("✘ The allocator took frame 25")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_P)  # predict mode off: a click allocates again
    qtbot.mouseClick(
        grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
    assert window.model.machine.frames.stats().used_frames == used + 2

"""A short soak: the seeded monkey drives the real window by keys and clicks, and the
machine stays consistent after every action (the long run is `bash dev.sh soak`); and
the defects the soak found, each guarded as a person would meet it."""

import pytest
from PySide6.QtCore import QPoint, Qt

from orbita_gui.resources import resource_path

from .gui_monkey import Monkey
from .test_never_lost import CTRL, press

SEEDS = (1, 2, 3, 4, 5)
ACTIONS = 100
NEXT_FREE = resource_path("traces", "1-next-free-hint.trace")
NO_COALESCING = resource_path("traces", "2-no-coalescing.trace")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_student_at_random_never_breaks_the_machine(qtbot, window, dialogs, tmp_path, seed):
    with qtbot.captureExceptions() as escaped:
        monkey = Monkey(window, dialogs, seed, tmp_path, escaped)
        monkey.run(ACTIONS)
    assert monkey.checks["grid shows frames"] == ACTIONS


def latest_search_or_none(window) -> bool:
    """Whether the search being animated, if any, is of the latest operation."""
    current, history = window.traces.player.animation.current, window.model.history
    return current is None or (bool(history) and history[-1] is current)


@pytest.mark.parametrize("then", ["open another trace", "play"])
def test_a_search_shown_is_the_latest_operation(qtbot, window, dialogs, then):
    """Found by the soak: loading a trace or playing left the last step's search shown."""
    dialogs.choose_file(NEXT_FREE)
    press(qtbot, window, Qt.Key.Key_O, CTRL)
    for _ in range(11):  # to "alloc-frame i", whose search walks past two used frames
        press(qtbot, window, Qt.Key.Key_Right)
    assert latest_search_or_none(window)
    if then == "play":
        press(qtbot, window, Qt.Key.Key_Space)  # 10 operations a second: none animated
        qtbot.waitUntil(lambda: window.traces.player.position == 12, timeout=3000)
    else:
        dialogs.choose_file(NEXT_FREE)
        press(qtbot, window, Qt.Key.Key_O, CTRL)
    assert latest_search_or_none(window)


def test_the_bytes_lit_up_for_a_hovered_frame_are_the_new_machines(qtbot, window, dialogs):
    """Found by the soak: after the machine changed, the bytes of the frame hovered
    before stayed lit, and hovering that cell again said nothing."""
    grid, heap_map, model = window.grid, window.heap_map, window.model

    def hover_frame_0(nudge: int) -> None:
        point = grid.mapFromScene(grid.center_on(0)) + QPoint(nudge, nudge)
        qtbot.mouseMove(grid.viewport(), point)

    qtbot.waitUntil(lambda: hover_frame_0(0) or heap_map.linked is not None)  # laid out
    assert heap_map.linked == model.machine.heap_range_of_frame(0)  # 4 KiB of 100
    dialogs.choose_file(NO_COALESCING)  # a heap of 2 KiB, in frame 0
    press(qtbot, window, Qt.Key.Key_O, CTRL)
    hover_frame_0(1)
    assert heap_map.linked == model.machine.heap_range_of_frame(0)

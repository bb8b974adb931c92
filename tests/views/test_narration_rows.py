"""The narration writes out a long search in part: its first and last steps and those
around the step shown, the others counted."""

from orbita_gui.views.narration_panel import TOLD_AT_MOST, told_steps


def test_a_short_operation_is_told_whole():
    assert told_steps(5, 4) == [0, 1, 2, 3, 4]
    assert told_steps(TOLD_AT_MOST, 0) == list(range(TOLD_AT_MOST))


def test_a_long_search_is_told_at_its_ends_and_around_the_step_shown():
    assert told_steps(300, 299) == [0, 1, 2, 295, 296, 297, 298, 299]
    assert told_steps(300, 150) == [0, 1, 2, *range(146, 155), 297, 298, 299]

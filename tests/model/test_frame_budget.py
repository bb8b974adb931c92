"""The frame budget: operations get what drawing leaves of each screen frame."""

import pytest

from orbita_gui.model.frame_budget import MIN_WORK_SECONDS, TARGET_FPS, FrameBudget


def play(budget: FrameBudget, drawing: float, frames: int, overrun: float = 0.0) -> list[float]:
    """Simulate frames that work their whole budget and `overrun` past it, then draw for
    `drawing` seconds; returns each frame's length."""
    now, lengths = 0.0, []
    for _ in range(frames):
        start = now
        now += budget.start(now) + overrun
        budget.end(now)
        now += drawing
        lengths.append(now - start)
    return lengths


@pytest.mark.parametrize(("drawing", "overrun"), [(0.002, 0), (0.008, 0.0005), (0.015, 0.001)])
def test_frames_settle_at_the_target_rate_whatever_drawing_costs(drawing, overrun):
    lengths = play(FrameBudget(), drawing, frames=60, overrun=overrun)
    assert lengths[-1] == pytest.approx(1 / TARGET_FPS, rel=0.01)
    assert 1 / max(lengths[20:]) >= 30


def test_the_first_frame_works_a_whole_frame():
    assert FrameBudget().start(10.0) == pytest.approx(1 / TARGET_FPS)


def test_work_never_stops_even_when_drawing_takes_longer_than_a_frame():
    budget = FrameBudget()
    play(budget, drawing=0.1, frames=30)
    assert budget.start(100.0) == MIN_WORK_SECONDS


def test_a_pause_is_not_counted_as_drawing():
    budget = FrameBudget()
    play(budget, drawing=0.004, frames=30)
    budget.reset()
    assert budget.start(1000.0) == pytest.approx(1 / TARGET_FPS - budget.drawing_seconds)
    assert budget.overrun_seconds == pytest.approx(0, abs=1e-12)
    assert budget.drawing_seconds == pytest.approx(0.004, rel=0.01)

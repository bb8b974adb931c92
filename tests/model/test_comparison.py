"""A comparison's players: the others follow the lead to each operation, within the
lead's own frame budget when it plays as fast as possible."""

import math

import pytest

from orbita_gui.model.comparison import Comparison
from orbita_gui.model.frame_budget import MIN_WORK_SECONDS, TARGET_FPS, FrameBudget
from orbita_gui.traces import parse_native
from orbita_gui.traces.compare import compare, parse_heap_spec

from ..compare_trace import churn


def heap_state(model) -> tuple:
    """A heap's live blocks and its free regions in the order it keeps them."""
    heap = model.machine.heap
    return dict(heap.allocations()), [array.tolist() for array in heap.free_region_arrays()]


TRACE = parse_native(churn(3000))
SPECS = [parse_heap_spec(text) for text in ("guide", "best,addrsort,coalesce", "segregated")]


def started() -> Comparison:
    comparison = Comparison(compare(TRACE, SPECS, record=True))
    comparison.start()
    return comparison


@pytest.fixture
def comparison(qtbot):
    return started()


def test_steps_and_seeks_move_every_player_to_the_exact_state(comparison):
    lead = comparison.lead
    lead.seek(1234)
    lead.step_forward()
    lead.step_back()
    lead.step_back()
    assert [player.position for player in comparison.players] == [1233] * 3
    straight = started()
    straight.lead.seek(1233)
    assert [heap_state(model) for model in comparison.models] == [
        heap_state(model) for model in straight.models
    ]


def test_playing_the_others_catch_up_before_the_leads_tick_ends(qtbot, comparison):
    lead = comparison.lead
    behind = []
    lead.sig_ticked.connect(
        lambda position: behind.extend(
            player.position for player in comparison.players if player.position != position
        )
    )
    lead.set_speed(math.inf)
    lead.play()
    qtbot.waitUntil(lambda: lead.position > 500)
    lead.pause()
    assert not behind
    assert {player.position for player in comparison.players} == {lead.position}


def frames(budget: FrameBudget, workers: int, drawing: float, count: int) -> list[float]:
    """Frames in which the lead works its budget, each other worker as long again, and
    drawing takes `drawing` seconds: each frame's length."""
    now, lengths = 0.0, []
    for _ in range(count):
        start = now
        now += budget.start(now) * workers
        budget.end(now)
        now += drawing
        lengths.append(now - start)
    return lengths


def test_a_shared_budget_leaves_the_others_their_part_from_the_first_frame():
    lengths = frames(FrameBudget(workers=4), workers=4, drawing=0.010, count=40)
    assert lengths[0] == pytest.approx(1 / TARGET_FPS + 0.010)  # not four frames' work
    assert lengths[-1] == pytest.approx(1 / TARGET_FPS, rel=0.01)


def test_when_drawing_takes_the_frame_all_the_workers_together_still_advance():
    budget = FrameBudget(workers=4)
    frames(budget, workers=4, drawing=0.1, count=30)
    assert budget.start(100.0) * 4 == pytest.approx(MIN_WORK_SECONDS)

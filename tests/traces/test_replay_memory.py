"""What a replay keeps: nothing per operation headless, little with history for back()."""

import gc
import random
import tracemalloc

import pytest

from bench.history_memory import history_bytes
from orbita_gui.core import HeapAllocation, VisitsNotKept
from orbita_gui.traces import Op, Replayer, Trace, machine_for, parse_native, replay

from ..machine_state import machine_state


def random_trace(operations: int, seed: int = 7) -> Trace:
    """Mallocs, frees and reallocs over 200 names in a small heap: searches pass over
    many nodes, as in the malloc lab's traces."""
    rng, live, ops = random.Random(seed), set(), []
    for _ in range(operations):
        name = str(rng.randrange(200))
        if name not in live:
            ops.append(Op("malloc", name, rng.randrange(1, 600)))
            live.add(name)
        elif rng.random() < 0.7:
            ops.append(Op("free", name))
            live.discard(name)
        else:
            ops.append(Op("realloc", name, rng.randrange(1, 600)))
    return Trace("random", tuple(ops), heap_size=256 * 1024)


def traced_bytes() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_a_headless_replay_keeps_nothing_per_operation():
    trace = parse_native("heap 0x1000 4096\n" + "malloc a 100\nfree a\n" * 10_000)
    machine = machine_for(trace)
    tracemalloc.start()
    try:
        base = traced_bytes()
        tracemalloc.reset_peak()
        report = replay(trace, machine)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert report.operations == 20_000 and report.failures == 0
    assert peak < 300_000  # every event kept, as before, took about 10 MB


def test_a_replayer_without_history_refuses_to_step_back():
    trace = parse_native("malloc a 24\n")
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    replayer.step()
    with pytest.raises(RuntimeError, match="keeps no history"):
        replayer.back()
    assert replayer.position == 1 and replayer.binding("a").ptr is not None


def test_history_keeps_under_200_bytes_an_operation():
    trace = random_trace(20_000)
    assert (
        history_bytes(trace) / len(trace.ops) < 200
    )  # before: 700 to 2,000 bytes (every event's copy of its visits)


def test_only_the_newest_successful_search_keeps_its_visits():
    trace = random_trace(3_000)
    replayer = Replayer(trace, machine_for(trace))
    searches = []
    while not replayer.at_end:
        event = replayer.step().event
        search = getattr(event, "allocation", event)
        if isinstance(search, HeapAllocation) and not search.failed and search.passed_over:
            searches.append(search)
    *older, newest = searches
    assert len(newest.passed_starts) == min(newest.passed_over, 256)
    assert all(len(search.passed_starts) == 0 for search in older)
    assert VisitsNotKept(older[-1].passed_over) in older[-1].steps  # after the size step


def test_forgetting_visits_keeps_the_description_and_exact_revert():
    trace = random_trace(3_000)
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    states = [machine_state(machine)]
    descriptions = []
    while not replayer.at_end:
        event = replayer.step().event
        descriptions.append(None if event is None or event.failed else event.describe())
        states.append(machine_state(machine))
    while replayer.position:  # all but the newest search have forgotten their visits
        event = replayer.back()
        assert (None if event is None else event.describe()) == descriptions.pop()
        assert machine_state(machine) == states[replayer.position]

"""Replay forwards and back, failures, and sessions saved as traces."""

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbita_gui.core import HeapAllocation, Layout, Machine, OrbitaError
from orbita_gui.traces import (
    Op,
    Replayer,
    Trace,
    format_native,
    machine_for,
    parse_ltrace,
    parse_native,
    parse_trace,
    replay,
    session_trace,
)

from ..machine_state import machine_state

names = st.sampled_from(["a", "b", "c", "f", "g"])
ops = st.one_of(
    st.builds(Op, st.just("alloc-frame"), names),
    st.builds(Op, st.just("free-frame"), names),
    st.builds(Op, st.just("malloc"), names, st.integers(0, 600), st.sampled_from([8, 16, 64])),
    st.builds(Op, st.just("free"), names),
    st.builds(Op, st.just("realloc"), names, st.integers(0, 600)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(ops, max_size=40), st.data())
def test_stepping_back_equals_a_fresh_replay_to_the_same_point(operations, data):
    trace = Trace("t", tuple(operations), memory_size=1 << 20, heap_size=2048)
    replayer = Replayer(trace, machine_for(trace))
    while not replayer.at_end:
        replayer.step()
    target = data.draw(st.integers(0, len(operations)))
    while replayer.position > target:
        replayer.back()
    fresh = Replayer(trace, machine_for(trace))
    for _ in range(target):
        fresh.step()
    assert machine_state(replayer.machine) == machine_state(fresh.machine)
    # and going forward again from there gives the same end as before
    while not replayer.at_end:
        replayer.step()
        fresh.step()
    assert machine_state(replayer.machine) == machine_state(fresh.machine)


def test_failures_are_counted_and_change_nothing():
    trace = parse_native(
        "heap 0x1000 64\nmalloc a 32\nmalloc big 1000\nfree big\nfree nobody\n"
        "alloc-frame f\nfree f\nfree-frame a\nrealloc a 4000\n"
    )
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    failures = [replayer.step().failure for _ in trace.ops]
    assert failures[0] is None
    assert "line 3" in failures[1] and "out of memory" in failures[1]
    assert failures[2] is None  # big holds NULL: free(NULL)
    assert "no block is allocated under that name" in failures[3]
    assert failures[4] is None
    assert "f is a frame" in failures[5]
    assert "a is a heap block" in failures[6]
    assert "out of memory" in failures[7]
    assert [b.layout for b in machine.heap.allocations().values()] == [Layout(32, 8)]
    report = replay(trace, machine_for(trace))
    assert (report.failed_allocations, report.invalid_frees) == (2, 3)  # wrong-kind frees count


def test_report_figures_on_a_small_trace():
    trace = parse_native("heap 0x1000 1024\nmalloc a 100\nmalloc b 50\nfree a\nmalloc c 16 64\n")
    report = replay(trace, machine_for(trace), record=True)
    # a: 104 bytes at 0x1000; b: 56 at 0x1068; a freed; c (16, 64-aligned) fits in a's place
    assert report.peak_payload == 150
    assert report.footprint == 0xA0
    assert report.utilization == 150 / 160
    # c's 16 bytes at alignment 64 take a 64-byte block (size_align pads to the alignment)
    assert report.series["heap_allocated"].tolist() == [104, 160, 56, 120]
    assert report.series["free_list_length"].tolist() == [1, 1, 2, 2]
    assert "peak live payload   150 bytes" in report.summary()


def test_replay_rests_the_cycle_collector_and_restores_it():
    trace = parse_native("heap 0x1000 1024\n" + "malloc a 100\nfree a\n" * 1000)
    seen = []
    replay(trace, machine_for(trace), progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen == [False]  # off while replaying (progress comes every 2,000 operations)
    assert gc.isenabled()
    gc.disable()  # a caller that had it off (the player at full speed) keeps it off
    try:
        replay(trace, machine_for(trace))
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=40, deadline=None)
@given(st.lists(ops, max_size=40))
def test_a_saved_session_loads_to_the_identical_state(operations):
    trace = Trace("t", tuple(operations), memory_size=1 << 20, heap_size=2048)
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    events = []
    while not replayer.at_end:
        outcome = replayer.step()
        if outcome.event is not None:
            events.append(outcome.event)
    saved = format_native(session_trace(machine, events))
    loaded = parse_native(saved)
    again = machine_for(loaded)
    replay(loaded, again)
    assert machine_state(again) == machine_state(machine)


def test_session_trace_names_frames_and_blocks():
    machine = Machine(1 << 20, heap_size=4096)
    events = [
        machine.frames.allocate_frame_event(),
        machine.heap.allocate_event(Layout(24, 8)),
    ]
    block = events[1]
    assert isinstance(block, HeapAllocation)
    events.append(machine.heap.realloc_event(block.ptr, Layout(24, 8), 64))
    events.append(machine.free_frame_event(events[0].frame))
    text = format_native(session_trace(machine, events))
    assert text.splitlines()[1:] == [
        "frames 1MiB",
        "heap 0x444444440000 4KiB",
        "alloc-frame f1",
        "malloc b1 24 8",
        "realloc b1 64",
        "free-frame f1",
    ]


TOO_LARGE_REP = """20971520
5
10
1
a 0 9223372036854775808
a 1 18446744073709551615
a 2 18446744073709551616
a 3 100
r 3 18446744073709551616
f 0
f 1
f 2
r 4 18446744073709551615
f 3
"""


def test_a_size_too_large_is_a_failed_allocation_not_an_invalid_free():
    trace = parse_trace(TOO_LARGE_REP, "big.rep", "malloclab")
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    outcomes = [replayer.step() for _ in range(5)]
    assert [outcome.null for outcome in outcomes] == [True, True, True, False, True]
    assert "too large" in outcomes[0].failure and "line 5" in outcomes[0].failure
    assert replayer.binding("0") is None  # holds NULL, as C's pointer would
    block = replayer.binding("3")  # the failed realloc left the old block in place
    assert [b.layout.size for b in machine.heap.allocations().values()] == [100]
    assert block.layout.size == 100
    report = replay(trace, machine_for(trace))
    # the frees of NULL do nothing; realloc of a name never allocated allocates (NULL)
    assert (report.failed_allocations, report.invalid_frees) == (5, 0)
    assert "5 failed allocations: out of memory or too large; 0 invalid frees" in report.summary()
    while replayer.position:
        replayer.back()
    assert machine.heap.allocations() == {}


def test_calloc_too_large_in_ltrace_is_a_failed_allocation():
    trace = parse_ltrace(
        "calloc(1099511627776, 1099511627776) = 0x5000\nfree(0x5000) = <void>\n", "big.ltrace"
    )
    report = replay(trace, machine_for(trace))
    assert (report.failed_allocations, report.invalid_frees) == (1, 0)


def test_the_report_counts_kinds_and_keeps_the_first_failures_with_their_lines():
    trace = parse_native("heap 0x1000 64\nmalloc a 24\n" + "free nobody\n" * 25 + "free a\n")
    report = replay(trace, machine_for(trace))
    assert report.kinds == {"malloc": 1, "free": 26}
    assert report.invalid_frees == 25 and len(report.failure_messages) == 20
    assert report.failure_messages[0].startswith("line 3: free nobody: no block")
    details = report.details().splitlines()
    assert details[0] == "operations by kind  free 26, malloc 1"
    assert details[-1] == "  ... and 5 more failures"


def test_machine_for_takes_a_zero_size_as_given_not_as_unset():
    trace = parse_native("malloc a 24\n")
    with pytest.raises(OrbitaError):
        machine_for(trace, heap_size=0)

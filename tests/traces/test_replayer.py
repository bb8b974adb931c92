"""Replay forwards and back, failures, and sessions saved as traces."""

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbita_gui.core import Layout, Machine, OrbitaError
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
    assert report.series["footprint"].tolist() == [0x68, 0xA0, 0xA0, 0xA0]  # the high water
    assert report.series["search_cost"].tolist() == [1, 1, 0, 1]  # nodes looked at
    assert "peak live payload   150 bytes" in report.summary()


def test_a_failed_search_costs_every_node_it_looked_at():
    trace = parse_native("heap 0x1000 1024\nmalloc a 100\nfree a\nmalloc b 2000\n")
    report = replay(trace, machine_for(trace), record=True)
    assert report.series["search_cost"].tolist() == [1, 0, 2]


def test_replay_rests_the_cycle_collector_and_restores_it():
    trace = parse_native("heap 0x1000 1024\n" + "malloc a 100\nfree a\n" * 1000)
    seen = set()
    replay(trace, machine_for(trace), watch=lambda op, outcome: seen.add(gc.isenabled()))
    assert seen == {False}  # off while each operation runs
    assert gc.isenabled()
    gc.disable()  # a caller that had it off (the player at full speed) keeps it off
    try:
        replay(trace, machine_for(trace))
        assert not gc.isenabled()
    finally:
        gc.enable()


def replayed_state(trace):
    machine = machine_for(trace)
    replay(trace, machine)
    return machine_state(machine)


@settings(max_examples=40, deadline=None)
@given(st.lists(ops, max_size=40))
def test_a_saved_session_loads_to_the_identical_state(operations):
    trace = Trace("t", tuple(operations), memory_size=1 << 20, heap_size=2048)
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    while not replayer.at_end:
        replayer.step()
    session = replayer.session()
    assert [(op.kind, op.size) for op in session.ops] == [(op.kind, op.size) for op in operations]
    assert replayed_state(parse_native(format_native(session))) == machine_state(machine)


# Names and requests the native format cannot say: malloc-lab ids, ltrace pointers and
# their new names after a realloc, NULL, sizes too large, alignments of a realloc's own.
odd_names = st.sampled_from(["a", "b", "0", "17", "0x5000", "0x6000", "", "null", "a.2"])
odd_sizes = st.integers(0, 600) | st.sampled_from([1 << 20, 2**63, 2**64 - 1, 2**64])
odd_ops = st.one_of(
    st.builds(Op, st.just("alloc-frame"), odd_names),
    st.builds(Op, st.just("free-frame"), odd_names),
    st.builds(Op, st.just("malloc"), odd_names, odd_sizes, st.sampled_from([8, 16, 3])),
    st.builds(Op, st.just("free"), odd_names),
    st.builds(
        Op,
        st.just("realloc"),
        odd_names,
        odd_sizes,
        st.sampled_from([8, 16]),
        new_name=st.none() | odd_names,
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(odd_ops, max_size=40), st.data())
def test_a_session_of_any_operations_loads_to_the_identical_state(operations, data):
    trace = Trace("t", tuple(operations), memory_size=1 << 20, heap_size=2048)
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    while not replayer.at_end:
        replayer.step()
    back = data.draw(st.integers(0, len(operations)), "steps back")
    for _ in range(back):
        replayer.back()
    text = format_native(replayer.session())
    assert replayed_state(parse_native(text)) == machine_state(machine), text


def test_a_session_is_the_operations_applied_with_the_machine_header():
    machine = Machine(1 << 20, heap_size=4096)
    replayer = Replayer(None, machine)
    for op in (
        Op("alloc-frame", "f1"),
        Op("malloc", "b1", 24, 8),
        Op("realloc", "b1", 64),
        Op("free-frame", "f1"),
        Op("free", "nobody"),
    ):
        replayer.apply(op)
    text = format_native(replayer.session())
    assert text.splitlines()[1:] == [
        "frames 1MiB",
        "heap 0x444444440000 4KiB",
        "alloc-frame f1",
        "malloc b1 24 8",
        "realloc b1 64",
        "free-frame f1",
        "free b2",  # a failure too: the session is what was applied
    ]


def test_a_session_names_frames_and_blocks_and_follows_a_block_renamed_by_realloc():
    trace = parse_ltrace(
        "malloc(24) = 0x5000\nrealloc(0x5000, 100) = 0x6000\nmalloc(8) = 0x5000\n"
        "free(0x6000) = <void>\n",
        "t.ltrace",
    )
    machine = machine_for(trace)
    replay_all = Replayer(trace, machine)
    while not replay_all.at_end:
        replay_all.step()
    session = replay_all.session()
    assert [(op.kind, op.name) for op in session.ops] == [
        ("malloc", "b1"),  # 0x5000
        ("realloc", "b1"),  # the block now called 0x6000 goes by b1
        ("malloc", "b2"),  # and 0x5000, a new block, by a new name
        ("free", "b1"),
    ]
    assert replayed_state(parse_native(format_native(session))) == machine_state(machine)


def test_a_name_records_whether_it_holds_a_frame_not_the_type_of_its_value():
    trace = parse_native("alloc-frame x\nmalloc x 24\nfree x\nalloc-frame x\nfree-frame x\n")
    replayer = Replayer(trace, machine_for(trace))
    replayer.step()
    assert replayer.holds_frame("x")
    replayer.step()  # malloc binds x again, to a block
    assert not replayer.holds_frame("x") and replayer.binding("x").layout.size == 24
    replayer.back()
    assert replayer.holds_frame("x")
    while not replayer.at_end:
        assert replayer.step().failure is None
    assert not replayer.bound("x")


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


def test_a_frame_allocation_taken_back_leaves_its_name_holding_nothing():
    trace = parse_native("alloc-frame f\n")
    replayer = Replayer(trace, machine_for(trace))
    number = replayer.step().event.frame_number
    assert replayer.name_of_frame(number) == "f"
    replayer.back()
    assert not replayer.bound("f") and not replayer.holds_frame("f")
    assert replayer.name_of_frame(number) is None


def test_an_out_of_memory_message_is_its_event_described_at_its_line():
    trace = parse_native("heap 0x1000 64\n" + "malloc a 1000\n" * 25)
    outcome = Replayer(trace, machine_for(trace), keep_history=False).step()
    assert outcome.null and outcome.failure == f"line 2: {outcome.event.describe()}"
    report = replay(trace, machine_for(trace))
    assert report.failed_allocations == 25 and len(report.failure_messages) == 20
    assert report.failure_messages[-1] == f"line 21: {outcome.event.describe()}"


def test_older_searches_let_go_of_their_nodes_so_the_heap_need_not_copy_them():
    trace = parse_native(
        "heap 0x1000 4KiB\n"
        + "".join(f"malloc m{i} 64\n" for i in range(6))
        + "free m1\nfree m3\nmalloc a 100\nmalloc b 100\nfree m0\nmalloc c 8\n"
    )
    replayer = Replayer(trace, machine_for(trace))
    replayer.run(trace.ops, 0, 8)  # at once: only the batch's end is drawn
    first = replayer.step().event  # a, alone: passes over m3's and m1's regions
    assert len(first.passed_starts) == 2
    replayer.step()  # b, alone: a newer search, so a's nodes are let go
    assert first.visits is None and first.passed_over == 2  # the count stays


@pytest.mark.parametrize(("heap", "footprint"), [("free-list header=8", 24), ("segregated", 16)])
def test_the_footprint_ends_where_the_highest_block_ends(heap, footprint):
    """A header sits in front of the address handed out: a 16-byte request with an 8-byte
    header ends 24 bytes in, not 32; and a heap that makes no search counts too."""
    trace = parse_native(f"heap 0x1000 1024\nallocator {heap}\nmalloc a 16\n")
    report = replay(trace, machine_for(trace))
    assert (report.footprint, report.peak_payload) == (footprint, 16)

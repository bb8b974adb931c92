"""Blocks of contiguous frames in traces: `frames SIZE buddy`, `alloc-frames NAME N`,
replayed, stepped back, refused by the bitmap allocator, and saved as sessions."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbita_gui.traces import (
    Op,
    Replayer,
    Trace,
    TraceSyntaxError,
    format_native,
    machine_for,
    parse_native,
    replay,
)

from ..machine_state import machine_state

BUDDY = "frames 1MiB buddy\n"


def test_the_frames_line_names_the_frame_allocator_and_alloc_frames_counts_frames():
    trace = parse_native(
        BUDDY + "alloc-frames a 3\nalloc-frames b 0x10\nalloc-frames c 8KiB\n"
        "alloc-frames d 2MiB\nfree-frame a\n"
    )
    assert trace.frames_kind == "buddy" and trace.memory_size == 1 << 20
    assert [op.size for op in trace.ops[:4]] == [3, 16, 2, 512]
    again = parse_native(format_native(trace))
    assert [(op.kind, op.name, op.size) for op in again.ops] == [
        (op.kind, op.name, op.size) for op in trace.ops
    ]
    assert format_native(trace).splitlines()[1] == "frames 1MiB buddy"


@pytest.mark.parametrize(
    ("text", "column", "said"),
    [
        ("frames 1MiB slab\n", 13, "no frame allocator is called 'slab'; there are: bitmap, buddy"),
        (BUDDY + "alloc-frames a 6KiB\n", 16, "'6KiB' is not a whole number of 4,096-byte"),
        (BUDDY + "alloc-frames a 0\n", 16, "a block holds 1 frame or more"),
        (BUDDY + "alloc-frames a\n", 1, "expected 'alloc-frames NAME COUNT (or a size: 2MiB)'"),
    ],
)
def test_a_bad_frames_line_or_count_is_a_located_error(text, column, said):
    with pytest.raises(TraceSyntaxError) as caught:
        parse_native(text, "t.trace")
    line = text.count("\n")
    assert str(caught.value).startswith(f"t.trace:{line}:{column}: ") and said in str(caught.value)


def test_blocks_are_taken_and_freed_by_the_name_of_their_first_frame():
    trace = parse_native(BUDDY + "alloc-frames a 3\nalloc-frame b\nfree-frame a\n")
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    taken = replayer.step().event
    assert taken.frames_taken == (28, 29, 30, 31)  # after the heap's 25 frames: order 2
    replayer.step()
    assert replayer.step().event.frames_given == (28, 29, 30, 31)
    assert machine.frames.stats().used_frames == 26


def test_the_bitmap_allocator_refuses_a_block_and_nothing_changes():
    trace = parse_native("frames 1MiB\nalloc-frames a 3\n")
    machine = machine_for(trace)
    before = machine_state(machine)
    report = replay(trace, machine)
    assert report.failure_messages == (
        "line 2: the bitmap frame allocator hands out one frame at a time: 3 contiguous "
        "frames need one that hands out blocks (buddy)",
    )
    assert machine_state(machine) == before


names = st.sampled_from(["a", "b", "c", "m"])
frame_ops = st.one_of(
    st.builds(Op, st.just("alloc-frame"), names),
    st.builds(Op, st.just("alloc-frames"), names, st.integers(1, 70)),
    st.builds(Op, st.just("free-frame"), names),
    st.builds(Op, st.just("malloc"), names, st.integers(0, 300)),
    st.builds(Op, st.just("free"), names),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(frame_ops, max_size=40), st.data())
def test_on_a_buddy_machine_back_and_sessions_give_the_same_state(operations, data):
    trace = Trace("t", tuple(operations), memory_size=1 << 20, frames_kind="buddy")
    fresh = machine_state(machine_for(trace))
    machine = machine_for(trace)
    replayer = Replayer(trace, machine)
    while not replayer.at_end:
        replayer.step()
    session = parse_native(format_native(replayer.session()))
    again = machine_for(session)
    replay(session, again)
    assert session.frames_kind == "buddy" and machine_state(again) == machine_state(machine)
    back = data.draw(st.integers(0, len(operations)), "steps back")
    for _ in range(back):
        replayer.back()
    if back == len(operations):
        assert machine_state(machine) == fresh

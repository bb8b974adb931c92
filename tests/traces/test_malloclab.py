"""The malloc-lab reader on every header variant, the CMU quirks, and bad input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orbita_gui.core import HEAP_START, Layout, Machine
from orbita_gui.traces import (
    TraceOp,
    TraceSyntaxError,
    malloclab_to_trace,
    parse_malloclab,
    read_malloclab,
    replay,
)

CLASSIC = """20971520
6
12
1
a 0 2040
a 1 2040
f 1
a 2 48
a 3 4072
f 3
a 4 4072
f 0
f 2
a 5 4072
f 4
f 5
"""

TWO_LINE = """2
3
a 0 16
a 1 112
f 0
"""

CMU_QUIRKS = """1
3
10
0
a 0 40
f -1
r 1 100
a 2
f 0
a 0 24
r 2 8
f 1
f 2
f 0
"""


def run(text, heap_size=20 << 20):
    """Replay a malloc-lab text; returns the report and the heap it ran on."""
    machine = Machine(1 << 30, HEAP_START, heap_size)
    return replay(malloclab_to_trace(parse_malloclab(text)), machine), machine.heap


def test_classic_header():
    trace = parse_malloclab(CLASSIC)
    assert trace.num_ids == 6 and len(trace.ops) == 12
    assert trace.suggested_heap == 20971520
    assert trace.ops[0] == TraceOp("a", 0, 2040, 5)
    assert trace.ops[2] == TraceOp("f", 1, None, 7)


def test_two_line_header():
    trace = parse_malloclab(TWO_LINE)
    assert trace.num_ids == 2 and trace.suggested_heap is None
    assert [op.kind for op in trace.ops] == ["a", "a", "f"]


def test_cmu_header_and_quirks():
    trace = parse_malloclab(CMU_QUIRKS)
    assert trace.num_ids == 3 and trace.suggested_heap is None
    assert trace.ops[1] == TraceOp("f", -1, None, 6)
    assert trace.ops[3] == TraceOp("a", 2, 100, 8)  # size missing: the previous size again


def test_a_missing_size_repeats_the_previous_request_not_a_free():
    trace = parse_malloclab("2\n4\na 0 40\nf 0\nf -1\na 1\n")
    assert trace.ops[3] == TraceOp("a", 1, 40, 6)


def test_replay_of_the_cmu_quirks():
    stats, h = run(CMU_QUIRKS)
    # a0 40 at 0; r1 of NULL allocates 104 at 40; a2 100 -> 104 at 144 (end 248).
    assert stats.peak_payload == 40 + 100 + 100
    assert stats.footprint == 248
    assert stats.failures == 0
    assert stats.utilization == pytest.approx(240 / 248)
    assert not h.allocations()  # everything freed


def test_replay_of_the_classic_trace_gives_known_figures():
    stats, _ = run(CLASSIC)
    assert stats.operations == 12
    # Live payload peaks after `a 5`: blocks 3 (freed), 4 (4072), 5 (4072) -> 8144.
    assert stats.peak_payload == 8144
    # `a 5` passes over two small regions and lands at 8152 (after 0..2040..4080..8152).
    assert stats.footprint == 8152 + 4072
    assert stats.utilization == pytest.approx(8144 / 12224)
    assert stats.failures == 0
    assert stats.free_list_length == 6


def test_replay_counts_failures_and_changes_nothing_for_them():
    text = "3\n5\na 0 64\na 1 100000\nf 1\nf 2\nr 0 200000\n"
    stats, h = run(text, 1024)
    assert stats.failed_allocations == 2  # a 1 and r 0 do not fit
    assert stats.invalid_frees == 1  # f 2: never allocated (f 1 frees NULL: nothing)
    assert dict(h.allocations()).keys() == {HEAP_START}
    assert h.allocations()[HEAP_START].layout == Layout(64, 8)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("2\n1\nx 0 16\n", ":3:1:", "expected a, f or r, found 'x'"),
        ("2\n1\na zero 16\n", ":3:3:", "expected an id, found 'zero'"),
        ("2\n1\na 0 big\n", ":3:5:", "expected a size in bytes, found 'big'"),
        ("2\n1\na 0 -16\n", ":3:5:", "size -16 is negative"),
        ("2\n1\na 0\n", ":3:1:", "expected a size after a 0"),
        ("2\n1\nr 0\n", ":3:1:", "expected a size after r 0"),
        ("2\n1\na -5 16\n", ":3:3:", "id -5 is negative"),
        ("2\n1\nf -1 2\n", ":3:6:", "unexpected text after the request"),
        ("2\n2\na 0 16\n", ":3:1:", "announces 2 operations, the file has 1"),
        ("2\n", ":2:1:", "header of 2 or 4 lines of numbers, found 1"),
        ("", ":1:1:", "header of 2 or 4 lines of numbers, found 0"),
        ("2\n1\n3\n", ":4:1:", "found 3"),
    ],
)
def test_bad_lines_name_the_line_and_column(text, where, message):
    with pytest.raises(TraceSyntaxError) as caught:
        parse_malloclab(text, "bad.rep")
    assert str(caught.value).startswith("bad.rep" + where)
    assert message in str(caught.value)


def test_read_names_the_file(tmp_path):
    path = tmp_path / "t.rep"
    path.write_text("2\n1\nq\n")
    with pytest.raises(TraceSyntaxError, match=r"t\.rep:3:1: expected a, f or r"):
        read_malloclab(path)
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(TraceSyntaxError, match="not a text file"):
        read_malloclab(path)
    path.write_text(CLASSIC)
    assert read_malloclab(path).source == str(path)


@given(st.text(alphabet="af r-0123456789\n\tx", max_size=200))
def test_garbage_never_crashes_the_reader(text):
    try:
        trace = parse_malloclab(text)
    except TraceSyntaxError:
        return
    replay(malloclab_to_trace(trace), Machine(1 << 20, HEAP_START, 4096))


PLAIN_REQUEST = st.one_of(
    st.tuples(st.sampled_from("ar"), st.integers(0, 9), st.integers(0, 10**9 - 1)).map(
        lambda r: f"{r[0]} {r[1]} {r[2]}"
    ),
    st.integers(0, 9).map(lambda ident: f"f {ident}"),
)


@given(st.lists(PLAIN_REQUEST, min_size=1, max_size=40), st.booleans())
def test_a_plain_file_read_at_once_is_what_reading_line_by_line_gives(requests, newline):
    """The lab's own traces are read in one sweep; the same requests with Windows line
    ends take the reader line by line: both give the same operations, lines and all."""
    text = "\n".join(["1000", "10", str(len(requests)), "1", *requests]) + "\n" * newline
    at_once = parse_malloclab(text)
    by_line = parse_malloclab(text.replace("\n", "\r\n"))
    assert list(at_once.operations) == list(by_line.operations)
    assert at_once.operations == by_line.operations
    assert (at_once.num_ids, at_once.suggested_heap) == (by_line.num_ids, by_line.suggested_heap)

"""The native format, OSTEP lists, ltrace output, and telling them apart."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orbita_gui.core import HEAP_START
from orbita_gui.traces import (
    Op,
    TraceSyntaxError,
    format_native,
    guess_format,
    machine_for,
    parse_ltrace,
    parse_native,
    parse_ostep,
    parse_trace,
    read_trace,
    replay,
)

NATIVE = """# first lecture
frames 1GiB
heap 0x444444440000 100KiB
alloc-frame f1
malloc a 24 8   # a comment after an operation
malloc b 0x40
realloc a 48
free b
free-frame f1
free null
"""

LTRACE = """[pid 4242] malloc(24)                                = 0x55d0c8e4a2a0
[pid 4242] puts("hello")                             = 6
[pid 4242] calloc(3, 8)                              = 0x55d0c8e4a2c0
[pid 4242] realloc(0x55d0c8e4a2a0, 100 <unfinished ...>
[pid 4242] <... realloc resumed> )                  = 0x55d0c8e4a6f0
[pid 4242] free(0x55d0c8e4a2c0)                      = <void>
[pid 4242] free(0)                                   = <void>
[pid 4242] malloc(1000000000000)                     = 0
[pid 4242] +++ exited (status 0) +++
"""


def test_native_reads_header_and_operations():
    trace = parse_native(NATIVE)
    assert trace.memory_size == 1 << 30
    assert (trace.heap_start, trace.heap_size) == (HEAP_START, 100 * 1024)
    assert [op.kind for op in trace.ops] == [
        "alloc-frame",
        "malloc",
        "malloc",
        "realloc",
        "free",
        "free-frame",
        "free",
    ]
    assert trace.ops[1] == Op("malloc", "a", 24, 8, 5)
    assert trace.ops[2].size == 64 and trace.ops[2].align == 8
    assert trace.ops[-1].name == ""  # null


def test_native_round_trips_through_the_writer():
    trace = parse_native(NATIVE)
    again = parse_native(format_native(trace))
    assert [(op.kind, op.name, op.size, op.align) for op in again.ops] == [
        (op.kind, op.name, op.size, op.align) for op in trace.ops
    ]
    assert (again.memory_size, again.heap_start, again.heap_size) == (
        trace.memory_size,
        trace.heap_start,
        trace.heap_size,
    )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("malloc a\n", ":1:1:", "expected 'malloc NAME SIZE [ALIGN]'"),
        ("malloc a lots\n", ":1:10:", "expected a size in bytes, found 'lots'"),
        ("malloc a 24 3\n", ":1:13:", "alignment 3 is not a power of two"),
        ("malloc 9a 24\n", ":1:8:", "'9a' is not a name"),
        ("alloc-frame f1\nframes 1GiB\n", ":2:1:", "'frames' must come before operations"),
        ("frames 1GiB\nframes 2GiB\n", ":2:1:", "'frames' is given twice"),
        ("heap 0x1000\n", ":1:1:", "expected 'heap START SIZE'"),
        ("  mallock a 24\n", ":1:3:", "unknown operation 'mallock'"),
        ("free a b\n", ":1:1:", "expected 'free NAME'"),
    ],
)
def test_native_errors_name_line_and_column(text, where, message):
    with pytest.raises(TraceSyntaxError) as caught:
        parse_native(text, "t.trace")
    assert str(caught.value).startswith("t.trace" + where)
    assert message in str(caught.value)


def test_ostep_lists():
    trace = parse_ostep("+10,-0,+5,\n+20 -1")
    assert [(op.kind, op.name, op.size) for op in trace.ops] == [
        ("malloc", "0", 10),
        ("free", "0", 0),
        ("malloc", "1", 5),
        ("malloc", "2", 20),
        ("free", "1", 0),
    ]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("+10,-1", ":1:5:", "only 1 allocations came before it"),
        ("+10,*3", ":1:5:", "expected +SIZE or -INDEX, found '*3'"),
        ("", ":1:1:", "found none"),
    ],
)
def test_ostep_errors(text, where, message):
    with pytest.raises(TraceSyntaxError) as caught:
        parse_ostep(text, "o.ostep")
    assert str(caught.value).startswith("o.ostep" + where) and message in str(caught.value)


def test_ltrace_calls_become_named_operations():
    trace = parse_ltrace(LTRACE)
    assert [(op.kind, op.name, op.size, op.new_name) for op in trace.ops] == [
        ("malloc", "0x55d0c8e4a2a0", 24, None),
        ("malloc", "0x55d0c8e4a2c0", 24, None),
        ("realloc", "0x55d0c8e4a2a0", 100, "0x55d0c8e4a6f0"),
        ("free", "0x55d0c8e4a2c0", 0, None),
        ("free", "", 0, None),
    ]  # the failed malloc returned NULL: nothing to replay


def test_ltrace_replays_by_size_and_identity():
    trace = parse_ltrace(LTRACE + "free(0x55d0c8e4a6f0) = <void>\n")
    report = replay(trace, machine_for(trace))
    assert report.failures == 0 and report.peak_payload == 124


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("malloc(lots) = 0x10\n", ":1:8: expected malloc with a size"),
        ("malloc(24) = banana\n", ":1:14: expected a pointer after '='"),
        ('puts("hi") = 3\n', ":1:1: no malloc, calloc, realloc or free calls found"),
        ("<... malloc resumed> ) = 0x10\n", ":1:1: malloc resumed, never begun"),
    ],
)
def test_ltrace_errors(text, message):
    with pytest.raises(TraceSyntaxError) as caught:
        parse_ltrace(text, "p.ltrace")
    assert str(caught.value).startswith("p.ltrace" + message.split(" ", 1)[0])
    assert message.split(" ", 1)[1] in str(caught.value)


def test_formats_are_told_apart():
    assert guess_format(Path("x.rep"), "") == "malloclab"
    assert guess_format(Path("x.txt"), "20\n10\n") == "malloclab"
    assert guess_format(Path("x.txt"), LTRACE) == "ltrace"
    assert guess_format(Path("x.txt"), "+10,-0") == "ostep"
    assert guess_format(Path("x.txt"), NATIVE) == "native"


def test_read_trace_and_heap_size_override(tmp_path):
    path = tmp_path / "lecture.trace"
    path.write_text(NATIVE)
    assert read_trace(path).heap_size == 100 * 1024
    assert read_trace(path, heap_size=4096).heap_size == 4096
    rep = tmp_path / "t.rep"
    rep.write_text("1\n1\na 0 16\n")
    assert read_trace(rep).heap_size == 20 << 20
    missing = tmp_path / "nope.trace"
    with pytest.raises(TraceSyntaxError, match="cannot read it"):
        read_trace(missing)


@given(
    st.text(alphabet="acdefghilmnoprstwxyz-_0123456789 #\n+,()=<>.[]", max_size=300),
    st.sampled_from(["native", "ostep", "ltrace", "malloclab"]),
)
def test_garbage_never_crashes_a_reader_or_the_replay(text, fmt):
    try:
        trace = parse_trace(text, "g", fmt, heap_size=4096)
    except TraceSyntaxError:
        return
    machine = machine_for(trace, heap_size=4096)
    replay(trace, machine)
    stats = machine.heap.stats()
    assert stats.allocated + stats.free + stats.lost + stats.unmapped == stats.total

"""Inputs that once broke a reader, one test per defect: each failed before its fix."""

import tracemalloc
from pathlib import Path

import pytest

from orbita_gui.core.machine import HEAP_START
from orbita_gui.traces import (
    Op,
    TraceOp,
    TraceSyntaxError,
    guess_format,
    machine_for,
    malloclab_to_trace,
    parse_ltrace,
    parse_malloclab,
    parse_native,
    parse_ostep,
    parse_trace,
    read_trace,
    replay,
)
from orbita_gui.traces.errors import trace_warning
from orbita_gui.traces.trace import Ops


def error_of(parse, text, source="t"):
    with pytest.raises(TraceSyntaxError) as caught:
        parse(text, source)
    return caught.value


# 2. A native header that cannot be built is an error of its line, at the value at fault.


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("frames 1\n", ":1:8:", "memory size 1 B is not supported: give 64 KiB to 16 GiB"),
        ("frames 5000\n", ":1:8:", "a whole number of 4 KiB frames"),
        ("frames 0\n", ":1:8:", "memory size 0 B is not supported"),
        ("frames 0xffffffffffffffff\n", ":1:8:", "give 64 KiB to 16 GiB"),
        ("frames 32GiB\n", ":1:8:", "give 64 KiB to 16 GiB"),
        ("heap 0x1 100KiB\n", ":1:6:", "heap start 0x1 is not supported: give a nonzero"),
        ("heap 0 16KiB\n", ":1:6:", "heap start 0x0 is not supported"),
        ("heap 0x1000 0\n", ":1:13:", "the heap needs at least 16 bytes"),
        ("heap 0x1000 2GiB\n", ":1:13:", "at most 1 GiB"),
        ("frames 64KiB\nheap 0x1000 1MiB\n", ":2:13:", "needs 256 frames: memory is too small"),
        ("heap 0x1000 1MiB\n# note\nframes 64KiB\n", ":1:13:", "memory is too small"),
        ("heap 0xfffffffffffff000 1MiB\n", ":1:25:", "overflows the 64-bit address space"),
        ("frames 64KiB\n", ":1:8:", "with no 'heap' line the heap is 100 KiB"),
    ],
)
def test_a_native_header_that_cannot_be_built_is_located(text, where, message):
    error = error_of(parse_native, text + "malloc a 8\n", "h.trace")
    assert str(error).startswith("h.trace" + where) and message in str(error)


@pytest.mark.parametrize(
    "header",
    ["frames 64KiB\nheap 0x1000 60KiB", "heap 0x1000 1GiB", "frames 16GiB", "frames 1MiB"],
)
def test_a_native_header_that_reads_builds_with_the_replay_defaults(header):
    trace = parse_native(header + "\nmalloc a 8\n")
    machine = machine_for(trace)
    assert machine.heap.heap_size == (trace.heap_size or 100 * 1024)
    assert trace.memory_size in (None, machine.frames.total_frames * 4096)


# 4. Only ASCII digits are digits; every reader answers with a located error.


@pytest.mark.parametrize(
    ("parse", "text", "where"),
    [
        (parse_malloclab, "1\n\u24ff\n", ":2:1:"),
        (parse_malloclab, "2\n1\na \u0663 8\n", ":3:3:"),
        (parse_malloclab, "2\n1\na 0 \u00b2\n", ":3:5:"),
        (parse_malloclab, "\u0662\n1\na 0 8\n", ":1:1:"),
        (parse_ostep, "+10,+\u0663", ":1:5:"),
        (parse_ostep, "+10 -\u00b2", ":1:5:"),
        (parse_ltrace, "malloc(\u00b2) = 0x10\n", ":1:8:"),
        (parse_ltrace, "calloc(1, \u0663) = 0x10\n", ":1:11:"),
        (parse_ltrace, "[pid \u0663] malloc(2) = 0x10\n", ":1:"),
        (parse_native, "malloc a \u0663\n", ":1:10:"),
    ],
)
def test_unicode_digits_are_located_errors(parse, text, where):
    error = error_of(parse, text)
    assert str(error).startswith("t" + where)


def test_a_unicode_digit_is_named_as_such():
    assert "ASCII digits 0-9" in str(error_of(parse_malloclab, "2\n1\na 0 \u00b2\n"))
    assert "ASCII digits 0-9" in str(error_of(parse_ostep, "+\u0663"))


def test_ltrace_ignores_other_calls_that_quote_malloc():
    trace = parse_ltrace('puts("malloc(3) failed") = 17\nmalloc(8) = 0x10\n')
    assert list(trace.ops) == [Op("malloc", "0x10", 8, 16, 2)]
    assert str(error_of(parse_ltrace, "[pid 3] malloc(8 = 0x10\n")).startswith("t:1:15:")


def test_ltrace_numbers_with_leading_zeros_are_refused_where_they_stand():
    # ltrace prints decimal without leading zeros; C would read 010 as 8, a person as 10.
    assert "no leading zero" in str(error_of(parse_ltrace, "malloc(010) = 0x10\n"))
    assert str(error_of(parse_ltrace, "calloc(0x10, 010) = 0x20\n")).startswith("t:1:14:")
    assert "no leading zero" in str(error_of(parse_ltrace, "realloc(0x10, 010) = 0x20\n"))
    assert [op.size for op in parse_ltrace("malloc(10) = 0x10\nmalloc(0) = 0x20\n").ops] == [10, 0]


# 5. Sizes too big for the machine read; the replay reports them.


def test_huge_sizes_read_and_fail_in_the_replay():
    lab = parse_trace("2\n1\na 0 18446744073709551616\n", "t.rep", "malloclab")
    assert lab.ops[0].size == 1 << 64
    calls = parse_ltrace("calloc(1099511627776, 1099511627776) = 0x10\nfree(0x10) = <void>\n")
    assert calls.ops[0].size == 1 << 80
    for trace in (lab, calls):
        report = replay(trace, machine_for(trace))
        assert report.operations == len(trace.ops) and report.failures >= 1


# 6. Readable messages, byte-order marks, true columns, true line numbers.


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_malloclab, "2\n1\n" + "x" * 1_000_000 + "\n"),
        (parse_malloclab, "2\n1\na " + "7" * 1_000_000 + " 8\n"),
        (parse_native, "q" * 1_000_000 + "\n"),
        (parse_native, "malloc a " + "9" * 1_000_000 + "\n"),
        (parse_ostep, "+" + "z" * 1_000_000),
        (parse_ltrace, "free(" + "z" * 1_000_000 + ") = <void>\n"),
        (parse_ltrace, "malloc(8) = " + "z" * 1_000_000 + "\n"),
    ],
)
def test_a_long_token_is_cut_in_the_message(parse, text):
    message = str(error_of(parse, text))
    assert len(message) < 300 and ("\u2026" in message or "1,000,000 digits" in message)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_ltrace, "malloc(" + " " * 100_000 + "x\n"),
        (parse_ltrace, "<... malloc resumed> )" + " " * 100_000 + "x\n"),
        (parse_ltrace, "free(" + "(" * 100_000 + "\n"),
    ],
)
@pytest.mark.timeout(10)  # a backtracking regex took tens of seconds: a hang, not a speed
def test_a_long_line_costs_its_length_not_its_square(parse, text):
    with pytest.raises(TraceSyntaxError):
        parse(text, "t")


@pytest.mark.parametrize(
    ("parse", "text", "kind"),
    [
        (parse_native, "\ufeffmalloc a 8\n", "malloc"),
        (parse_malloclab, "\ufeff2\n1\nf -1\n", "f"),
        (parse_ostep, "\ufeff+8", "malloc"),
        (parse_ltrace, "\ufeffmalloc(8) = 0x10\n", "malloc"),
    ],
)
def test_a_byte_order_mark_is_not_text(parse, text, kind):
    assert parse(text, "t").ops[0].kind == kind


def test_read_trace_skips_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.trace"
    path.write_bytes(b"\xef\xbb\xbfmalloc a 8\nmalloc b x\n")
    with pytest.raises(TraceSyntaxError, match=r"bom\.trace:2:10: expected a size"):
        read_trace(path)
    path.write_bytes(b"\xef\xbb\xbfmalloc a 8\n")
    assert read_trace(path).ops[0] == Op("malloc", "a", 8, 8, 1)


@pytest.mark.parametrize(
    ("parse", "text", "where"),
    [
        (parse_malloclab, "2\n1\nf 1 1\n", ":3:5:"),  # the second 1, not the first
        (parse_malloclab, "2\n1\na 0 0x\n", ":3:5:"),
        (parse_native, "malloc a8 8 a\n", ":1:13:"),  # the alignment, not malloc's `a`
        (parse_native, "malloc b b b\n", ":1:10:"),
        (parse_native, "malloc malloc 8 3\n", ":1:17:"),
        (parse_ltrace, "calloc(3, 3x) = 0x10\n", ":1:11:"),
        (parse_ltrace, "realloc(0x10, 0x10y) = 0x20\n", ":1:15:"),
        (parse_ltrace, "malloc(8) = malloc\n", ":1:13:"),
    ],
)
def test_columns_come_from_token_positions(parse, text, where):
    assert str(error_of(parse, text)).startswith("t" + where)


@pytest.mark.parametrize(
    "separator", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_lines_end_at_newlines_only(separator):
    native = f"# one{separator}two\nmalloc a lots\n"
    assert str(error_of(parse_native, native)).startswith("t:2:10:")
    lab = parse_malloclab(f"2\n1\na 0 8 {separator}\nf 0\n", "t")
    assert lab.warnings[0].startswith("t:4:1: warning:")
    ostep = f"+8,{separator}+9\n-5"
    assert str(error_of(parse_ostep, ostep)).startswith("t:2:1:")
    calls = parse_ltrace(f"malloc(8) = 0x10 {separator}\nfree(0x10) = <void>\n")
    assert [op.line for op in calls.ops] == [1, 2]


def test_carriage_returns_end_lines_with_their_newline():
    trace = parse_malloclab("2\r\n2\r\na 0 8\r\nf 0\r\n")
    assert [(op.kind, op.line) for op in trace.ops] == [("a", 3), ("f", 4)]


def test_a_file_that_is_not_utf8_names_the_bad_byte(tmp_path):
    path = tmp_path / "t.rep"
    path.write_bytes(b"2\n1\na 0 8\xff\n")
    with pytest.raises(TraceSyntaxError, match=r"t\.rep:3:6: not a text file: byte 0xff"):
        read_trace(path)


# 7. The extension decides; else the first line that is not blank or a comment.


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("x.txt", "# call malloc(24) to see\nmalloc a 24\n", "native"),
        ("x", "# malloc(24) = 0x10\n\nfree null\n", "native"),
        ("x.txt", "frames 1MiB\n# malloc(24) = 0x10\n", "native"),
        ("x.txt", "# a list\n\n+10,-0\n", "ostep"),
        ("x.txt", "  20\n10\n", "malloclab"),
        ("x.txt", "__libc_start_main(0x1, 1) = <void>\nmalloc(8) = 0x10\n", "ltrace"),
        ("x.txt", "[pid 7] malloc(8) = 0x10\n", "ltrace"),
        ("x.txt", "\u0662\n1\n", "native"),
        ("x.rep", "malloc a 24\n", "malloclab"),
        ("x.TRACE", "20\n10\n", "native"),
        ("x.ostep", "malloc(8) = 0x10\n", "ostep"),
    ],
)
def test_the_format_is_told_by_extension_else_by_the_first_line(name, text, fmt):
    assert guess_format(Path(name), text) == fmt


def test_a_native_txt_whose_comment_mentions_malloc_reads_as_native(tmp_path):
    path = tmp_path / "lecture.txt"
    path.write_text("# watch what malloc(24) does\nmalloc a 24\nfree a\n")
    assert [op.kind for op in read_trace(path).ops] == ["malloc", "free"]


# 8. `null` is the null pointer: nothing can be bound to it.


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("malloc null 24\n", ":1:8:"),
        ("alloc-frame null\n", ":1:13:"),
        ("realloc null 24\n", ":1:9:"),
        ("free-frame  null\n", ":1:13:"),
    ],
)
def test_null_cannot_name_a_block_or_a_frame(text, where):
    error = error_of(parse_native, text)
    assert str(error).startswith("t" + where)
    assert "'null' is the null pointer: it cannot name a block or a frame" in str(error)


def test_free_null_does_nothing():
    trace = parse_native("free null\n")
    assert trace.ops[0] == Op("free", "", 0, 8, 1)
    assert replay(trace, machine_for(trace)).failures == 0


# 9. Malloc-lab traces are read as the lab's driver reads them.


def test_lines_after_the_announced_operations_are_not_read():
    text = "2\n1\na 0 8\n\nf 0\nthis is not even a request \u00b2\n"
    lab = parse_malloclab(text, "p.rep")
    assert list(lab.ops) == [TraceOp("a", 0, 8, 3)]
    assert lab.warnings == (
        "p.rep:5:1: warning: the header announces 1 operations: this line and the rest "
        "are not read, as the lab's driver does not read them",
    )
    assert malloclab_to_trace(lab).warnings == lab.warnings
    assert parse_trace(text, "p.rep", "malloclab").warnings == lab.warnings


def test_ids_beyond_the_header_are_kept_with_one_warning():
    lab = parse_malloclab("2\n3\na 5 8\na 6 8\nf 5\n", "p.rep")
    assert [op.id for op in lab.ops] == [5, 6, 5]
    assert len(lab.warnings) == 1
    assert lab.warnings[0].startswith("p.rep:3:3: warning: id 5 is outside 0..1")


def test_fewer_operations_than_announced_is_still_an_error():
    assert "announces 3 operations, the file has 2" in str(
        error_of(parse_malloclab, "2\n3\na 0 8\nf 0\n")
    )


def test_warnings_reach_read_trace(tmp_path):
    path = tmp_path / "extra.rep"
    path.write_text("20971520\n1\n1\n1\na 0 8\nf 0\n")
    trace = read_trace(path)
    assert len(trace.ops) == 1 and trace.warnings[0].startswith(f"{path}:6:1: warning: ")


def test_a_heap_size_of_zero_is_not_the_default():
    assert parse_trace("2\n1\na 0 8\n", "t.rep", "malloclab", heap_size=0).heap_size == 0
    assert parse_trace("malloc a 8\n", "t.trace", "native", heap_size=0).heap_size == 0


def test_warning_format():
    assert trace_warning("f.rep", 3, 2, "why") == "f.rep:3:2: warning: why"


# 10. Operations are kept in columns, and still behave as the tuple they were.

OPS = (
    Op("malloc", "a", 24, 8, 1),
    Op("malloc", "b", 1 << 40, 4096, 2),  # size and align beyond their arrays' range
    Op("realloc", "a", (1 << 64) + 1, 1 << 20, 3, new_name="c"),
    Op("free", "", 0, 8, 5_000_000_000),
)


def test_ops_behave_as_a_tuple():
    ops = Ops.of(OPS)
    assert (
        len(ops) == 4
        and ops == OPS
        and OPS.__eq__(ops) is NotImplemented
        and list(ops) == list(OPS)
    )
    assert ops[2] == OPS[2] and ops[-1] == OPS[-1] and ops[1:3] == OPS[1:3]
    assert ops[::-1] == OPS[::-1] and isinstance(ops[1:], tuple)
    assert ops * 2 == OPS * 2 and ops + OPS[:1] == OPS + OPS[:1]
    assert ops != OPS[:3] and ops != (*OPS[:3], OPS[0]) and Op("free", "") not in ops
    assert hash(ops) == hash(OPS) and ops.index(OPS[3]) == 3
    with pytest.raises(IndexError):
        ops[4]


def test_readers_keep_operations_compact():
    text = "20\n100\n200000\n1\n" + "a 7 24\nf 7\n" * 100_000
    tracemalloc.start()
    try:
        trace = parse_trace(text, "big.rep", "malloclab")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(trace.ops, Ops) and len(trace.ops) == 200_000
    assert peak < 30 * len(trace.ops) + (2 << 20)  # a tuple of Op took some 250 bytes each
    assert trace.ops[1] == Op("free", "7", 0, 8, 6)


def test_the_malloclab_view_shares_the_operations():
    lab = parse_malloclab("2\n3\na 0 8\nf -1\nr 1 9\n")
    assert lab.ops == (TraceOp("a", 0, 8, 3), TraceOp("f", -1, None, 4), TraceOp("r", 1, 9, 5))
    assert lab.ops[1:] == lab.ops[-2:] and lab.ops[0].size == 8
    assert malloclab_to_trace(lab).ops is lab.operations
    assert machine_for(malloclab_to_trace(lab)).heap.heap_start == HEAP_START


def test_a_bad_byte_after_a_byte_order_mark_is_located_as_without_one(tmp_path):
    with_mark, without = tmp_path / "a.trace", tmp_path / "b.trace"
    with_mark.write_bytes(b"\xef\xbb\xbfab\xff")
    without.write_bytes(b"ab\xff")
    for path in (with_mark, without):
        with pytest.raises(TraceSyntaxError) as caught:
            read_trace(path)
        assert str(caught.value).startswith(f"{path}:1:3: ")

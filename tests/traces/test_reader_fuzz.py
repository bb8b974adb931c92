"""Every reader, fed anything: a trace, or a `TraceSyntaxError` that points into the file.

Arbitrary text, and valid files mutated: characters and lines inserted,
deleted or swapped, words replaced by Unicode digits, huge or long tokens.
No other exception, ever; the error's line lies within the file (or just
after its end), its column is on that line, and its message stays short.
"""

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbita_gui.resources import resource_path
from orbita_gui.traces import (
    Op,
    Trace,
    TraceSyntaxError,
    guess_format,
    parse_ltrace,
    parse_malloclab,
    parse_native,
    parse_ostep,
    parse_trace,
    read_trace,
)
from orbita_gui.traces.trace import KINDS

SOURCE = "fuzz.file"
SHARED = Path("/work/shared/traces/malloclab")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    "\ufeff",
    "\u00b2",
    "\u24ff",
    "\u0663",
    "\uff11",
    "\x0c",
    "\x0b",
    "\x1c",
    "\x85",
    "\u2028",
    "\r",
    "\n",
    "\x00",
    "#",
    "-",
    "+",
    ",",
    "(",
    ")",
    "=",
    " ",
]
TOKENS = [
    "\u00b2",
    "\u24ff",
    "\u0663\u0664",
    "18446744073709551616",
    "1099511627776",
    "9" * 5000,
    "0x" + "f" * 100,
    "x" * 10_000,
    "010",
    "0",
    "-1",
    "null",
    "",
    "10iB",
    "0xfffffffffffff000",
    "frames",
    "heap",
    "malloc(",
    "<unfinished ...>",
]


def _malloclab_samples() -> list[str]:
    """The shared traces cut to their first 30 requests, the header saying so."""
    samples = []
    for path in sorted(SHARED.glob("*.rep")):
        lines = path.read_text().splitlines()
        header = 2 if path.name.endswith(".2line.rep") else 4
        lines[header - 1] = "30" if header == 2 else lines[header - 1]
        if header == 4:
            lines[2] = "30"
        samples.append("\n".join(lines[: header + 30]) + "\n")
    return samples or ["2\n3\na 0 8\nf 0\nf -1\n"]


NATIVE = [path.read_text() for path in sorted(resource_path("traces").glob("*.trace"))]
MALLOCLAB = _malloclab_samples()
OSTEP = ["+10,-0,+5,\n+20 -1\n", "# list\n+1 +2 +3 -2 -0\n"]
LTRACE = [
    "[pid 4242] malloc(24)                                = 0x55d0c8e4a2a0\n"
    '[pid 4242] puts("hello")                             = 6\n'
    "[pid 4242] calloc(3, 8)                              = 0x55d0c8e4a2c0\n"
    "[pid 4242] realloc(0x55d0c8e4a2a0, 100 <unfinished ...>\n"
    "[pid 4242] <... realloc resumed> )                  = 0x55d0c8e4a6f0\n"
    "[pid 4242] free(0x55d0c8e4a2c0)                      = <void>\n"
    "[pid 4242] free(0)                                   = <void>\n"
    "[pid 4242] malloc(1000000000000)                     = 0\n"
    "[pid 4242] +++ exited (status 0) +++\n",
    "malloc(010) = 0x10\nrealloc(0, 8) = 0x20\nfree(0x20) = <void>\n",
]


@st.composite
def _mutation(draw, text: str) -> str:
    """One edit: a character or line inserted, deleted or swapped, or a word replaced."""
    lines = text.split("\n")
    choice = draw(st.integers(0, 5))
    at = draw(st.integers(0, len(text)))
    if choice == 0:
        piece = draw(st.one_of(st.sampled_from(HOSTILE), st.characters()))
        return text[:at] + piece + text[at:]
    if choice == 1:
        return text[:at] + text[at + draw(st.integers(1, 8)) :]
    if choice == 2:
        words = list(re.finditer(r"[^\s,()=]+", text))
        if not words:
            return text
        word = draw(st.sampled_from(words))
        return text[: word.start()] + draw(st.sampled_from(TOKENS)) + text[word.end() :]
    line = draw(st.integers(0, len(lines) - 1))
    if choice == 3:
        del lines[line]
    elif choice == 4:
        lines.insert(line, draw(st.sampled_from(lines)))
    else:
        other = draw(st.integers(0, len(lines) - 1))
        lines[line], lines[other] = lines[other], lines[line]
    return "\n".join(lines)


@st.composite
def _mutated(draw, samples: list[str]) -> str:
    text = draw(st.sampled_from(samples))
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_mutation(text))
    return text


def _anything() -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE + TOKENS))
    return st.one_of(st.text(), st.lists(pieces, max_size=30).map("".join))


def _texts(samples: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(_anything(), _mutated(samples))


def check(read, text: str) -> Trace | None:
    """`read(text)` gives a trace of well-formed operations, or a well-located error."""
    try:
        trace = read(text)
    except TraceSyntaxError as error:
        lines = text.split("\n")
        last = len(lines) - (1 if text.endswith("\n") or not text else 0)
        assert error.source == SOURCE
        assert 1 <= error.line <= max(last, 0) + 1, (error, last)
        line = lines[error.line - 1] if error.line <= len(lines) else ""
        assert 1 <= error.column <= len(line) + 1, (error, line[:80])
        assert len(error.message) < 400
        assert str(error) == f"{SOURCE}:{error.line}:{error.column}: {error.message}"
        return None
    assert isinstance(trace, Trace)
    for op in trace.ops:
        assert isinstance(op, Op) and op.kind in KINDS and op.size >= 0 and op.line >= 1
    for warning in trace.warnings:
        assert re.match(rf"{re.escape(SOURCE)}:[0-9]+:[0-9]+: warning: ", warning)
        assert len(warning) < 400
    return trace


@FUZZ
@given(_texts(NATIVE))
def test_native_reader(text):
    check(lambda t: parse_native(t, SOURCE), text)


@FUZZ
@given(_texts(MALLOCLAB))
def test_malloclab_reader(text):
    check(lambda t: parse_trace(t, SOURCE, "malloclab"), text)
    try:
        lab = parse_malloclab(text, SOURCE)
    except TraceSyntaxError:
        return
    assert len(lab.ops) == len(list(lab.ops))


@FUZZ
@given(_texts(OSTEP))
def test_ostep_reader(text):
    check(lambda t: parse_ostep(t, SOURCE), text)


@FUZZ
@given(_texts(LTRACE))
def test_ltrace_reader(text):
    check(lambda t: parse_ltrace(t, SOURCE), text)


@FUZZ
@given(_texts(NATIVE + MALLOCLAB + OSTEP + LTRACE), st.sampled_from(["", ".txt", ".log"]))
def test_any_reader_by_guessing(text, suffix):
    check(lambda t: parse_trace(t, SOURCE, guess_format(Path("x" + suffix), t)), text)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=200),
        _mutated(NATIVE + MALLOCLAB).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    st.sampled_from([".trace", ".rep", ".ltrace", ".ostep", ".txt"]),
)
def test_any_file(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("t" + suffix)
        path.write_bytes(data)
        try:
            read_trace(path)
        except TraceSyntaxError as error:
            assert error.source == str(path) and error.line >= 1 and error.column >= 1
            lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
            assert error.line <= lines + 1 and len(error.message) < 400


# The hostile inputs a pre-stop hook runs: each a located message, `FILE:LINE`.


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("frames.trace", b"frames 1\n", ":1:8: memory size 1 B is not supported"),
        ("digit.rep", b"1\n\xe2\x93\xbf\n", ":2:1: expected a header of 2 or 4 lines"),
        ("bytes.rep", b"\xff\xfe\x00garbage", ":1:1: not a text file: byte 0xff"),
    ],
)
def test_the_hooks_hostile_files_are_located(tmp_path, name, data, where):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TraceSyntaxError) as caught:
        read_trace(path)
    assert str(caught.value).startswith(f"{path}{where}")


def test_the_hooks_ltrace_with_a_leading_zero_is_located(tmp_path):
    path = tmp_path / "zero.ltrace"
    path.write_bytes(b"malloc(010) = 0x10\n")
    with pytest.raises(TraceSyntaxError) as caught:
        read_trace(path)
    assert str(caught.value).startswith(f"{path}:1:8: ")

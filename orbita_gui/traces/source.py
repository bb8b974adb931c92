"""Numbered lines of a trace file, and errors that point into them, for every reader.

Lines end at `\\n` only (a `\\r` before it is dropped): `str.splitlines()` would
also split at form feeds, `\\x1c`-`\\x1e`, NEL and the Unicode line separators,
shifting every later line number. Columns count from 1 and are found from the
words' positions, never by searching for a word's text, which may appear
earlier in the line. Echoed text is cut short, so that messages stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import cut
from ..core.units import MAX_DIGITS
from .errors import TraceSyntaxError

BOM = "\ufeff"
"""A byte-order mark: some editors start UTF-8 files with one; it is not text."""

_WORD = re.compile(r"\S+")
CHUNK = 1 << 16
"""Characters of text split into lines at a time."""


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """`(number, line)` for each line of `text`, numbered from 1, without a list of all
    of them (a trace may have millions); a leading byte-order mark is not part of line 1."""
    start, number = (1 if text.startswith(BOM) else 0), 1
    while start < len(text):
        stop = text.find("\n", start + CHUNK)  # a chunk of whole lines, split in C
        stop = len(text) if stop < 0 else stop
        lines = text[start:stop].split("\n")
        if stop == len(text) and text.endswith("\n"):
            lines.pop()  # the last line's end, not a line
        if "\r" in text[start:stop]:
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        yield from enumerate(lines, number)
        number, start = number + len(lines), stop + 1


def column(line: str, index: int | None) -> int:
    """The column of `line.split()[index]`; 1 for None, just past the line if it has
    fewer words."""
    if index is None:
        return 1
    for count, word in enumerate(_WORD.finditer(line)):
        if count == index:
            return word.start() + 1
    return len(line) + 1


def error_at(source: str, number: int, line: str, index: int | None, message: str):
    """A `TraceSyntaxError` at word `index` of line `number` (column 1 if None)."""
    return TraceSyntaxError(source, number, column(line, index), message)


def quoted(text: str) -> str:
    """`text` as a message echoes it: quoted, and cut short if long."""
    return repr(cut(text))


def ascii_hint(text: str) -> str:
    """A reminder that only ASCII digits count, for a message about `text` if it needs one
    (`²`, `⓿` or `٣` look like digits, and Python's `int()` would take some)."""
    return "" if text.isascii() else " (numbers are written in ASCII digits 0-9)"


def not_a_number(what: str, token: str) -> str:
    """Why `token` is not the whole number `what` that was expected."""
    if token.isascii() and token.isdigit():
        return f"expected {what}, found a number of {len(token):,} digits (at most {MAX_DIGITS})"
    return f"expected {what}, found {quoted(token)}{ascii_hint(token)}"


def read_text(path: Path) -> str:
    """A trace file's text, without a byte-order mark; a file that cannot be read or is
    not UTF-8 is a `TraceSyntaxError` at the first byte that is not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TraceSyntaxError(str(path), 1, 1, f"cannot read it: {error.strerror}") from None
    try:
        return data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        before = data[line_start : error.start].decode("utf-8", "replace")
        column = len(before.removeprefix(BOM) if line_start == 0 else before) + 1
        raise TraceSyntaxError(
            str(path),
            line,
            column,
            f"not a text file: byte {data[error.start]:#04x} is not UTF-8 ({error.reason})",
        ) from None

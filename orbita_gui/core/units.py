"""Byte sizes and whole numbers as people write them: 4096, 0x1000, 4K, 4 KiB, 1GiB.

Only ASCII digits count: Python's `int()` would also take `²`, `⓿` or
Arabic-Indic digits, which no trace or dialog means as a number. Numbers are
limited to `MAX_DIGITS` digits, far beyond any 64-bit size, so that a number
read can always be printed back in a message.
"""

from __future__ import annotations

import re

from .errors import cut

MAX_DIGITS = 64
"""Digits a number may have (2**64 has 20 decimal, 16 hex digits)."""

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_HEX = r"0x_?[0-9a-f]+(?:_[0-9a-f]+)*"
_DECIMAL = r"[0-9]+(?:_[0-9]+)*"
_SIZE = re.compile(rf"({_HEX}|{_DECIMAL})\s*(?:([kmgt])(?:i?b)?|b)?", re.IGNORECASE | re.ASCII)
SIZE_FORMS = "4096, 0x1000, 24B, 4K, 4KiB or 4 KB (units B, K, M, G, T; K = KiB = 1024)"
"""What `parse_size` accepts, for messages."""


def whole_number(token: str, hexadecimal: bool = False) -> int | None:
    """`token` as a whole number, or None: ASCII decimal digits (leading zeros are
    still decimal) or, if `hexadecimal`, `0x` and hex digits; at most `MAX_DIGITS`."""
    if token.isdigit() and token.isascii():  # the common case first: traces hold millions
        return int(token) if len(token) <= MAX_DIGITS else None
    if hexadecimal and token[:2].lower() == "0x" and token.isascii():
        digits = token[2:]
        ok = digits and len(digits) <= MAX_DIGITS and re.fullmatch(r"[0-9a-fA-F]+", digits)
        return int(digits, 16) if ok else None
    return None


def parse_size(text: str) -> int:
    """The number of bytes `text` names; binary units (K = KiB = 1024). ValueError if none."""
    match = _SIZE.fullmatch(text.strip())  # stripped first: a regex would backtrack
    number = whole_number(match[1].replace("_", ""), hexadecimal=True) if match else None
    if number is None:
        raise ValueError(
            f"{cut(text.strip())!r} is not a size: write {SIZE_FORMS}, "
            f"in ASCII digits (at most {MAX_DIGITS})"
        )
    return number * _UNITS[(match[2] or "").lower()]


def format_size(size: int) -> str:
    """The largest binary unit that divides `size`: 1 GiB, 100 KiB, 24 B."""
    for suffix, unit in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= unit and size % unit == 0:
            return f"{size // unit:,} {suffix}"
    return f"{size:,} B"


def plural(count: int, noun: str) -> str:
    """A count and its noun as people write them: 1 frame, 2 frames, 1,024 frames."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")

"""Byte sizes as people write them: 4096, 0x1000, 4K, 4 KiB, 1GiB."""

from __future__ import annotations

import re

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(0x[0-9a-f_]+|[0-9][0-9_]*)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """The number of bytes `text` names; binary units (K = KiB = 1024). ValueError if none."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a size: write 4096, 0x1000, 4K or 4 KiB")
    number, unit = match.groups()
    return int(number, 0) * _UNITS[unit.lower()]


def format_size(size: int) -> str:
    """The largest binary unit that divides `size`: 1 GiB, 100 KiB, 24 B."""
    for suffix, unit in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= unit and size % unit == 0:
            return f"{size // unit:,} {suffix}"
    return f"{size:,} B"

"""Live blocks by address, pickled as plain tuples.

A trace's checkpoint pickles the machine every few thousand operations. Pickling
an `Allocation` (a named tuple) runs Python code per block: 0.2 s for a heap of
100,000 live blocks, a stall of the window at each checkpoint. As plain tuples the
same blocks pickle in about 15 ms and come back in C.
"""

from __future__ import annotations

from itertools import repeat

from ..events import Allocation


def pack(blocks: dict) -> tuple[tuple, list[tuple]]:
    """`(keys, rows)` of a dict whose values are `Allocation`s, as plain tuples."""
    return tuple(blocks), list(map(tuple, blocks.values()))


def unpack(packed: tuple[tuple, list[tuple]]) -> dict:
    """The dict `pack` was given, with equal `Allocation`s."""
    keys, rows = packed
    return dict(zip(keys, map(tuple.__new__, repeat(Allocation), rows), strict=True))


class LiveByColumns:
    """For a heap whose `_live` dict holds its live blocks: pickled as plain tuples."""

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_live"] = pack(self._live)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _live=unpack(state["_live"]))

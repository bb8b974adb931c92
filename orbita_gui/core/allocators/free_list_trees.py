"""The trees of address-ordered free lists, kept for reuse when their lists are gone.

An address-ordered `IndexedFreeList` holds a tree with a node for every 16 bytes of
its heap, twice over: millions of 32-bit nodes for a heap of tens of MiB. Making one
writes all of it, page by page, and leaves every cache full of it for whatever runs
next. When a list is gone its tree is kept here (one per size), the nodes it used set
back to -1, and the next list of that size takes it instead of making its own.
"""

from __future__ import annotations

import weakref
from array import array

_EMPTY = (-1,)
_kept: dict[int, array] = {}


def take_tree(owner: object, size: int) -> tuple[array, list[int]]:
    """A tree of `size` nodes, all -1, for `owner` to use until it is gone; and the
    count of leading nodes it may have changed, which `owner` keeps up to date."""
    tree = _kept.pop(size, None)
    if tree is None:
        tree = array("i", _EMPTY) * size
    used = [size]
    weakref.finalize(owner, _give_back, tree, used)
    return tree, used


def _give_back(tree: array, used: list[int]) -> None:
    if len(tree) not in _kept:
        with memoryview(tree) as view:
            empty(view, 0, used[0])
        _kept[len(tree)] = tree


def empty(view: memoryview, low: int, high: int) -> None:
    """Set `view[low:high]` to -1, doubling a copy within it (no temporary array)."""
    if low >= high:
        return
    view[low] = -1
    done = 1
    while done < high - low:
        n = min(done, high - low - done)
        view[low + done : low + done + n] = view[low : low + n]
        done += n

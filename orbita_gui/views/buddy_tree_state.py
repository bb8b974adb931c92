"""The split tree of a buddy allocator's block operation, worked out without Qt.

An allocation's tree has the block taken from its free set at the root and, a row
an order below it, each block's two halves: the lower goes on towards the request,
the upper joins its order's free set, down to the block handed out. A release's
has the block it ended in at the root and, down the rows, each block and the free
buddy it merged with, down to the block freed; beside the root, the buddy that
stopped the merging. A row per order, the halves in address order, so that the
picture is the allocator's arithmetic: a block of order k at frame s has halves at
s and s + 2**(k-1). Tested without a display (tests/views).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from orbita_gui.core.addresses import FRAME_SIZE
from orbita_gui.core.buddy_events import (
    BUDDY_SPLIT,
    BUDDY_USED,
    PAST_END,
    BuddyAllocation,
    BuddyRelease,
    block_frames,
)
from orbita_gui.core.units import format_size

SPLIT, MERGED, FREE, MADE, FREED = "split", "merged", "free", "handed out", "freed"
"""What happened to a block of the tree, in the words its node shows."""
USED, PART_USED, OUTSIDE = "buddy used", "buddy split", "buddy past the end"
"""Why the root of a release merged no further: its buddy beside it."""
STOPPED_BY = {BUDDY_USED: USED, BUDDY_SPLIT: PART_USED, PAST_END: OUTSIDE}
"""A release's `stop` -> its buddy's role (a block of the top order has no buddy)."""
BLOCK_OPERATIONS = (BuddyAllocation, BuddyRelease)


class TreeNode(NamedTuple):
    """A block of order `order` at frame `start`, on row `row` (0 is the root's), in
    `column` 0 (a lower half) or 1 (an upper half), or None: alone in its row, across
    both. `parent` is the index of the block it is a half of."""

    start: int
    order: int
    role: str
    row: int
    column: int | None
    parent: int | None

    def texts(self) -> tuple[str, ...]:
        """Its words, longest first, for the widest that fits its box: the size goes
        first, then the block's last frame, then the role; its order and first frame stay."""
        order = f"order {self.order}"
        size = format_size(FRAME_SIZE << self.order)
        labels = (
            f"{order} · {block_frames(self.start, self.order)} · {size}",
            f"{order} · {block_frames(self.start, self.order)}",
            f"{order} · {self.start:,}",
        )
        return (*(f"{label} — {self.role}" for label in labels), labels[-1])


@dataclass(frozen=True)
class SplitTree:
    """The nodes of one operation's tree, row by row, the root first."""

    event: BuddyAllocation | BuddyRelease
    nodes: tuple[TreeNode, ...]

    @property
    def rows(self) -> int:
        return self.nodes[-1].row + 1

    @property
    def outcome(self) -> int:
        """The node of the operation's last step: the block handed out (the lower half
        of the last row), or the block a release ended in (the root)."""
        return max(len(self.nodes) - 2, 0) if type(self.event) is BuddyAllocation else 0

    def node_at(self, first: int, count: int) -> int | None:
        """The node whose block is frames `first` to `first + count - 1` (what a step of
        the operation points at), or None."""
        for index, node in enumerate(self.nodes):
            if node.start == first and 1 << node.order == count:
                return index
        return None


def split_tree(event) -> SplitTree | None:
    """The tree of a buddy allocation that found a block, or of a buddy release; None
    for any other event."""
    if type(event) is BuddyAllocation and not event.failed:
        split = event.source > event.order
        root = _root(event.start, event.source, SPLIT if split else MADE, None)
        return _grown(event, root, None, SPLIT, MADE)
    if type(event) is BuddyRelease:
        (start, order), role = event.merged, STOPPED_BY.get(event.stop)
        stop = None if role is None else _root(start ^ (1 << order), order, role, True)
        root = _root(start, order, FREE if event.merges else FREED, stop is not None)
        return _grown(event, root, stop, MERGED, FREED)
    return None


def _root(start: int, order: int, role: str, paired: bool) -> TreeNode:
    """A block of row 0: across both columns unless its buddy is beside it."""
    return TreeNode(start, order, role, 0, (start >> order) & 1 if paired else None, None)


def _grown(event, root: TreeNode, stop: TreeNode | None, inner: str, leaf: str) -> SplitTree:
    """The rows below the root: at each order, the block on the way to the operation's
    own (`inner`; the operation's own is the `leaf`) and its buddy, free."""
    nodes = [root] if stop is None else [root, stop]
    parent = 0
    for row, level in enumerate(range(root.order - 1, event.order - 1, -1), 1):
        block = event.start & -(1 << level)
        role = inner if level > event.order else leaf
        nodes.append(TreeNode(block, level, role, row, (block >> level) & 1, parent))
        buddy = block ^ (1 << level)
        nodes.append(TreeNode(buddy, level, FREE, row, (buddy >> level) & 1, parent))
        parent = len(nodes) - 2
    return SplitTree(event, tuple(nodes))


def _block_operations(event):
    """The buddy block operations of an event, latest first: itself, or those a heap
    operation caused (a slab's pages taken from the buddy, or given back)."""
    for candidate in (*reversed(event.frame_events), event):
        if isinstance(candidate, BLOCK_OPERATIONS) and not candidate.failed:
            yield candidate


class LatestBlockOperation:
    """The latest buddy block operation of a history (a list of events that grows and
    shrinks at its end), looked for among the events added since the last look: a
    heap trace replayed on a buddy machine would otherwise be read back to its start
    at every redraw."""

    def __init__(self) -> None:
        self._looked = 0
        self._last = None
        self._found: BuddyAllocation | BuddyRelease | None = None

    def find(self, history: Sequence) -> BuddyAllocation | BuddyRelease | None:
        start = self._looked
        if start > len(history) or (start and history[start - 1] is not self._last):
            start, self._found = 0, None  # events were taken back: look at them all again
        for event in reversed(history[start:]):
            found = next(_block_operations(event), None)
            if found is not None:
                self._found = found
                break
        self._looked = len(history)
        self._last = history[-1] if history else None
        return self._found

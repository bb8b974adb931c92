"""What the heap views mark, worked out without Qt: the last search on the list it
saw, next fit's roving start, and the regions a coalescing free joined.

Everything here reads events through the core's protocol (`layer`, `failed`,
`search`, `steps`) and the search object's own numbers; nothing asks an event
its class. Tested without a display (tests/views).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from orbita_gui.core import registry
from orbita_gui.core.events import IN_PLACE
from orbita_gui.core.units import plural


def heap_search(event):
    """The heap search an event made (an allocation's, a reallocation's, one that found
    nothing too: the pictures show why), or None."""
    if event is None or getattr(event, "layer", None) != "heap":
        return None
    return event.search


def list_before(starts: np.ndarray, sizes: np.ndarray, search) -> tuple[np.ndarray, ...] | None:
    """The free list as it was before `search` (an allocation that found a block), from
    the list right after it: the leftover taken out from where the list order put it
    (re-sorted back if placing it sorted the list), the chosen node back at its
    position. None if the list is no longer the one the search left."""
    chosen = search.chosen
    if chosen is None:
        return starts, sizes
    leftover, placed, position = search.leftover, search.placed, search.position
    if leftover is not None and placed == IN_PLACE:
        if not 0 <= position < len(starts) or (int(starts[position]), int(sizes[position])) != (
            leftover[0],
            leftover[1],
        ):
            return None
        starts, sizes = starts.copy(), sizes.copy()
        starts[position], sizes[position] = chosen
        return starts, sizes
    if leftover is not None:
        reorder = search.reorder
        if reorder is not None:
            if len(reorder) != len(starts):
                return None
            old_starts, old_sizes = np.empty_like(starts), np.empty_like(sizes)
            old_starts[reorder], old_sizes[reorder] = starts, sizes
            starts, sizes, placed = old_starts, old_sizes, len(starts) - 1
        if not 0 <= placed < len(starts) or (int(starts[placed]), int(sizes[placed])) != (
            leftover[0],
            leftover[1],
        ):
            return None
        starts, sizes = np.delete(starts, placed), np.delete(sizes, placed)
    if not 0 <= position <= len(starts):
        return None
    return np.insert(starts, position, chosen[0]), np.insert(sizes, position, chosen[1])


def look_order(search, length: int) -> np.ndarray:
    """The list positions (in the list before the search) the search looked at, in the
    order it looked: from `search_start` (0, or next fit's rover) on, wrapping; every
    node for best and worst fit, which never stop early."""
    if not length:
        return np.zeros(0, dtype=np.int64)
    count = min(search.visited, length)
    return (search.search_start + np.arange(count, dtype=np.int64)) % length


VERDICT_WORDS = {
    "find_region:too-small": "✗ too small",
    "find_region:too-small-aligned": "✗ too small, aligned",
    "find_region:leftover": "✗ leftover < 16 B",
    "find_region:fits": "≈ fits, not the pick",
    "find_region:overflow": "✗ past 2**64",
}
"""Why a search passed a node over, in the words written under it: a sign and words,
not a colour alone."""


@dataclass(frozen=True)
class SearchPicture:
    """The last search as the views draw it.

    `before`: the list it searched (starts, sizes), or None if the list changed
    since; `looked`: the starts of the nodes it passed over, all of them when the
    list it saw is known, else the first ones the event kept; `chosen`: the
    region it took; `leftover`: what it put back; `whole_list`: it looked at
    every node (best and worst fit always do); `reasons`: why, by region start,
    for the nodes the event explains (its steps); `verdicts`: the same in a few
    words, written on the passed-over nodes."""

    before: tuple[np.ndarray, np.ndarray] | None
    looked: np.ndarray
    chosen: tuple[int, int] | None
    leftover: tuple[int, int] | None
    whole_list: bool
    fit: str
    reasons: dict[int, str]
    verdicts: dict[int, str]

    def looked_at(self, starts: np.ndarray) -> np.ndarray:
        """Which of these region starts the search passed over (a bool per start)."""
        return np.isin(starts, self.looked)


def search_picture(starts: np.ndarray, sizes: np.ndarray, search) -> SearchPicture:
    """`SearchPicture` of a search, given the free list now (head first)."""
    before = list_before(starts, sizes, search)
    chosen = search.chosen
    if before is not None:
        order = look_order(search, len(before[0]))
        looked = before[0][order]
        if chosen is not None:
            looked = looked[looked != chosen[0]]
    else:
        looked = np.asarray(search.passed_starts, dtype=np.int64)
    length = search.length
    reasons, verdicts = {}, {}
    for step in search.steps:
        if step.kind in ("pass-over", "choose") and step.where is not None:
            reasons.setdefault(step.where[0], step.reason)
            word = VERDICT_WORDS.get(step.code_line)
            if word:
                verdicts.setdefault(step.where[0], word)
    return SearchPicture(
        before=before,
        looked=looked.astype(np.int64),
        chosen=chosen,
        leftover=search.leftover,
        whole_list=bool(length) and search.visited >= length,
        fit=search.rules.fit,
        reasons=reasons,
        verdicts=verdicts,
    )


class AnimatedSearch(NamedTuple):
    """What an animated search shows on the list it saw (positions in that list)."""

    passed: list[int]
    """Looked at and passed over so far."""
    current: int | None
    """Being looked at now."""
    best: int | None
    """Best or worst fit: the region that will be chosen, once the search has met it."""
    chosen: int | None
    """The region taken, once the search is done."""


def animation_positions(search, length: int, looked: int, done: bool) -> AnimatedSearch:
    """The search `looked` nodes in: the node being looked at next is number `looked`
    of the look order, the chosen one counted where the search met it."""
    order = look_order(search, length)
    looked = min(looked, len(order))
    seen = order[:looked].tolist()
    chosen = search.position
    passed = [position for position in seen if position != chosen]
    best = None
    if search.rules.fit in ("best", "worst") and not done and chosen in seen:
        best = chosen
    current = None if done or looked >= len(order) else int(order[looked])
    return AnimatedSearch(passed, current, best, chosen if done else None)


def rover_position(heap, length: int) -> int | None:
    """Next fit's roving start (a position of the `length`-node free list), or None:
    other fits start from the head."""
    rover = getattr(heap, "rover", None)
    return rover if rover is not None and 0 <= rover < length else None


@dataclass(frozen=True)
class MergedRegion:
    """A free region a coalescing free made of `sizes` (in list order) regions."""

    start: int
    sizes: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.start + sum(self.sizes)

    @property
    def count(self) -> int:
        return len(self.sizes)

    def describe(self) -> str:
        parts = " + ".join(f"{size:,}" for size in self.sizes)
        return f"joined {plural(self.count, 'region')}: {parts} = {self.end - self.start:,} bytes"


def release_merges(event) -> tuple:
    """The `Merge`s a free made (the heap's coalescing pass), also inside a realloc."""
    if event is None or getattr(event, "layer", None) != "heap":
        return ()
    merges = getattr(event, "merges", None)
    if merges is None:
        merges = getattr(getattr(event, "release", None), "merges", None)
    return tuple(merges or ())


def merged_regions(starts: np.ndarray, sizes: np.ndarray, event) -> tuple[MergedRegion, ...]:
    """The regions `event` (the latest operation) joined, read from the free list right
    after it: each `Merge` names the joined region's list position and its parts."""
    regions = []
    for merge in release_merges(event):
        position = merge.position
        if 0 <= position < len(starts) and int(sizes[position]) == sum(merge.sizes):
            regions.append(MergedRegion(int(starts[position]), tuple(merge.sizes)))
    return tuple(regions)


def allocator_words(machine) -> str:
    """The heap allocator in use, for titles: its registry name and its rules."""
    heap = machine.heap
    name = getattr(machine, "heap_kind", None) or heap.kind
    return f"{name}: {registry.rules_in_words(heap)}"

"""A free list indexed for searching: each operation costs O(log n), not O(n).

The regions sit in numbered slots whose order is the list's order: pushing at the
head takes the slot below the lowest in use ("front"), at the tail the one above the
highest ("back"); in an address-ordered list a region's slot is its address over 16
("address": with the ListNode rules two regions start at least 16 bytes apart).
Slots run out now and then; the regions are then laid out afresh (amortised O(1)).

Over the slots:

- a tree of the largest size in each slot range: a search descends to the first slot
  from where it starts whose size is at least the need, tests that node exactly (a
  leftover of 1 to 15 bytes, alignment padding) and goes on past it if it fails. The
  tree holds upper bounds: a region that grows updates its ancestors at once, one
  that shrinks or goes leaves them too high, and a search that finds a subtree
  emptier than it said sets its bound right on the way back up;
- live counts per 64, 4,096 and 262,144 slots, for a slot's list position (its rank);
- for best and worst fit, the regions sorted by size then slot (`SortedList`).

The visits of a search (the nodes it passed over, which the views show) are taken
lazily (`LazyVisits`): the list keeps the pending ones and takes the copy before
any change that would alter them, unless nothing but the list refers to them any
more (in a headless replay nobody reads them, and no copy is ever made).
"""

from __future__ import annotations

from array import array
from sys import getrefcount

import numpy as np
from sortedcontainers import SortedList

from .free_list_store import Merge

_U64 = np.uint64
_MASK = (1 << 32) - 1
_MIN_CAP = 4096
_EMPTY = (-1,)
_TOP = 1 << 62
"""The tree's unused node 0: above every size, so a bound's update stops at the root."""


def region_arrays(regions: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """`(start, size)` pairs in list order as two uint64 arrays (for drawing)."""
    if not regions:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=_U64)
    starts, sizes = zip(*regions, strict=True)
    return np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)


class LazyVisits:
    """Starts and sizes of the `count` nodes a search passed over, from slot `at` on
    (wrapping past the tail), skipping the slots in `skip`: copied when first read, or
    by the list before it changes them."""

    __slots__ = ("arrays", "at", "count", "skip", "store", "wraps")

    def __init__(
        self, store: IndexedFreeList, at: int, count: int, skip: tuple, wraps: bool
    ) -> None:
        self.store, self.at, self.count, self.skip, self.wraps = store, at, count, skip, wraps
        self.arrays: tuple[np.ndarray, np.ndarray] | None = None

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        if self.arrays is None:
            starts, sizes = self.store._take(self.at, self.count, self.skip)
            self.arrays = np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)
            self.store = None
        return self.arrays


class IndexedFreeList:
    """Free regions in list order, by slot; see the module's docstring."""

    def __init__(
        self, mode: str, base: int = 0, by_size: bool = False, by_end: bool = False
    ) -> None:
        self.mode = mode
        """"front", "back" or "address": where a new region's slot comes from."""
        self.base = base
        self.free_bytes = 0
        self._len = 0
        self._pending: LazyVisits | None = None
        self._by_size: SortedList | None = SortedList() if by_size else None
        self._by_end: dict[int, int] | None = {} if by_end else None
        """Slot by end address, for coalescing in address order."""
        self._layout([], _MIN_CAP)

    def __len__(self) -> int:
        return self._len

    # Layout

    def _layout(self, regions: list[tuple[int, int]], cap: int, first: int | None = None) -> None:
        """Put `regions` (in list order) in a fresh set of `cap` slots from `first` on."""
        self._settle_all()
        n = len(regions)
        if self.mode == "address":
            slots = [(start - self.base) >> 4 for start, _ in regions]
        else:
            if first is None:
                first = cap - n - cap // 8 if self.mode == "front" else cap // 8
            slots = list(range(first, first + n))
        self._cap = cap
        t = self._t = self._new_tree(2 * cap)
        # by slot: a list, or in address order (millions of slots, few used) a dict
        starts = self._starts = {} if self.mode == "address" else [0] * cap
        c1 = self._c1 = bytearray(cap >> 6)
        c2 = self._c2 = [0] * (cap >> 12)
        c3 = self._c3 = [0] * (-(-cap >> 18))
        for slot, (start, size) in zip(slots, regions, strict=True):
            t[cap + slot] = size
            starts[slot] = start
            c1[slot >> 6] += 1
            c2[slot >> 12] += 1
            c3[slot >> 18] += 1
        t[0] = _TOP
        level = cap
        while level > 1:  # each level the larger of its two children, a level at a time
            t[level >> 1 : level] = (
                type(t)("q", map(max, t[level : 2 * level : 2], t[level + 1 : 2 * level : 2]))
                if type(t) is array
                else list(map(max, t[level : 2 * level : 2], t[level + 1 : 2 * level : 2]))
            )
            level >>= 1
        if slots:
            self._lo, self._hi = slots[0], slots[-1]
        else:
            self._lo = cap * 7 // 8 if self.mode == "front" else cap // 8
            self._hi = self._lo - 1
        if self._by_size is not None:
            self._by_size = SortedList(
                (size << 32) | slot for slot, (_, size) in zip(slots, regions, strict=True)
            )
        if self._by_end is not None:
            self._by_end = {
                start + size: slot for slot, (start, size) in zip(slots, regions, strict=True)
            }

    def _new_tree(self, size: int) -> list[int] | array:
        """A tree of `size` nodes, all -1: a list when small (the fastest to index), an
        array of machine integers when large (contiguous: each level read costs one
        cache line, not two, in a tree of millions of nodes)."""
        if self.mode == "address":
            return array("q", _EMPTY) * size
        return [-1] * size

    def _relayout(self, extra: int = 0) -> None:
        """Lay the regions out afresh, with room to grow at the end the list grows at."""
        if self.mode == "address":
            self._grow(extra)
            return
        regions = self.regions()
        cap = _MIN_CAP
        while cap < 4 * (len(regions) + 1):
            cap *= 2
        self._layout(regions, cap)

    def _grow(self, slot: int) -> None:
        """Address order: more slots, up to `slot` at least. The tree's old levels are
        the left halves of its new ones: copied a level at a time, nothing recomputed."""
        self._settle_all()
        old, cap = self._cap, self._cap
        while cap <= slot:
            cap *= 2
        t_old, t = self._t, self._new_tree(2 * cap)
        t[0] = _TOP
        level, scale = 1, cap // old
        while level < 2 * old:  # old level [level, 2 level) -> new [level * scale, ...)
            t[level * scale : level * scale + level] = t_old[level : 2 * level]
            level *= 2
        i = scale >> 1
        while i:  # the new nodes above the old root
            t[i] = t[2 * i]
            i >>= 1
        self._t, self._cap = t, cap
        self._c1.extend(bytes((cap - old) >> 6))
        self._c2.extend([0] * ((cap - old) >> 12))
        self._c3.extend([0] * (-(-cap >> 18) - len(self._c3)))

    # Reading

    def regions(self) -> list[tuple[int, int]]:
        """`(start, size)` of every region in list order."""
        t, cap, starts = self._t, self._cap, self._starts
        if self.mode == "address":
            regions, slot = [], self.next_slot(0)
            while slot is not None:
                regions.append((starts[slot], t[cap + slot]))
                slot = self.next_slot(slot + 1)
            return regions
        lo, hi = max(self._lo, 0), min(self._hi, cap - 1)
        return [(starts[s], t[cap + s]) for s in range(lo, hi + 1) if t[cap + s] >= 0]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return region_arrays(self.regions())

    def rank(self, slot: int) -> int:
        """The list position of the region in `slot` (the live slots below it)."""
        b1, b2 = slot >> 6, slot >> 12
        b3 = slot >> 18
        rank = sum(self._c3[:b3]) + sum(self._c2[b3 << 6 : b2]) + sum(self._c1[b2 << 6 : b1])
        cap = self._cap
        leaves = self._t[cap + (b1 << 6) : cap + slot]
        return rank + len(leaves) - leaves.count(-1)

    def select(self, position: int) -> int:
        """The slot of the region at list position `position` (which must exist)."""
        c3, b3 = self._c3, 0
        while position >= c3[b3]:
            position -= c3[b3]
            b3 += 1
        c2, b2 = self._c2, b3 << 6
        while position >= c2[b2]:
            position -= c2[b2]
            b2 += 1
        c1, b1 = self._c1, b2 << 6
        while position >= c1[b1]:
            position -= c1[b1]
            b1 += 1
        t, slot = self._t, (b1 << 6) + self._cap
        while True:
            if t[slot] >= 0:
                if not position:
                    return slot - self._cap
                position -= 1
            slot += 1

    def slot_region(self, slot: int) -> tuple[int, int]:
        return self._starts[slot], self._t[self._cap + slot]

    def region(self, position: int) -> tuple[int, int]:
        return self.slot_region(self.select(position))

    def head_slot(self) -> int | None:
        """The slot of the head, None if the list is empty."""
        return self.next_slot(0 if self.mode == "address" else max(self._lo, 0))

    def next_slot(self, slot: int) -> int | None:
        """The first live slot from `slot` on."""
        return self._find(slot, 0, 0, 0, 0, False)

    def largest(self) -> int:
        t = self._t
        while True:
            top = t[1]
            if top < 0:
                return 0
            if self._find(0, top, 0, 0, 0, False) is not None:
                return top
            # the failed search brought the root's bound down: look again

    # Searching

    def _find(
        self, slot: int, need: int, align: int, header: int, min_leftover: int, padded: bool
    ) -> int | None:
        """The first slot from `slot` on whose region takes `need` bytes (plus alignment
        padding if `padded`) leaving no leftover of 1 to `min_leftover - 1` bytes."""
        t, cap = self._t, self._cap
        if slot >= cap:
            return None
        i = slot + cap if slot else 1  # from slot 0: down from the root
        while True:
            if t[i] >= need:
                if i < cap:
                    i <<= 1
                    continue
                size = t[i]
                want = (
                    need + ((-(self._starts[i - cap] + header)) & (align - 1)) if padded else need
                )
                if size >= want and (
                    not min_leftover or size == want or size >= want + min_leftover
                ):
                    return i - cap
            while i & 1:
                i >>= 1
                a, b = t[2 * i], t[2 * i + 1]
                t[i] = a if a > b else b
            if not i:
                return None
            i += 1

    def find_first(
        self, start_slot: int, need: int, align: int, header: int, min_leftover: int, padded: bool
    ) -> int | None:
        return self._find(start_slot, need, align, header, min_leftover, padded)

    def find_first_sized(self, slot: int, need: int, min_leftover: int) -> int | None:
        """`_find` without alignment padding, in O(log n) however many regions are a few
        bytes too large (a leftover under `min_leftover`): the first region from `slot`
        with room for a leftover (the tree), or before it one of exactly `need` bytes
        (the regions by size, which must be kept)."""
        roomy = self._find(slot, need + min_leftover, 0, 0, 0, False)
        keys = self._by_size
        i = keys.bisect_left((need << 32) | slot)
        if i < len(keys):
            key = keys[i]
            if key >> 32 == need and (roomy is None or key & _MASK < roomy):
                return key & _MASK
        return roomy

    def find_sized(
        self, best: bool, need: int, align: int, header: int, min_leftover: int, padded: bool
    ) -> int | None:
        """Best fit (the smallest region that takes the block, the first of equals in list
        order) or worst fit (the largest); None if none does."""
        keys = self._by_size
        if not keys:
            return None
        starts = self._starts

        def takes(key: int) -> bool:
            size = key >> 32
            want = need
            if padded:
                want += (-(starts[key & _MASK] + header)) & (align - 1)
            return size >= want and (
                not min_leftover or size == want or size >= want + min_leftover
            )

        if best:
            i = keys.bisect_left(need << 32)
            if i == len(keys):
                return None
            if not padded:
                key = keys[i]
                if not min_leftover or key >> 32 == need:
                    return key & _MASK
                i = keys.bisect_left((need + min_leftover) << 32)
                return keys[i] & _MASK if i < len(keys) else None
            for key in keys.islice(i):
                if takes(key):
                    return key & _MASK
            return None
        top = len(keys) - 1
        while top >= 0:
            size = keys[top] >> 32
            if size < need:
                return None
            first = keys.bisect_left(size << 32)
            for key in keys.islice(first, top + 1):
                if takes(key):
                    return key & _MASK
                if not padded:
                    break  # every region of this size fails alike
            top = first - 1
        return None

    # Changing

    def push_front(self, start: int, size: int) -> int:
        slot = self._lo - 1
        if slot < 0:
            self._relayout()
            slot = self._lo - 1
        self._lo = slot
        self._set(slot, start, size)
        return slot

    def push_back(self, start: int, size: int) -> int:
        slot = self._hi + 1
        if slot >= self._cap:
            self._relayout()
            slot = self._hi + 1
        self._hi = slot
        self._set(slot, start, size)
        return slot

    def add(self, start: int, size: int) -> int:
        """Link a region in an address-ordered list; returns its slot."""
        slot = (start - self.base) >> 4
        if slot >= self._cap:
            self._grow(slot)
        self._set(slot, start, size)
        return slot

    def insert(self, position: int, start: int, size: int) -> int:
        """Link a region in at list position `position`; returns its slot."""
        if self.mode == "address":
            return self.add(start, size)
        if position == 0 and self._lo > 0:
            return self.push_front(start, size)
        if position == self._len and self._hi < self._cap - 1:
            return self.push_back(start, size)
        if 0 < position < self._len:
            before, after = self.select(position - 1), self.select(position)
            if after - before > 1:
                slot = (before + after) >> 1
                self._set(slot, start, size)
                return slot
        regions = self.regions()
        regions.insert(position, (start, size))
        cap = _MIN_CAP
        while cap < 4 * (len(regions) + 1):
            cap *= 2
        self._layout(regions, cap, (cap - len(regions)) // 2)
        self._len += 1
        self.free_bytes += size
        return self.select(position)

    def _set(self, slot: int, start: int, size: int) -> None:
        if self._pending is not None:
            self._note_new(slot)
        t, i = self._t, slot + self._cap
        t[i] = size
        self._starts[slot] = start
        self._c1[slot >> 6] += 1
        self._c2[slot >> 12] += 1
        self._c3[slot >> 18] += 1
        self._len += 1
        self.free_bytes += size
        i >>= 1
        while t[i] < size:
            t[i] = size
            i >>= 1
        if self._by_size is not None:
            self._by_size.add((size << 32) | slot)
        if self._by_end is not None:
            self._by_end[start + size] = slot

    def remove_slot(self, slot: int) -> tuple[int, int]:
        """Unlink the region in `slot` and return it."""
        if self._pending is not None:
            self._settle(slot)
        t, i = self._t, slot + self._cap
        size = t[i]
        t[i] = -1
        self._c1[slot >> 6] -= 1
        self._c2[slot >> 12] -= 1
        self._c3[slot >> 18] -= 1
        self._len -= 1
        self.free_bytes -= size
        if self._by_size is not None:
            self._by_size.remove((size << 32) | slot)
        if self._by_end is not None:
            del self._by_end[self._starts[slot] + size]
        return self._starts[slot], size

    def replace_slot(self, slot: int, start: int, size: int) -> None:
        """Change the region in `slot` in place (its list position stays)."""
        if self._pending is not None:
            self._settle(slot)
        t, i = self._t, slot + self._cap
        old = t[i]
        t[i] = size
        if self._by_end is not None:
            del self._by_end[self._starts[slot] + old]
            self._by_end[start + size] = slot
        self._starts[slot] = start
        self.free_bytes += size - old
        if size > old:
            i >>= 1
            while t[i] < size:
                t[i] = size
                i >>= 1
        if self._by_size is not None:
            self._by_size.remove((old << 32) | slot)
            self._by_size.add((size << 32) | slot)

    # Visits

    def visits(self, at: int, count: int, skip: tuple, wraps: bool) -> LazyVisits:
        """The visits of the search just made, to be copied when read or before the list
        changes them (see `LazyVisits`). `skip`: the slots the operation itself changed."""
        if self._pending is not None:
            self._settle(None)
        lazy = self._pending = LazyVisits(self, at, count, skip, wraps)
        return lazy

    def _settle(self, slot: int | None) -> None:
        """Before a change at `slot` (None: anywhere): copy the pending visits if someone
        may still read them and the change would alter them."""
        pending = self._pending
        if getrefcount(pending) <= 3:  # this list and this frame alone: nobody reads them
            self._pending = None
            return
        if pending.arrays is not None:
            self._pending = None
            return
        if slot is not None and not pending.wraps:
            if slot in pending.skip or slot < pending.at:
                return
            if self.rank(slot) - self.rank(pending.at) > pending.count + len(pending.skip):
                return
        pending.get()
        self._pending = None

    def _note_new(self, slot: int) -> None:
        """A region comes into an empty slot: the pending visits, if anyone may still read
        them, skip it (it was not there when the search passed)."""
        pending = self._pending
        if getrefcount(pending) <= 3 or pending.arrays is not None:
            self._pending = None
        else:
            pending.skip += (slot,)

    def _settle_all(self) -> None:
        if getattr(self, "_pending", None) is not None:
            self._settle(None)

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        """Starts and sizes of `count` regions from slot `at` on, wrapping past the tail,
        skipping the slots in `skip`."""
        t, cap, all_starts = self._t, self._cap, self._starts
        starts: list[int] = []
        sizes: list[int] = []
        if self.mode == "address":  # sparse slots: found by numpy, a window at a time
            leaves, part = np.frombuffer(t, dtype=np.int64)[cap:], None
            for low, high in ((at, cap), (0, at)):  # from `at` on, then wrapping
                window = 4096
                while low < high and len(starts) < count:
                    part = leaves[low : min(low + window, high)]
                    for slot in (np.flatnonzero(part >= 0) + low).tolist():
                        if slot not in skip:
                            starts.append(all_starts[slot])
                            sizes.append(t[cap + slot])
                            if len(starts) == count:
                                break
                    low += window
                    window *= 2
            del leaves, part
            return starts, sizes
        slot, wrapped = at, False
        while len(starts) < count:
            if slot >= cap or t[cap + slot] < 0:
                slot = self.next_slot(slot) if slot < cap else None
                if slot is None:
                    if wrapped:
                        break
                    slot, wrapped = 0, True
                continue
            if slot not in skip:
                starts.append(all_starts[slot])
                sizes.append(t[cap + slot])
            slot += 1
        return starts, sizes

    # The positional interface of `FreeListStore` (undo and the rarer paths)

    def head(self) -> tuple[int, int] | None:
        slot = self.head_slot()
        return None if slot is None else self.slot_region(slot)

    def remove(self, position: int) -> tuple[int, int]:
        return self.remove_slot(self.select(position))

    def replace(self, position: int, start: int, size: int) -> None:
        slot = self.select(position)
        if self.mode == "address" and (start - self.base) >> 4 != slot:
            self.remove_slot(slot)
            self.add(start, size)
        else:
            self.replace_slot(slot, start, size)

    def first(self, count: int, at: int = 0) -> tuple[np.ndarray, np.ndarray]:
        if not self._len:
            return np.zeros(0, dtype=_U64), np.zeros(0, dtype=_U64)
        starts, sizes = self._take(self.select(at % self._len), count, ())
        return np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)

    def prev_slot(self, slot: int) -> int | None:
        """The last live slot below `slot`."""
        if slot <= 0:
            return None
        t, cap = self._t, self._cap
        i = slot - 1 + cap
        while True:
            if t[i] >= 0:
                if i < cap:
                    i = 2 * i + 1
                    continue
                return i - cap
            while not i & 1:
                i >>= 1
                a, b = t[2 * i], t[2 * i + 1]
                t[i] = a if a > b else b
            if i == 1:
                return None
            i -= 1

    def merge_around(self, slot: int) -> tuple[Merge, ...]:
        """Coalescing in an address-ordered list after the region in `slot` came in: it
        joins the regions right before and after it in memory (no two others touch)."""
        starts, t, cap = self._starts, self._t, self._cap
        start, size = starts[slot], t[cap + slot]
        parts = [slot]
        before = self._by_end.get(start) if self._by_end is not None else self.prev_slot(slot)
        if before is not None and starts[before] + t[cap + before] == start:
            parts.insert(0, before)
        end = start + size
        after = (end - self.base) >> 4
        if after < cap and t[cap + after] >= 0 and starts[after] == end:
            parts.append(after)
        if len(parts) == 1:
            return ()
        sizes = tuple(t[cap + part] for part in parts)
        first = parts[0]
        merged_start = starts[first]
        for part in parts:
            self.remove_slot(part)
        self.add(merged_start, sum(sizes))
        return (Merge(self.rank(first), sizes, merged_start),)

    def coalesce(self) -> tuple[Merge, ...]:
        """OSTEP's pass over the whole list (the rare path: `merge_around` is the usual)."""
        regions = self.regions()
        merges, joined = [], []
        for start, size in regions:
            if joined and joined[-1][0] + sum(joined[-1][1]) == start:
                joined[-1][1].append(size)
            else:
                joined.append((start, [size]))
        if len(joined) == len(regions):
            return ()
        for k, (start, sizes) in enumerate(joined):
            if len(sizes) > 1:
                merges.append(Merge(k, tuple(sizes), start))
        self._rebuild([(start, sum(sizes)) for start, sizes in joined])
        return tuple(merges)

    def uncoalesce(self, merges: tuple[Merge, ...]) -> None:
        regions = self.regions()
        for merge in reversed(merges):
            start = regions[merge.position][0]
            parts = []
            for size in merge.sizes:
                parts.append((start, size))
                start += size
            regions[merge.position : merge.position + 1] = parts
        self._rebuild(regions)

    def _rebuild(self, regions: list[tuple[int, int]]) -> None:
        cap = _MIN_CAP
        if self.mode == "address":
            top = max(((start - self.base) >> 4 for start, _ in regions), default=0)
            while cap <= top:
                cap *= 2
        else:
            while cap < 4 * (len(regions) + 1):
                cap *= 2
        self._layout(regions, cap)
        self._len = len(regions)
        self.free_bytes = sum(size for _, size in regions)

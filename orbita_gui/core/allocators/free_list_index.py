"""A free list indexed for searching: each operation costs O(log n), not O(n).

The regions sit in numbered slots whose order is the list's order: pushing at the
head takes the slot below the lowest in use ("front"), at the tail the one above the
highest ("back"), and when slots run out the regions are laid out afresh (amortised
O(1)); in an address-ordered list a region's slot is its address over 16 ("address":
with the ListNode rules two regions start at least 16 bytes apart), and the tree's
memory is made for the whole heap at the start (new memory, page by page, cost more
than all the searches of a trace) but used only up to the highest slot so far.

Over the slots:

- a tree of the largest size in each slot range: a search descends to the first slot
  from where it starts whose size is at least the need, tests that node exactly (a
  leftover of 1 to 15 bytes, alignment padding) and goes on past it if it fails. The
  tree holds upper bounds: a region that grows updates its ancestors at once, one
  that shrinks or goes leaves them too high, and a search that finds a subtree
  emptier than it said sets its bound right on the way back up;
- live counts per 64, 4,096 and 262,144 slots, for a slot's list position (its rank);
- for best and worst fit, the regions sorted by size then slot (`SortedList`); for
  first fit in address order, the lowest slot of each size (`LowestBySize`).

The visits of a search (the nodes it passed over, which the views show) are taken
lazily (`free_list_visits`).
"""

from __future__ import annotations

from array import array

import numpy as np
from sortedcontainers import SortedList

from .free_list_lowest import LowestBySize
from .free_list_store import Merge
from .free_list_trees import empty, take_tree
from .free_list_visits import LazyVisits, PendingVisits

_U64 = np.uint64
_MASK = (1 << 32) - 1
_MIN_CAP = 4096
_TOP = (1 << 31) - 1
"""The tree's unused node 0: above every size, so a bound's update stops at the root
(in address order the heap is at most 64 MiB, and the tree holds 32-bit sizes)."""


def region_arrays(regions: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """`(start, size)` pairs in list order as two uint64 arrays (for drawing)."""
    if not regions:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=_U64)
    starts, sizes = zip(*regions, strict=True)
    return np.array(starts, dtype=_U64), np.array(sizes, dtype=_U64)


class IndexedFreeList(PendingVisits):
    """Free regions in list order, by slot; see the module's docstring."""

    def __init__(
        self,
        mode: str,
        base: int = 0,
        by_size: bool = False,
        by_end: bool = False,
        lowest: bool = False,
        span: int = 0,
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
        self._lowest: LowestBySize | None = LowestBySize() if lowest else None
        """The lowest slot of each size, for first fit in address order."""
        self._room = _MIN_CAP
        """Address order: the slots the tree's memory is made for, a slot for every 16
        bytes of the `span` bytes from `base`; it uses fewer (`_cap`) until a region
        comes past them (a search costs a step per level of the tree)."""
        if mode == "address":
            while self._room < -(-span >> 4):
                self._room *= 2
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
        t[0] = _TOP if self.mode == "address" else 1 << 64
        level = cap if regions else 1  # (a new tree is -1 throughout)
        while level > 1:  # each level the larger of its two children, a level at a time
            t[level >> 1 : level] = (
                array("i", map(max, t[level : 2 * level : 2], t[level + 1 : 2 * level : 2]))
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
        if self._lowest is not None:
            self._lowest = LowestBySize(
                (slot, size) for slot, (_, size) in zip(slots, regions, strict=True)
            )

    def _new_tree(self, size: int) -> list[int] | array:
        """A tree of `size` nodes, all -1: a list when small (the fastest to index), an
        array of 32-bit integers for the whole heap in address order (contiguous and
        compact: each level read costs one cache line, not two, in a tree of millions of
        nodes), taken from `free_list_trees` and given back when this list is gone."""
        if self.mode == "address":
            t, self._used = take_tree(self, 2 * self._room)
            self._used[0] = size
            return t
        return [-1] * size

    def _relayout(self) -> None:
        """Lay the regions out afresh, with room to grow at the end the list grows at."""
        regions = self.regions()
        cap = _MIN_CAP
        while cap < 4 * (len(regions) + 1):
            cap *= 2
        self._layout(regions, cap)

    def _grow(self, slot: int) -> None:
        """Address order: use more of the tree's slots, up to `slot` at least, in the
        memory made at the start (new memory would cost a page fault every 4 KiB). Each
        old level moves to the left half of its new one, the deepest first (so that none
        is overwritten before it moved), and the new nodes above the old root take its
        bound."""
        self._settle_all()
        old = cap = self._cap
        while cap <= slot:
            cap *= 2
        t, scale = self._t, cap // old
        with memoryview(t) as view:
            level = old
            while level:
                new = level * scale
                view[new : new + level] = view[level : 2 * level]
                empty(view, new + level, 2 * new)
                level >>= 1
            empty(view, 1, scale)
        i = scale >> 1
        while i:  # the new nodes above the old root
            t[i] = t[2 * i]
            i >>= 1
        self._cap = cap
        self._used[0] = 2 * cap  # the nodes to empty when the tree is given back
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
        """`regions()` as two uint64 arrays; in list order from the slots at once (the
        views read them after every change: 80,000 regions in 5 ms, not 70)."""
        if self.mode == "address":
            return region_arrays(self.regions())
        cap = self._cap
        lo, hi = max(self._lo, 0), min(self._hi, cap - 1)
        sizes = np.array(self._t[cap + lo : cap + hi + 1], dtype=np.int64)
        starts = np.array(self._starts[lo : hi + 1], dtype=_U64)  # up to 2**64 - 1
        live = sizes >= 0
        return starts[live], sizes[live].astype(_U64)

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
                while i < cap:  # down to the leftmost leaf with room
                    i <<= 1
                    if t[i] < need:
                        i += 1
                        if t[i] < need:
                            break  # neither child: the bound above was too high
                else:
                    size = t[i]
                    want = (
                        need + ((-(self._starts[i - cap] + header)) & (align - 1))
                        if padded
                        else need
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

    def find_lowest(self, need: int, min_leftover: int) -> int | None:
        """First fit in address order without alignment padding (`_find` from slot 0), in
        O(log n) however many regions are a few bytes too large (a leftover under
        `min_leftover`): the first region that takes `need` bytes if it fits (nearly
        always); past one too large, the first with room for a leftover (the tree) or
        before it one of exactly `need` bytes (`LowestBySize`, which must be kept)."""
        t, cap, lowest = self._t, self._cap, self._lowest
        if lowest.entries > lowest.limit:
            lowest.sweep(t, cap)
        slot = self._find(0, need, 0, 0, 0, False)
        if slot is None:
            return None
        size = t[cap + slot]
        if size == need or size >= need + min_leftover:
            return slot
        roomy = self._find(slot + 1, need + min_leftover, 0, 0, 0, False)
        exact = lowest.lowest(need, t, cap)
        return exact if exact is not None and (roomy is None or exact < roomy) else roomy

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
        if self._lowest is not None:
            self._lowest.add(slot, size)

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
        if self._lowest is not None:
            self._lowest.discard(slot, size)
        return self._starts[slot], size

    def split(self, slot: int, taken: int) -> int | None:
        """Address order: take the first `taken` bytes of the region in `slot`; the rest,
        if any, stays linked in its place in the list, in the slot of its own address.
        Returns that slot (None: no rest). One step for `remove_slot` and `add`."""
        if self._pending is not None:
            self._settle(slot)
        t, cap, starts = self._t, self._cap, self._starts
        i = slot + cap
        region, start = t[i], starts[slot]
        t[i] = -1
        self.free_bytes -= taken
        rest = region - taken
        if not rest:
            self._len -= 1
            self._c1[slot >> 6] -= 1
            self._c2[slot >> 12] -= 1
            self._c3[slot >> 18] -= 1
            if self._by_end is not None:
                del self._by_end[start + region]
            if self._lowest is not None:
                self._lowest.discard(slot, region)
            if self._by_size is not None:
                self._by_size.remove((region << 32) | slot)
            return None
        start += taken
        new = (start - self.base) >> 4
        if new >= cap:
            self._grow(new)
            t, cap = self._t, self._cap
        if self._pending is not None:
            self._note_new(new)
        starts[new] = start
        if new >> 6 != slot >> 6:
            self._c1[slot >> 6] -= 1
            self._c1[new >> 6] += 1
            self._c2[slot >> 12] -= 1
            self._c2[new >> 12] += 1
            self._c3[slot >> 18] -= 1
            self._c3[new >> 18] += 1
        i = new + cap
        t[i] = rest
        i >>= 1
        while t[i] < rest:
            t[i] = rest
            i >>= 1
        if self._by_end is not None:
            self._by_end[start + rest] = new
        if self._lowest is not None:
            self._lowest.discard(slot, region)
            self._lowest.add(new, rest)
        if self._by_size is not None:
            self._by_size.remove((region << 32) | slot)
            self._by_size.add((rest << 32) | new)
        return new

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
        if self._lowest is not None:
            self._lowest.discard(slot, old)
            self._lowest.add(slot, size)

    # Visits (`PendingVisits`)

    def _take(self, at: int, count: int, skip: tuple) -> tuple[list[int], list[int]]:
        """Starts and sizes of `count` regions from slot `at` on, wrapping past the tail,
        skipping the slots in `skip`."""
        t, cap, all_starts = self._t, self._cap, self._starts
        starts: list[int] = []
        sizes: list[int] = []
        if self.mode == "address":  # sparse slots: found by numpy, a window at a time
            leaves, part = np.frombuffer(t, dtype=np.int32)[cap:], None
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

    def add_joined(self, start: int, size: int) -> tuple[int, tuple[int, ...]]:
        """Address order with coalescing: link a freed region in, joined with the regions
        right before and after it in memory (no two others touch). Returns the slot of
        the region it is now part of, and the sizes joined in address order (one: none).
        The neighbours grow or go in place: no region is linked in only to be unlinked."""
        starts, t, cap = self._starts, self._t, self._cap
        end = start + size
        after = (end - self.base) >> 4
        sizes: tuple[int, ...] = (size,)
        if after < cap and t[cap + after] >= 0 and starts[after] == end:
            sizes += (self.remove_slot(after)[1],)
        before = self._by_end.get(start)
        if before is None:
            return self.add(start, sum(sizes)), sizes
        grown = t[cap + before]
        self.replace_slot(before, starts[before], grown + sum(sizes))
        return before, (grown, *sizes)

    def uncoalesce(self, merges: tuple[Merge, ...]) -> None:
        """Undo `add_joined`: split each joined region into the regions it was made of."""
        for merge in reversed(merges):
            start, _ = self.remove(merge.position)
            for size in merge.sizes:
                self.add(start, size)
                start += size

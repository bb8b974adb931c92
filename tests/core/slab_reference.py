"""A plain slab allocator, slow on purpose: the oracle for `SlabHeap` on a machine.

Written from the rules of `allocators/slab.py`'s docstring, not from its code:
Python lists head first (`pop(0)`, `insert(0, ...)`) for every cache's partial and
empty slabs and for every slab's free objects, loops for the cache a request goes
to and for the lowest unmapped run of pages, a plain list for the page table.
The frame allocator below the heap is modelled as plainly: for a bitmap, the
guide's `allocate_frame` (a search from `next_free`, wrapping to 0) once per
page, in page order; for a buddy, `buddy_reference.ReferenceBuddy`, one block
for a run of pages. Every figure is recomputed from those lists when read.
"""

from __future__ import annotations

from .buddy_reference import ReferenceBuddy

PAGE = 4096
KMALLOC = (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192)
MIN_OBJECTS = 4
UNMAPPED = -1


class RefCache:
    """A cache: its objects' size (rounded up to 8), its slabs' pages, and its lists."""

    def __init__(self, name: str, asked: int, named: bool) -> None:
        self.name, self.asked, self.named = name, asked, named
        size = asked
        while size % 8:
            size += 1
        self.size = size
        pages = 1
        while pages * PAGE < MIN_OBJECTS * size:
            pages *= 2
        self.pages = pages
        self.per_slab = pages * PAGE // size
        align = 1
        while size % (align * 2) == 0 and align * 2 <= pages * PAGE:
            align *= 2
        self.align = align
        """Every object of a slab aligned to its own size is aligned to this."""
        self.partial: list[RefSlab] = []
        self.empty: list[RefSlab] = []

    @property
    def slab_bytes(self) -> int:
        return self.pages * PAGE


class RefSlab:
    def __init__(self, cache: RefCache, first: int, address: int) -> None:
        self.cache, self.first = cache, first
        self.free = [address + k * cache.size for k in range(cache.per_slab)]

    @property
    def used(self) -> int:
        return self.cache.per_slab - len(self.free)


class RefBitmapFrames:
    """The guide's bitmap allocator: first free frame from `next_free`, wrapping."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = [False] * total
        self.next_free = 0

    def allocate(self) -> int | None:
        for frame in [*range(self.next_free, self.total), *range(self.next_free)]:
            if not self.used[frame]:
                self.used[frame] = True
                self.next_free = frame + 1
                return frame
        return None

    def free(self, frame: int) -> None:
        assert self.used[frame]
        self.used[frame] = False
        self.next_free = min(self.next_free, frame)

    def take(self, count: int) -> list[int] | None:
        """One `allocate` per page; none at all if there are not enough frames."""
        if self.used.count(False) < count:
            return None
        return [self.allocate() for _ in range(count)]

    def give(self, frames: list[int]) -> None:
        for frame in frames:
            self.free(frame)

    def bitmap(self) -> list[int]:
        return [int(used) for used in self.used]


class RefBuddyFrames:
    """A buddy: a run of pages is one block."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.buddy = ReferenceBuddy(total)

    def allocate(self, count: int = 1) -> int | None:
        return self.buddy.allocate(count)

    def free(self, frame: int) -> None:
        self.buddy.free_block(frame)

    def take(self, count: int) -> list[int] | None:
        start = self.buddy.allocate(count)
        return None if start is None else list(range(start, start + count))

    def give(self, frames: list[int]) -> None:
        self.buddy.free_block(frames[0])

    def bitmap(self) -> list[int]:
        return self.buddy.bitmap()


class ReferenceSlab:
    """Caches of slabs over a heap range whose pages come from `frames`."""

    def __init__(
        self,
        heap_start: int,
        heap_size: int,
        frames: RefBitmapFrames | RefBuddyFrames,
        named: tuple[tuple[str, int], ...] = (),
        keep_empty: bool = False,
    ) -> None:
        self.heap_start, self.heap_size = heap_start, heap_size
        self.frames = frames
        self.keep_empty = keep_empty
        self.page_base = heap_start - heap_start % PAGE
        end = heap_start + heap_size
        pages = 0
        while self.page_base + pages * PAGE < end:
            pages += 1
        self.table = [UNMAPPED] * pages
        self.first_whole = 0
        while self.page_base + self.first_whole * PAGE < heap_start:
            self.first_whole += 1
        self.stop = pages
        while self.page_base + self.stop * PAGE > end:
            self.stop -= 1
        self.kmalloc = [RefCache(f"kmalloc-{size}", size, False) for size in KMALLOC]
        self.named: list[RefCache] = []
        for name, size in named:
            self.named.append(RefCache(name, size, True))
        self.slabs: list[RefSlab] = []
        self.large: dict[int, tuple[int, int]] = {}
        """ptr -> (first page, pages)."""
        self.live: dict[int, tuple[int, int, int]] = {}
        """ptr -> (bytes taken, size asked, alignment)."""
        self.hand: dict[int, int] = {}
        """Frames taken by hand (`alloc-frame`), not by the heap: first frame -> frames asked."""

    @property
    def caches(self) -> list[RefCache]:
        return [*self.kmalloc, *self.named]

    def cache_for(self, size: int, align: int) -> RefCache | None:
        for cache in self.named:
            if cache.asked == size and cache.align >= align:
                return cache
        for cache in self.kmalloc:
            if cache.size >= size and cache.align >= align:
                return cache
        return None

    def address(self, page: int) -> int:
        return self.page_base + page * PAGE

    def lowest_unmapped(self, count: int) -> int | None:
        for first in range(self.first_whole, self.stop - count + 1):
            aligned = (self.page_base // PAGE + first) % count == 0
            if aligned and all(self.table[p] == UNMAPPED for p in range(first, first + count)):
                return first
        return None

    def grow(self, count: int) -> tuple[int | None, list[int] | str]:
        """`(first page, frames)`, or `(None, why)` with nothing changed."""
        first = self.lowest_unmapped(count)
        if first is None:
            return None, "no-room"
        frames = self.frames.take(count)
        if frames is None:  # a buddy has no block that big; a bitmap, too few frames
            return None, "no-block" if isinstance(self.frames, RefBuddyFrames) else "no-frames"
        for k, frame in enumerate(frames):
            self.table[first + k] = frame
        return first, frames

    def shrink(self, first: int, count: int) -> list[int]:
        frames = self.table[first : first + count]
        self.frames.give(frames)
        for page in range(first, first + count):
            self.table[page] = UNMAPPED
        return frames

    def slab_of(self, ptr: int) -> RefSlab:
        page = (ptr - self.page_base) // PAGE
        for slab in self.slabs:
            if slab.first <= page < slab.first + slab.cache.pages:
                return slab
        raise AssertionError(f"{ptr:#x} is in no slab")

    # Operations: each returns what the event should say

    def allocate(self, size: int, align: int) -> tuple[int | None, str, list[int]]:
        """`(ptr, source, frames taken)`; ptr None and the reason when it fails."""
        cache = self.cache_for(size, align)
        if cache is None:
            count = 1
            while count * PAGE < max(size, align, 1):
                count *= 2
            first, frames = self.grow(count)
            if first is None:
                return None, frames, []
            ptr = self.address(first)
            self.large[ptr] = (first, count)
            self.live[ptr] = (count * PAGE, size, align)
            return ptr, "large", frames
        taken: list[int] = []
        if cache.partial:
            slab, source = cache.partial.pop(0), "partial"
        elif cache.empty:
            slab, source = cache.empty.pop(0), "empty"
        else:
            first, frames = self.grow(cache.pages)
            if first is None:
                return None, frames, []
            slab, source, taken = RefSlab(cache, first, self.address(first)), "new", frames
            self.slabs.append(slab)
        ptr = slab.free.pop(0)
        if slab.free:
            cache.partial.insert(0, slab)
        self.live[ptr] = (cache.size, size, align)
        return ptr, source, taken

    def deallocate(self, ptr: int) -> list[int]:
        """The frames given back."""
        del self.live[ptr]
        if ptr in self.large:
            first, count = self.large.pop(ptr)
            return self.shrink(first, count)
        slab = self.slab_of(ptr)
        cache = slab.cache
        was_full = not slab.free
        slab.free.insert(0, ptr)
        if slab.used == 0:
            if slab in cache.partial:
                cache.partial.remove(slab)
            if self.keep_empty:
                cache.empty.insert(0, slab)
                return []
            self.slabs.remove(slab)
            return self.shrink(slab.first, cache.pages)
        if was_full:
            cache.partial.insert(0, slab)
        return []

    def realloc(self, ptr: int, new_size: int) -> int | None:
        """krealloc: the same object if the new size fits in its bytes, else a move."""
        size, _, align = self.live[ptr]
        if new_size <= size:
            self.live[ptr] = (size, new_size, align)
            return ptr
        new, _, _ = self.allocate(new_size, align)
        if new is not None:
            self.deallocate(ptr)
        return new

    def allocate_frames(self, count: int = 1) -> int | None:
        """Frames taken by hand: one from a bitmap, a block from a buddy; its first frame."""
        if isinstance(self.frames, RefBitmapFrames):
            assert count == 1
            start = self.frames.allocate()
        else:
            start = self.frames.allocate(count)
        if start is not None:
            self.hand[start] = count
        return start

    def free_frames(self, start: int) -> None:
        del self.hand[start]
        self.frames.free(start)

    # Reading

    def blocks(self) -> dict[int, tuple[int, int, int]]:
        return dict(self.live)

    def lists(self) -> dict[str, tuple[list[int], list[int]]]:
        """Every cache's partial and empty slabs' first pages, head first."""
        return {
            c.name: ([s.first for s in c.partial], [s.first for s in c.empty]) for c in self.caches
        }

    def free_lists(self) -> dict[int, list[int]]:
        """Every slab's free objects, head first, by its first page."""
        return {slab.first: list(slab.free) for slab in self.slabs}

    def slab_rows(self) -> list[tuple[str, int, int]]:
        """Every slab: its cache's name, first page and objects in use, by first page."""
        rows = [(s.cache.name, s.first, s.used) for s in self.slabs]
        return sorted(rows, key=lambda row: row[1])

    def size_classes(self) -> list[tuple[str, int, int, list[int]]]:
        """A row per cache (kmalloc's, then the named ones as declared) that has slabs or
        is named: its name, slabs, slab bytes, and free objects, partial slabs' head
        first, then empty slabs'."""
        rows = []
        for cache in self.caches:
            slabs = sum(1 for s in self.slabs if s.cache is cache)
            if not slabs and not cache.named:
                continue
            starts = [ptr for slab in [*cache.partial, *cache.empty] for ptr in slab.free]
            rows.append((cache.name, slabs, cache.slab_bytes, starts))
        return rows

    def mapped(self) -> int:
        return sum(1 for frame in self.table if frame != UNMAPPED)

    def stats(self) -> dict[str, int]:
        objects = self.slabs
        free_objects = sum(len(slab.free) for slab in objects)
        waiting = [c.size for c in self.caches if c.partial or c.empty]
        return {
            "allocated": sum(taken for taken, _, _ in self.live.values()),
            "free": sum(len(slab.free) * slab.cache.size for slab in objects),
            "lost": sum(s.cache.slab_bytes - s.cache.per_slab * s.cache.size for s in objects),
            "total": self.heap_size,
            "requested": sum(size for _, size, _ in self.live.values()),
            "largest_free": max(waiting, default=0),
            "free_regions": free_objects,
            "unmapped": self.heap_size - self.mapped() * PAGE,
        }

"""The slab allocator (Bonwick's design, as kernels use it for kernel objects).

One cache per object size: the kmalloc sizes (8, 16, 32, 64, 96, 128, 192, 256,
..., 8,192 B) and named caches a trace declares (`caches=task_struct:1856`). A
cache owns slabs: runs of pages (a power of two, the fewest that hold
`MIN_OBJECTS` objects), mapped on demand to frames taken from the machine's
frame allocator, each cut into objects with its own free list.

- A request of exactly a named cache's object size is that cache's object;
  any other takes the smallest kmalloc cache whose objects hold its size and
  alignment (an object at offset k * size of a page-aligned slab is aligned to
  the largest power of two dividing the size). Larger than 8 KiB, it takes
  pages of its own (a power of two of them), as kmalloc does.
- Allocation takes the head of the cache's partial list first, then an empty
  slab kept (`keep_empty`), then a new slab at the lowest unmapped run of the
  heap's range aligned to its size; from the slab, the head of its free list
  (a new slab's list is in address order). A slab that becomes full leaves
  the partial list; one that was full and gets an object back joins its front.
- A slab whose objects are all free gives its pages back to the frame allocator,
  or, with `keep_empty`, waits at the front of the cache's empty list.

Slab descriptors are kept off the slab (Python objects), so a slab's bytes are
objects and the leftover at its end; the leftover counts as lost. Pages the
heap's range holds but no slab uses are unmapped: `HeapStats.unmapped`.

Each list is a dict in insertion order whose last key is its head: push, pop
and removal are O(1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from ..errors import InvalidParameterError, RevertError
from ..events import Allocation
from ..layout import Layout
from ..pages import PAGE_SIZE, HeapPages, heap_pages
from ..protocols import SizeClass
from ..slab_events import (
    EMPTY,
    LARGE,
    NEW,
    NO_BLOCK,
    NO_FRAMES,
    NO_ROOM,
    PARTIAL,
    CacheInfo,
    SlabAllocation,
    SlabReallocation,
    SlabRelease,
    SlabResize,
    cache_label,
    large_pages,
)
from ..stats import HeapStats
from .bitmap_frames import FrameAllocator
from .heap_checks import check_region, live_block
from .live_blocks import LiveByColumns

KMALLOC_SIZES = (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192)
"""Linux's kmalloc caches (with 4 KiB pages): 96 and 192 fill the widest gaps."""
MIN_OBJECTS = 4
"""A slab has the fewest pages, a power of two, that hold this many objects."""
LARGEST_NAMED = 1 << 20
CACHE_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):([0-9]+)")


def parse_caches(text: str) -> tuple[tuple[str, int], ...]:
    """`name:size,name:size` (sizes in bytes, 8 to 1 MiB) as pairs; `InvalidParameterError`
    names the word at fault."""
    caches: list[tuple[str, int]] = []
    for word in filter(None, text.split(",")):
        match = CACHE_WORD.fullmatch(word)
        size = int(match.group(2)) if match else 0
        if match is None or not 8 <= size <= LARGEST_NAMED:
            raise InvalidParameterError(
                f"caches: {word!r} is not NAME:SIZE with a size of 8 to {LARGEST_NAMED:,} bytes "
                "(for example task_struct:1856)"
            )
        for name, other in caches:
            if name == match.group(1) or other == size:
                raise InvalidParameterError(
                    f"caches: {word!r}: "
                    + (
                        f"{name!r} is given twice"
                        if name == match.group(1)
                        else f"{name} has {size:,}-byte objects already"
                    )
                )
        caches.append((match.group(1), size))
    return tuple(caches)


def cache_info(name: str, size: int, named: bool = False) -> CacheInfo:
    """A cache of `size`-byte objects (rounded up to 8) and its slab's pages."""
    size = -(-size // 8) * 8
    pages = 1
    while pages * PAGE_SIZE < MIN_OBJECTS * size:
        pages *= 2
    return CacheInfo(name, size, pages, pages * PAGE_SIZE // size, named)


class Slab:
    """A slab: its first page, its cache, its free objects (the head last)."""

    __slots__ = ("cache", "first", "free", "used")

    def __init__(self, first: int, cache: Cache, start: int) -> None:
        info = cache.info
        self.first = first
        self.cache = cache
        self.free = list(range(start + (info.per_slab - 1) * info.size, start - 1, -info.size))
        self.used = 0


class Cache:
    """A cache: its objects' size, its partial and empty slabs (dicts, the head last)."""

    __slots__ = ("align", "empty", "info", "partial", "slabs")

    def __init__(self, info: CacheInfo) -> None:
        self.info = info
        self.align = min(info.size & -info.size, info.slab_bytes)
        self.partial: dict[int, Slab] = {}
        self.empty: dict[int, Slab] = {}
        self.slabs = 0


class SlabHeap(LiveByColumns):
    """Caches of slabs over pages taken from the machine's frame allocator.

    Every operation returns the event that explains it; `revert(event)` undoes the
    latest exactly, the frame allocator's part included.
    """

    kind = "slab"

    def __init__(self, caches: str = "", keep_empty: bool = False) -> None:
        named = parse_caches(caches) if isinstance(caches, str) else None
        if named is None:
            raise InvalidParameterError(f"caches is text like task_struct:1856, not {caches!r}")
        self._caches_text = caches
        self.keep_empty = bool(keep_empty)
        self.named = {size: Cache(cache_info(name, size, True)) for name, size in named}
        """Named caches by the object size asked, as declared."""
        self.kmalloc = [Cache(cache_info(f"kmalloc-{size}", size)) for size in KMALLOC_SIZES]
        self.heap_start = self.heap_size = 0
        self.initialised = False
        self.pages: HeapPages | None = None
        self._first = self._stop = 0
        """The heap's whole pages: slabs live in `[_first, _stop)`."""
        self._slab_at: dict[int, Slab] = {}
        """Every slab by each of its pages."""
        self._large: dict[int, int] = {}
        """Large blocks: their first page by address."""
        self._live: dict[int, Allocation] = {}
        self._allocated = self._requested = self._free = self._lost = 0
        self._free_objects = 0
        """Objects waiting in slabs' free lists (a replay reads the stats every operation)."""
        self._serial = 0

    @property
    def params(self) -> dict[str, object]:
        return {"caches": self._caches_text, "keep_empty": self.keep_empty}

    def init(self, heap_start: int, heap_size: int) -> None:
        """Take the heap's range; its pages come from a frame allocator of its own, as
        many frames as pages, until a machine gives its own (`use_pages`)."""
        check_region(self, heap_start, heap_size, 8, 16, False)
        self.heap_start, self.heap_size = heap_start, heap_size
        self.initialised = True
        base = heap_start - heap_start % PAGE_SIZE
        pages = heap_pages(heap_start, heap_size)
        self.use_pages(HeapPages(FrameAllocator(pages * PAGE_SIZE), base, pages, False))

    def use_pages(self, pages: HeapPages) -> None:
        """Take slabs' pages from `pages`, the machine's page table of the heap."""
        self.pages = pages
        base = pages.page_base
        self._first = -(-(self.heap_start - base) // PAGE_SIZE)
        self._stop = (self.heap_start + self.heap_size - base) // PAGE_SIZE

    @property
    def caches(self) -> list[Cache]:
        """Every cache, the kmalloc ones by size, then the named ones as declared."""
        return [*self.kmalloc, *self.named.values()]

    def cache_for(self, layout: Layout) -> Cache | None:
        """The named cache of exactly the size asked, else the smallest kmalloc cache that
        holds size and alignment; None for a large request."""
        named = self.named.get(layout.size)
        if named is not None and named.align >= layout.align:
            return named
        for cache in self.kmalloc:
            if cache.info.size >= layout.size and cache.align >= layout.align:
                return cache
        return None

    # Operations

    def allocate_event(self, layout: Layout) -> SlabAllocation:
        cache = self.cache_for(layout)
        if cache is None:
            return self._allocate_large(layout)
        info = cache.info
        if cache.partial:
            slab, source = cache.partial.pop(next(reversed(cache.partial))), PARTIAL
        elif cache.empty:
            slab, source = cache.empty.pop(next(reversed(cache.empty))), EMPTY
        else:
            grant, failure = self._grow(info.pages)
            if grant is None:
                return self._event(layout, cache.info, failure, None, None, None, 0)
            slab, source = self._new_slab(cache, grant.first), NEW
        ptr = slab.free.pop()
        slab.used += 1
        if slab.used < info.per_slab:
            cache.partial[slab.first] = slab
        block = self._take(Allocation(ptr, layout, info.size, 0))
        return self._event(
            layout, info, source, slab.first, grant if source == NEW else None, block, slab.used
        )

    def deallocate_event(self, ptr: int, layout: Layout) -> SlabRelease:
        block = live_block(self._live, ptr, layout)
        first = self._large.get(ptr)
        if first is not None:
            grant = self.pages.shrink(first, block.size // PAGE_SIZE)
            self._give(block)
            del self._large[ptr]
            return self._release(block, None, None, False, False, None, grant, 0)
        slab = self._slab_at[(ptr - self.pages.page_base) // PAGE_SIZE]
        cache, info = slab.cache, slab.cache.info
        was_full = slab.used == info.per_slab
        slab.free.append(ptr)
        slab.used -= 1
        self._give(block)
        index = grant = None
        if slab.used == 0:
            if not was_full:
                index = list(cache.partial).index(slab.first)
                del cache.partial[slab.first]
            if self.keep_empty:
                cache.empty[slab.first] = slab
            else:
                self._forget_slab(slab)
                grant = self.pages.shrink(slab.first, info.pages)
        elif was_full:
            cache.partial[slab.first] = slab
        kept = self.keep_empty
        return self._release(block, info, slab, was_full, kept, index, grant, slab.used)

    def realloc_event(
        self, ptr: int, layout: Layout, new_size: int
    ) -> SlabResize | SlabReallocation:
        """Linux's krealloc: the same object if the new size fits in its bytes (`ksize`);
        else allocate anew, copy, free the old one (which stays if nothing is free)."""
        old = live_block(self._live, ptr, layout)
        if new_size <= old.size:
            block = Allocation(ptr, Layout(new_size, layout.align), old.size, 0)
            self._live[ptr] = block
            self._requested += new_size - layout.size
            self._serial += 1
            slab = self._slab_at.get((ptr - self.pages.page_base) // PAGE_SIZE)
            info = None if ptr in self._large else slab.cache.info
            return SlabResize(old, block, info, self._serial)
        allocation = self.allocate_event(Layout(new_size, layout.align))
        release = None if allocation.failed else self.deallocate_event(ptr, layout)
        return SlabReallocation(old, allocation, release)

    def _allocate_large(self, layout: Layout) -> SlabAllocation:
        count = large_pages(layout)
        grant, failure = self._grow(count)
        if grant is None:
            return self._event(layout, None, failure, None, None, None, 0)
        ptr = self.pages.address(grant.first)
        self._large[ptr] = grant.first
        block = self._take(Allocation(ptr, layout, count * PAGE_SIZE, 0))
        return self._event(layout, None, LARGE, None, grant, block, 0)

    def _grow(self, count: int):
        """`(grant, None)`: `count` pages mapped at the lowest aligned unmapped run; or
        `(None, why)` with nothing changed."""
        first = self.pages.lowest_unmapped(count, self._first, self._stop)
        if first is None:
            return None, NO_ROOM
        grant = self.pages.grow(first, count)
        if grant is None:
            return None, NO_BLOCK if self.pages.blocks else NO_FRAMES
        return grant, None

    def _new_slab(self, cache: Cache, first: int) -> Slab:
        slab = Slab(first, cache, self.pages.address(first))
        self._keep_slab(slab)
        return slab

    def _keep_slab(self, slab: Slab) -> None:
        """Count a slab in: its pages, its cache, its free and lost bytes."""
        info = slab.cache.info
        for page in range(slab.first, slab.first + info.pages):
            self._slab_at[page] = slab
        slab.cache.slabs += 1
        self._free += len(slab.free) * info.size
        self._free_objects += len(slab.free)
        self._lost += info.slab_bytes - info.per_slab * info.size

    def _forget_slab(self, slab: Slab) -> None:
        """Count a slab out (all its objects free): the opposite of `_keep_slab`."""
        info = slab.cache.info
        for page in range(slab.first, slab.first + info.pages):
            del self._slab_at[page]
        slab.cache.slabs -= 1
        self._free -= len(slab.free) * info.size
        self._free_objects -= len(slab.free)
        self._lost -= info.slab_bytes - info.per_slab * info.size

    def _take(self, block: Allocation) -> Allocation:
        self._live[block.ptr] = block
        self._allocated += block.size
        self._requested += block.layout.size
        if block.ptr not in self._large:
            self._free -= block.size
            self._free_objects -= 1
        return block

    def _give(self, block: Allocation) -> None:
        del self._live[block.ptr]
        self._allocated -= block.size
        self._requested -= block.layout.size
        if block.ptr not in self._large:
            self._free += block.size
            self._free_objects += 1

    def _event(self, layout, info, source, slab, grant, block, in_use) -> SlabAllocation:
        if block is not None:
            self._serial += 1
        base = self.pages.page_base
        return SlabAllocation(
            layout, info, source, slab, grant, block, in_use, base, KMALLOC_SIZES[-1], self._serial
        )

    def _release(self, block, info, slab, was_full, kept, index, grant, in_use) -> SlabRelease:
        self._serial += 1
        first = None if slab is None else slab.first
        dropped = slab if grant is not None else None
        base = self.pages.page_base
        return SlabRelease(
            block, info, first, was_full, kept, index, grant, dropped, in_use, base, self._serial
        )

    # Undo

    def revert(self, event: SlabAllocation | SlabRelease | SlabReallocation | SlabResize) -> None:
        """Undo the latest operation exactly: lists, their order, and the frames."""
        kind = type(event)
        if kind is SlabResize:
            self._check_latest(event, True)
            self._live[event.ptr] = event.old
            self._requested += event.old.layout.size - event.block.layout.size
        elif kind is SlabReallocation:
            if event.release is not None:
                self.revert(event.release)
            self.revert(event.allocation)
        elif kind is SlabAllocation:
            if event.block is not None:
                self._check_latest(event, True)
                self._revert_allocation(event)
        elif kind is SlabRelease:
            self._check_latest(event, False)
            self._revert_release(event)
        else:
            raise RevertError(f"{event.describe()} is not an operation of a slab heap")

    def _check_latest(self, event, live: bool) -> None:
        if event.serial != self._serial or (self._live.get(event.block.ptr) is event.block) != live:
            raise RevertError(f"{event.describe()} is not the latest operation")
        self._serial -= 1

    def _revert_allocation(self, event: SlabAllocation) -> None:
        block = event.block
        self._give(block)
        if event.source == LARGE:
            del self._large[block.ptr]
            self.pages.undo(event.grant)
            return
        slab = self._slab_at[event.slab]
        cache = slab.cache
        slab.free.append(block.ptr)
        slab.used -= 1
        cache.partial.pop(slab.first, None)
        if event.source == PARTIAL:
            cache.partial[slab.first] = slab  # back at the head, where it was taken
        elif event.source == EMPTY:
            cache.empty[slab.first] = slab
        else:
            self._forget_slab(slab)
            self.pages.undo(event.grant)

    def _revert_release(self, event: SlabRelease) -> None:
        block = event.block
        if event.cache is None:
            self.pages.undo(event.grant)
            self._large[block.ptr] = event.grant.first
            self._take(block)
            return
        if event.grant is not None:
            slab = event.dropped
            self.pages.undo(event.grant)
            self._keep_slab(slab)
        else:
            slab = self._slab_at[event.slab]
        cache = slab.cache
        if event.in_use == 0 and event.kept:
            del cache.empty[slab.first]
        if event.index is not None:
            order = list(cache.partial.items())
            order.insert(event.index, (slab.first, slab))
            cache.partial.clear()
            cache.partial.update(order)
        elif event.was_full:
            cache.partial.pop(slab.first, None)
        slab.free.pop()
        slab.used += 1
        self._take(block)

    # Introspection for the views

    def stats(self) -> HeapStats:
        mapped = self.pages.mapped * PAGE_SIZE if self.pages is not None else 0
        largest = max((c.info.size for c in self.caches if c.partial or c.empty), default=0)
        return HeapStats(
            allocated=self._allocated,
            free=self._free,
            lost=self._lost,
            total=self.heap_size,
            requested=self._requested,
            largest_free=largest,
            free_regions=self._free_objects,
            unmapped=self.heap_size - mapped,
        )

    @property
    def requested(self) -> int:
        return self._requested

    def allocations(self) -> Mapping[int, Allocation]:
        return MappingProxyType(self._live)

    def describe_page(self, page: int) -> str:
        """What heap page `page` holds, for a frame's tooltip."""
        slab = self._slab_at.get(page)
        if slab is not None:
            info = slab.cache.info
            return (
                f"Holds {info.name}'s slab at {self.pages.address(slab.first):#_x} "
                f"(page {page - slab.first + 1} of {info.pages}): "
                f"{slab.used:,} of {info.per_slab:,} objects in use"
            )
        address = self.pages.address(page)
        for ptr, first in self._large.items():
            pages = self._live[ptr].size // PAGE_SIZE
            if first <= page < first + pages:
                return f"Holds a large block of {pages} pages at {ptr:#_x}"
        return f"Heap page {address:#_x} is not mapped"

    def size_classes(self) -> list[SizeClass]:
        """A row per cache that has slabs, or was named: its free objects, partial slabs'
        first (head first), then empty slabs'. (Thirteen empty kmalloc rows would hide
        the few a trace uses.)"""
        rows = []
        for cache in self.caches:
            if not cache.slabs and not cache.info.named:
                continue
            starts = [ptr for slab in _slabs(cache) for ptr in reversed(slab.free)]
            label = cache_label(cache.info, cache.slabs)
            rows.append(SizeClass(label, starts, [cache.info.size] * len(starts)))
        return rows

    def free_region_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        classes = self.size_classes()
        starts = np.fromiter((p for c in classes for p in c.starts), dtype=np.uint64)
        sizes = np.fromiter((s for c in classes for s in c.sizes), dtype=np.uint64)
        return starts, sizes


def _slabs(cache: Cache):
    """A cache's slabs that have free objects: partial ones head first, then empty ones."""
    yield from reversed(cache.partial.values())
    yield from reversed(cache.empty.values())

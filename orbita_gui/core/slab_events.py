"""The slab allocator's events: which cache, which slab, which object, and the pages a
new slab took from the frame allocator or an empty one gave back.

As every event of the family, they keep a few numbers and derive their steps and
words when read (see `events`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .events import HEAP, Allocates, Allocation, HeapReallocation, Note, _Unchanged
from .layout import Layout
from .pages import PAGE_SIZE, PageGrant, frames_words, grant_note
from .units import format_size, plural

_event = dataclass(slots=True, eq=False)

PARTIAL, EMPTY, NEW, LARGE = "partial", "empty", "new", "large"
"""Where an allocation's object came from: a partial slab, an empty slab kept, a new
slab, or (a large request) pages of its own."""
NO_ROOM, NO_FRAMES, NO_BLOCK = "no-room", "no-frames", "no-block"
"""Why an allocation failed: no run of unmapped pages left in the heap's range, not
enough free frames (a bitmap), or no free block that big (a buddy)."""


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """What the words of an event need to know of a cache."""

    name: str
    size: int
    pages: int
    per_slab: int
    named: bool = False

    @property
    def slab_bytes(self) -> int:
        return self.pages * PAGE_SIZE


def cache_step(layout: Layout, cache: CacheInfo | None, largest: int, why: str) -> Note:
    """Why the request goes where it goes: a named cache, the smallest kmalloc cache
    that holds it, or pages of its own."""
    asked = f"{layout.size:,} B (align {layout.align})"
    if cache is None:
        if layout.size > largest:
            why_not = f"is larger than the largest cache's objects ({largest:,} B)"
        else:
            why_not = "needs an alignment no cache's objects have"
        reason = (
            f"{asked} {why_not}: it takes whole pages of its own, as kmalloc does for "
            "large requests"
        )
        return Note("cache", reason, None, f"{why}:large")
    if cache.named:
        reason = f"{asked} is a {cache.name} object: it comes from the {cache.name} cache"
        return Note("cache", reason, None, f"{why}:named")
    reason = f"{asked} goes to {cache.name}: the smallest cache whose objects hold it"
    return Note("cache", reason, None, f"{why}:cache")


@_event
class SlabAllocation(Allocates):
    """`kmalloc(layout)`: the object (or pages) handed out, or None.

    `source` says where it came from (`PARTIAL`, `EMPTY`, `NEW`, `LARGE`) or why it
    failed (`NO_ROOM`, `NO_FRAMES`, `NO_BLOCK`); `slab` is the slab's first page; `grant` the
    pages a new slab (or a large block) took; `in_use` the slab's objects in use after.
    """

    layout: Layout
    cache: CacheInfo | None
    source: str
    slab: int | None
    grant: PageGrant | None
    block: Allocation | None
    in_use: int
    page_base: int
    largest: int
    serial: int

    @property
    def frames_taken(self) -> tuple[int, ...]:
        return () if self.grant is None else self.grant.frames

    @property
    def frame_events(self) -> tuple:
        return () if self.grant is None else (self.grant.event,)

    @property
    def steps(self) -> tuple[Note, ...]:
        cache = self.cache
        steps = [cache_step(self.layout, cache, self.largest, "alloc")]
        source = self.source
        if source in (NO_ROOM, NO_FRAMES, NO_BLOCK):
            return (*steps, self._failure_step())
        if source == LARGE:
            pages = grant_note(self.grant, self.page_base, "alloc:large-map")
            return (*steps, pages._replace(kind="choose"))  # what a prediction is judged by
        start = self.page_base + self.slab * PAGE_SIZE
        slab = (start, start + cache.slab_bytes)
        if source == PARTIAL:
            reason = f"a partial slab of {cache.name} is at {start:#x}: partial slabs come first"
            steps.append(Note("slab", reason, slab, "alloc:partial"))
        elif source == EMPTY:
            reason = f"no partial slab; an empty slab is kept at {start:#x}: it is used"
            steps.append(Note("slab", reason, slab, "alloc:empty"))
        else:
            reason = (
                f"no partial slab, no empty one: a new slab of {_slab_words(cache)}, "
                "its pages taken from the frame allocator"
            )
            steps.append(Note("slab", reason, None, "alloc:new"))
            steps.append(grant_note(self.grant, self.page_base, "alloc:map"))
        ptr = self.block.ptr
        reason = (
            f"pop the object at {ptr:#x}, the head of the slab's free list: "
            f"{self.in_use:,} of {cache.per_slab:,} objects now in use"
        )
        if self.in_use == cache.per_slab:
            reason += "; the slab is full and leaves the partial list"
        steps.append(Note("choose", reason, (ptr, ptr + cache.size), "alloc:pop"))
        return tuple(steps)

    def _failure_step(self) -> Note:
        pages = self.cache.pages if self.cache is not None else large_pages(self.layout)
        if self.source == NO_ROOM:
            reason = (
                f"the heap's range has no run of {plural(pages, 'whole unmapped page')}, "
                "aligned to its size, left: kmalloc returns null"
            )
        elif self.source == NO_BLOCK:
            reason = (
                f"the buddy allocator has no free block of {plural(pages, 'frame')}: "
                "kmalloc returns null"
            )
        else:
            reason = (
                f"the frame allocator has not {plural(pages, 'free frame')} left: "
                "kmalloc returns null"
            )
        return Note("none", reason, None, "alloc:none")

    def describe(self) -> str:
        head = f"kmalloc({self.layout.size:,}, align {self.layout.align})"
        if self.block is None:
            where = "no room in the heap" if self.source == NO_ROOM else "out of frames"
            return f"{head} -> null: {where}"
        if self.source == LARGE:
            pages = plural(len(self.grant.frames), "page")
            return f"{head} -> {self.block.ptr:#x}: {pages} of its own"
        text = f"{head} -> {self.block.ptr:#x} from {self.cache.name}"
        if self.source == NEW:
            text += f", a new slab on {frames_words(self.grant.frames)}"
        return text


def large_pages(layout: Layout) -> int:
    """The pages a large request takes: a power of two holding its size and alignment."""
    need = max(layout.size, layout.align, 1)
    pages = -(-need // PAGE_SIZE)
    return 1 << (pages - 1).bit_length()


def _slab_words(cache: CacheInfo) -> str:
    leftover = cache.slab_bytes - cache.per_slab * cache.size
    words = f"{plural(cache.pages, 'page')} ({cache.per_slab:,} objects of {cache.size:,} B"
    return words + (f", {leftover:,} B left over)" if leftover else ")")


@_event
class SlabRelease(_Unchanged):
    """`kfree(ptr)`: the object back on its slab's free list (`was_full`: the slab then
    joins the partial list); a slab left with no object in use is kept (`kept`) or gives
    its pages back (`grant`). `index` is where it stood in the partial list (undo puts
    it back there). A large block (`cache` None) gives its pages back."""

    block: Allocation
    cache: CacheInfo | None
    slab: int | None
    was_full: bool
    kept: bool
    index: int | None
    grant: PageGrant | None
    dropped: object | None
    """The slab whose pages went back, for undo: nothing changes it once it is dropped
    (a new slab is a new object), so its free list is as the free left it."""
    in_use: int
    page_base: int
    serial: int

    failed = False
    layer = HEAP

    @property
    def ptr(self) -> int:
        return self.block.ptr

    @property
    def layout(self) -> Layout:
        return self.block.layout

    @property
    def frames_given(self) -> tuple[int, ...]:
        return () if self.grant is None else self.grant.frames

    @property
    def frame_events(self) -> tuple:
        return () if self.grant is None else (self.grant.event,)

    @property
    def blocks_freed(self) -> tuple[Allocation, ...]:
        return (self.block,)

    @property
    def steps(self) -> tuple[Note, ...]:
        cache, ptr = self.cache, self.block.ptr
        if cache is None:
            reason = f"{ptr:#x} is a large block: its pages go back to the frame allocator"
            return Note("large", reason, None, "free:large"), grant_note(
                self.grant, self.page_base, "free:large"
            )
        start = self.page_base + self.slab * PAGE_SIZE
        reason = f"{ptr:#x} is in {cache.name}'s slab at {start:#x}: its page tells which slab"
        steps = [Note("find", reason, (start, start + cache.slab_bytes), "free:find")]
        reason = (
            f"push it at the front of the slab's free list: {self.in_use:,} of "
            f"{cache.per_slab:,} objects in use"
        )
        steps.append(Note("push", reason, (ptr, ptr + cache.size), "free:push"))
        if self.in_use == 0:
            if self.kept:
                reason = "no object of the slab is in use: it is kept empty, for the next new slab"
                steps.append(Note("empty", reason, None, "free:keep"))
            else:
                reason = "no object of the slab is in use: its pages go back to the frame allocator"
                steps.append(Note("release", reason, None, "free:release"))
                steps.append(grant_note(self.grant, self.page_base, "free:unmap"))
        elif self.was_full:
            reason = "the slab was full: it joins the front of the partial list"
            steps.append(Note("partial", reason, None, "free:partial"))
        return tuple(steps)

    def describe(self) -> str:
        head = f"kfree({self.block.ptr:#x})"
        if self.cache is None:
            return f"{head}: {plural(len(self.grant.frames), 'page')} given back"
        text = f"{head}: back to {self.cache.name}"
        if self.grant is not None:
            text += f"; the slab is empty: {frames_words(self.grant.frames)} given back"
        return text


def cache_label(cache: CacheInfo, slabs: int) -> str:
    """A cache's name, object size and slabs, as its row is headed."""
    return f"{cache.name} · {plural(slabs, 'slab')} of {format_size(cache.slab_bytes)}"


class SlabReallocation(HeapReallocation):
    """`krealloc` of a size its object cannot hold: a new object (`allocation`, a
    `SlabAllocation`), copy, free the old (`release`); the old stays if none is free.
    A slab searches no list: no search for the views to show."""

    __slots__ = ()

    @property
    def search(self) -> None:
        return None

    @property
    def frames_taken(self) -> tuple[int, ...]:
        """A new slab's (or pages') frames, for the grid and the step walk."""
        return self.allocation.frames_taken if self.release is not None else ()

    @property
    def frames_given(self) -> tuple[int, ...]:
        """The old object's slab's frames, if it emptied."""
        return () if self.release is None else self.release.frames_given

    @property
    def frame_events(self) -> tuple:
        if self.release is None:
            return ()
        return self.allocation.frame_events + self.release.frame_events

    @property
    def steps(self) -> tuple:
        reason = (
            f"{self.new_size:,} B does not fit in the {self.old.size:,} B the object at "
            f"{self.ptr:#x} has: krealloc takes a new one, copies, and frees the old"
        )
        return (Note("realloc", reason, None, "realloc:move"), *HeapReallocation.steps.fget(self))


@_event
class SlabResize(_Unchanged):
    """`krealloc(ptr, new_size)` that keeps its object, as Linux's does when the new size
    fits in the bytes the object already has (its cache's object size, or a large
    block's pages: `ksize`). `block` is its record after; `cache` None: a large block."""

    old: Allocation
    block: Allocation
    cache: CacheInfo | None
    serial: int

    failed = False
    layer = HEAP

    @property
    def ptr(self) -> int:
        return self.old.ptr

    @property
    def new_ptr(self) -> int:
        return self.block.ptr

    @property
    def blocks_made(self) -> tuple[Allocation, ...]:
        return (self.block,)

    @property
    def blocks_freed(self) -> tuple[Allocation, ...]:
        return (self.old,)

    @property
    def steps(self) -> tuple[Note, ...]:
        has = "its pages" if self.cache is None else f"{self.cache.name}'s objects"
        reason = (
            f"{self.block.layout.size:,} B fits in the {self.old.size:,} B the object at "
            f"{self.ptr:#x} has ({has}): krealloc keeps it where it is"
        )
        return (Note("keep", reason, (self.ptr, self.ptr + self.old.size), "realloc:keep"),)

    def describe(self) -> str:
        return (
            f"krealloc({self.ptr:#x}, {self.block.layout.size:,}) -> {self.ptr:#x}: it fits "
            f"in its {self.old.size:,} B"
        )

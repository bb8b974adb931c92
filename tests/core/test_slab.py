"""The slab allocator on a machine: its rules by hand, then random operations against
the plain reference (`slab_reference.ReferenceSlab`), undo included.

By hand: which cache a request goes to, partial slabs before an empty one before a
new one, each slab's free list last in first out, a full slab rejoining the front of
the partial list, an emptied slab's frames going back to the frame allocator (or the
slab kept), a new slab failing for want of frames or of room with nothing changed,
the byte accounting, and the words of every event.

At random, on small machines whose frames run out (a bitmap or a buddy below, frames
also taken and freed by hand): after every step the heap and the reference hold the
same objects at the same addresses, the same slabs in the same lists in the same
order, the same frame behind each page and the same frames used; every mapped page's
frame is used, every slab's pages are mapped; undoing everything gives back the
first state exactly, the frame allocator's included.
"""

from __future__ import annotations

import copy
from functools import partial

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import event as note_case
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule, run_state_machine_as_test

from orbita_gui.core import registry
from orbita_gui.core.addresses import Frame
from orbita_gui.core.allocators.slab import SlabHeap
from orbita_gui.core.errors import (
    HeapFrameError,
    InvalidFreeError,
    InvalidParameterError,
    RevertError,
)
from orbita_gui.core.events import FRAMES
from orbita_gui.core.layout import ISIZE_MAX, Layout
from orbita_gui.core.listing import listing
from orbita_gui.core.machine import Machine
from orbita_gui.core.protocols import SizeClassHeap
from orbita_gui.core.units import format_size, plural

from .explaining import reasons
from .slab_reference import (
    KMALLOC,
    PAGE,
    UNMAPPED,
    RefBitmapFrames,
    RefBuddyFrames,
    ReferenceSlab,
)
from .undo_rules import UndoRules

LISTING = listing("slab.txt")
START = 0x10000


def machine(
    heap_pages: int = 16,
    memory_frames: int = 32,
    frames: str = "bitmap",
    heap_start: int = START,
    heap_size: int | None = None,
    **params,
) -> Machine:
    return Machine(
        memory_frames * PAGE,
        heap_start,
        heap_pages * PAGE if heap_size is None else heap_size,
        heap="slab",
        heap_params=params,
        frames=frames,
    )


def explained(event) -> list[str]:
    """The event's reasons, checked (`explaining.reasons`)."""
    return reasons(event, LISTING)


def lines(event) -> list[str]:
    explained(event)
    return [step.code_line for step in event.steps]


def alloc(m: Machine, size: int, align: int = 8):
    event = m.heap.allocate_event(Layout(size, align))
    explained(event)
    return event


def free(m: Machine, ptr: int):
    event = m.heap.deallocate_event(ptr, m.heap.allocations()[ptr].layout)
    explained(event)
    return event


def cache(heap: SlabHeap, name: str):
    return next(c for c in heap.caches if c.info.name == name)


def partial_list(heap: SlabHeap, name: str) -> list[int]:
    """The first pages of a cache's partial slabs, head first."""
    return list(reversed(cache(heap, name).partial))


def empty_list(heap: SlabHeap, name: str) -> list[int]:
    return list(reversed(cache(heap, name).empty))


def row(heap: SlabHeap, name: str) -> list[int]:
    """A cache's free objects as its size-class row lists them."""
    return next(list(c.starts) for c in heap.size_classes() if c.label.startswith(name + " "))


def slabs(heap: SlabHeap) -> list[tuple[str, int, int]]:
    """Every slab: its cache's name, first page and objects in use, by first page (read
    off the heap's map of pages to slabs, full slabs included)."""
    seen = {id(slab): slab for slab in heap._slab_at.values()}
    return sorted(((s.cache.info.name, s.first, s.used) for s in seen.values()), key=lambda r: r[1])


def frame_state(m: Machine):
    frames = m.frames
    if m.frames_kind == "bitmap":
        extra = (frames.next_free,)
    else:
        sets = [list(frames.free_blocks(order)) for order in range(frames.top_order + 1)]
        extra = (sets, dict(frames.live_blocks()))
    return (frames.bitmap().tolist(), frames.stats(), *extra)


def state(m: Machine):
    """Everything the heap and the frame allocator below it hold."""
    heap = m.heap
    classes = [(c.label, tuple(c.starts), tuple(c.sizes)) for c in heap.size_classes()]
    lists = {c.info.name: (list(c.partial), list(c.empty)) for c in heap.caches}
    return (
        frame_state(m),
        m.heap_frames.tolist(),
        m.pages.mapped,
        classes,
        lists,
        dict(heap.allocations()),
        heap.stats(),
        slabs(heap),
    )


def accounted(m: Machine) -> None:
    """Every byte of the heap's range in exactly one place; every mapped page's frame
    used, once; every slab's and large block's pages mapped."""
    stats = m.heap.stats()
    assert stats.allocated + stats.free + stats.lost + stats.unmapped == stats.total
    table = m.heap_frames.tolist()
    mapped = [frame for frame in table if frame != UNMAPPED]
    assert len(mapped) == len(set(mapped)) == m.pages.mapped
    assert stats.unmapped == m.heap.heap_size - len(mapped) * PAGE
    bitmap = m.frames.bitmap()
    for page, frame in enumerate(table):
        if frame != UNMAPPED:
            assert bitmap[frame] == 1 and m.page_of_frame(frame) == page
    for page, slab in m.heap._slab_at.items():
        assert table[page] != UNMAPPED and slab.first <= page < slab.first + slab.cache.info.pages
    for name, first, _ in slabs(m.heap):
        pages = cache(m.heap, name).info.pages
        assert all(m.heap._slab_at[page].first == first for page in range(first, first + pages))
    for ptr, block in m.heap.allocations().items():
        first = (ptr - m.page_base) // PAGE
        assert all(table[p] != UNMAPPED for p in range(first, first + -(-block.size // PAGE)))


# Which cache

NAMED = "task_struct:1856,obj:100,a:24,big:20000"


@pytest.mark.parametrize(
    ("size", "align", "name", "object_size", "pages", "per_slab"),
    [
        (1856, 8, "task_struct", 1856, 2, 4),
        (1856, 64, "task_struct", 1856, 2, 4),  # 1856 = 64 * 29: its objects are 64-aligned
        (1856, 128, "kmalloc-2048", 2048, 2, 4),
        (1857, 8, "kmalloc-2048", 2048, 2, 4),
        (100, 8, "obj", 104, 1, 39),  # rounded up to 8; the asked size names it
        (104, 8, "kmalloc-128", 128, 1, 32),
        (24, 8, "a", 24, 1, 170),
        (0, 1, "kmalloc-8", 8, 1, 512),
        (9, 1, "kmalloc-16", 16, 1, 256),
        (65, 8, "kmalloc-96", 96, 1, 42),
        (65, 64, "kmalloc-128", 128, 1, 32),  # 96-byte objects are only 32-aligned
        (129, 8, "kmalloc-192", 192, 1, 21),
        (129, 128, "kmalloc-256", 256, 1, 16),  # 192-byte ones only 64-aligned
        (300, 8, "kmalloc-512", 512, 1, 8),
        (1024, 1024, "kmalloc-1024", 1024, 1, 4),
        (8, 4096, "kmalloc-4096", 4096, 4, 4),
        (8, 8192, "kmalloc-8192", 8192, 8, 4),
        (8192, 8, "kmalloc-8192", 8192, 8, 4),
        (20000, 8, "big", 20000, 32, 6),  # 80,000 B need 20 pages: 32
    ],
)
def test_a_request_goes_to_its_named_cache_or_the_smallest_kmalloc_cache_that_holds_it(
    size, align, name, object_size, pages, per_slab
):
    m = machine(heap_pages=64, memory_frames=128, caches=NAMED)
    event = alloc(m, size, align)
    info = event.cache
    assert (info.name, info.size, info.pages, info.per_slab) == (name, object_size, pages, per_slab)
    assert info.named == (name in NAMED)
    first = -(START // PAGE) % pages  # the lowest page aligned to the slab's size
    assert event.source == "new" and event.ptr == START + first * PAGE
    assert event.ptr % (pages * PAGE) == 0 and event.ptr % align == 0
    assert event.frames_taken == tuple(range(pages))
    assert m.heap.allocations()[event.ptr].size == object_size
    asked = f"{size:,} B (align {align})"
    if info.named:
        assert explained(event)[0] == f"{asked} is a {name} object: it comes from the {name} cache"
    else:
        assert explained(event)[0] == (
            f"{asked} goes to {name}: the smallest cache whose objects hold it"
        )
    assert lines(event) == [
        "alloc:named" if info.named else "alloc:cache",
        "alloc:new",
        "alloc:map",
        "alloc:pop",
    ]
    accounted(m)


@pytest.mark.parametrize(
    ("size", "align", "pages"),
    [(8193, 8, 4), (12289, 8, 4), (16385, 8, 8), (8, 16384, 4), (20000, 32768, 8), (1, 65536, 16)],
)
def test_a_larger_request_takes_a_power_of_two_pages_of_its_own(size, align, pages):
    m = machine(heap_pages=64, memory_frames=128)
    alloc(m, 8)  # page 0: the large block goes to the next run aligned to its pages
    event = alloc(m, size, align)
    assert event.cache is None and event.source == "large"
    assert event.ptr == START + pages * PAGE and event.ptr % align == 0  # page 0 is taken
    first = pages
    assert event.frames_taken == tuple(range(1, pages + 1))
    assert m.heap_frames[first : first + pages].tolist() == list(range(1, pages + 1))
    assert m.heap.allocations()[event.ptr].size == pages * PAGE
    why = "is larger than the largest" if size > 8192 else "needs an alignment no cache's"
    assert why in explained(event)[0]
    assert lines(event)[0] == "alloc:large" and explained(event)[1] == (
        f"{plural(pages, 'page')} at {event.ptr:#x} mapped to frames 1-{pages}"
    )
    stats = m.heap.stats()
    assert stats.allocated == 8 + pages * PAGE and stats.requested == 8 + size
    accounted(m)
    release = free(m, event.ptr)
    assert release.frames_given == tuple(range(1, pages + 1))
    assert lines(release)[0] == "free:large"
    assert m.frames.stats().used_frames == 1 and m.pages.mapped == 1
    accounted(m)


def test_a_named_cache_is_one_of_exactly_its_size_asked():
    heap = registry.create("slab", caches="a:24,c:1000")
    heap.init(START, 64 * PAGE)
    names = [c.info.name for c in heap.caches]
    assert names == [f"kmalloc-{s}" for s in KMALLOC] + ["a", "c"]
    assert heap.cache_for(Layout(24, 8)).info.name == "a"
    assert heap.cache_for(Layout(1000, 8)).info.name == "c"
    assert heap.cache_for(Layout(1000, 16)).info.name == "kmalloc-1024"  # 1000 = 8 * 125
    assert heap.cache_for(Layout(1001, 8)).info.name == "kmalloc-1024"
    assert heap.cache_for(Layout(8193, 1)) is None
    assert heap.params == {"caches": "a:24,c:1000", "keep_empty": False}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("task_struct", "is not NAME:SIZE"),
        ("x:7", "is not NAME:SIZE"),
        ("x:1048577", "is not NAME:SIZE"),
        ("1x:64", "is not NAME:SIZE"),
        ("x:64,x:128", "'x' is given twice"),
        ("a:24,b:24", "a has 24-byte objects already"),
        (64, "caches is text"),
    ],
)
def test_named_caches_are_name_colon_size_words(text, match):
    with pytest.raises(InvalidParameterError, match=match):
        SlabHeap(caches=text)


# Which slab, which object


def test_objects_come_from_a_partial_slab_then_an_empty_one_then_a_new_one():
    m = machine(keep_empty=True)
    slab0 = [alloc(m, 1024) for _ in range(4)]  # kmalloc-1024: 4 objects a page
    assert [e.source for e in slab0] == ["new", "partial", "partial", "partial"]
    assert [e.ptr for e in slab0] == [START + k * 1024 for k in range(4)]  # address order
    assert [e.in_use for e in slab0] == [1, 2, 3, 4]
    assert "the slab is full and leaves the partial list" in explained(slab0[-1])[-1]
    assert partial_list(m.heap, "kmalloc-1024") == []
    first = alloc(m, 1000)
    assert first.source == "new" and first.ptr == START + PAGE and first.frames_taken == (1,)
    release = free(m, first.ptr)  # the slab is empty: kept
    assert release.kept and release.grant is None and release.frames_given == ()
    assert lines(release) == ["free:find", "free:push", "free:keep"]
    assert empty_list(m.heap, "kmalloc-1024") == [1] and m.heap_frames[1] == 1
    free(m, slab0[2].ptr)  # the full slab is partial again
    assert partial_list(m.heap, "kmalloc-1024") == [0]
    taken = alloc(m, 1024)
    assert (taken.source, taken.ptr) == ("partial", slab0[2].ptr)  # partial before empty
    assert "partial slabs come first" in explained(taken)[1]
    reused = alloc(m, 1024)
    assert (reused.source, reused.ptr, reused.frames_taken) == ("empty", START + PAGE, ())
    assert lines(reused) == ["alloc:cache", "alloc:empty", "alloc:pop"]
    assert empty_list(m.heap, "kmalloc-1024") == [] and partial_list(m.heap, "kmalloc-1024") == [1]
    for _ in range(3):
        assert alloc(m, 1024).source == "partial"
    new = alloc(m, 1024)
    assert (new.source, new.ptr, new.frames_taken) == ("new", START + 2 * PAGE, (2,))
    assert m.frames.stats().used_frames == 3
    accounted(m)


def test_kept_slabs_wait_at_the_front_of_the_empty_list_latest_first():
    m = machine(keep_empty=True)
    objects = [alloc(m, 2048).ptr for _ in range(12)]  # slabs at pages 0, 2 and 4, full
    for ptr in objects[4:8] + objects[:4]:  # the slab at page 2 empties, then page 0's
        free(m, ptr)
    assert empty_list(m.heap, "kmalloc-2048") == [0, 2]
    assert partial_list(m.heap, "kmalloc-2048") == []
    assert m.frames.stats().used_frames == 6  # kept: no frame given back
    assert row(m.heap, "kmalloc-2048") == objects[3::-1] + objects[7:3:-1]
    first = alloc(m, 2048)
    assert (first.source, first.ptr) == ("empty", objects[3])
    assert empty_list(m.heap, "kmalloc-2048") == [2]
    assert partial_list(m.heap, "kmalloc-2048") == [0]
    for ptr in objects[2::-1]:
        assert alloc(m, 2048).ptr == ptr
    last = alloc(m, 2048)  # the slab at page 0 is full: the kept one at page 2 is next
    assert (last.source, last.ptr) == ("empty", objects[7])


def test_a_slabs_free_list_is_last_in_first_out():
    m = machine()
    x, y, z = (alloc(m, 64).ptr for _ in range(3))
    assert (x, y, z) == (START, START + 64, START + 128)
    free(m, x)
    release = free(m, z)
    assert explained(release)[1] == (
        "push it at the front of the slab's free list: 1 of 64 objects in use"
    )
    assert row(m.heap, "kmalloc-64")[:3] == [z, x, START + 192]
    assert [alloc(m, 60).ptr for _ in range(3)] == [z, x, START + 192]
    assert explained(m.heap.allocate_event(Layout(64, 64)))[-1] == (
        f"pop the object at {START + 256:#x}, the head of the slab's free list: "
        "5 of 64 objects now in use"
    )


def test_a_full_slab_that_gets_an_object_back_joins_the_front_of_the_partial_list():
    m = machine()
    objects = [alloc(m, 1024).ptr for _ in range(9)]  # slabs at pages 0 and 1 full, 2 partial
    assert partial_list(m.heap, "kmalloc-1024") == [2]
    release = free(m, objects[1])
    assert release.was_full and lines(release)[-1] == "free:partial"
    assert explained(release)[-1] == "the slab was full: it joins the front of the partial list"
    assert partial_list(m.heap, "kmalloc-1024") == [0, 2]
    free(m, objects[6])
    assert partial_list(m.heap, "kmalloc-1024") == [1, 0, 2]
    free(m, objects[3])  # a partial slab stays where it is
    release = free(m, objects[5])
    assert not release.was_full and lines(release) == ["free:find", "free:push"]
    assert partial_list(m.heap, "kmalloc-1024") == [1, 0, 2]
    assert row(m.heap, "kmalloc-1024") == [
        objects[5],
        objects[6],
        objects[3],
        objects[1],
        START + 2 * PAGE + 1024,
        START + 2 * PAGE + 2048,
        START + 2 * PAGE + 3072,
    ]
    assert alloc(m, 1024).ptr == objects[5]


def test_undoing_a_free_from_a_full_slab_takes_it_off_the_partial_list_again():
    m = machine()
    objects = [alloc(m, 1024).ptr for _ in range(4)]
    before = state(m)
    release = free(m, objects[2])
    assert partial_list(m.heap, "kmalloc-1024") == [0]
    m.heap.revert(release)
    assert partial_list(m.heap, "kmalloc-1024") == [] and state(m) == before
    assert alloc(m, 1024).source == "new"


@pytest.mark.parametrize("frames", ["bitmap", "buddy"])
def test_an_emptied_slab_gives_its_frames_back_to_the_frame_allocator(frames):
    m = machine(heap_pages=12, memory_frames=16, frames=frames)
    big = alloc(m, 2048)  # pages 0 and 1
    hand = m.frames.allocate_frame_event()
    small = alloc(m, 8)  # page 2
    assert (big.frames_taken, hand.frames_taken, small.frames_taken) == ((0, 1), (2,), (3,))
    assert m.heap_frames[:4].tolist() == [0, 1, 3, UNMAPPED]
    assert m.frames.bitmap()[:5].tolist() == [1, 1, 1, 1, 0]
    with pytest.raises(HeapFrameError, match="backs heap page"):
        m.free_frame_event(Frame.from_number(1))
    release = free(m, big.ptr)
    assert release.frames_given == (0, 1) and release.grant.first == 0
    assert lines(release) == ["free:find", "free:push", "free:release", "free:unmap"]
    assert explained(release)[-1] == (
        f"2 pages at {START:#x} unmapped: frames 0, 1 given back to the frame allocator"
    )
    assert release.describe() == (
        f"kfree({big.ptr:#x}): back to kmalloc-2048; the slab is empty: frames 0, 1 given back"
    )
    assert m.heap_frames[:4].tolist() == [UNMAPPED, UNMAPPED, 3, UNMAPPED]
    assert m.frames.bitmap()[:5].tolist() == [0, 0, 1, 1, 0]
    assert m.frames.stats().used_frames == 2 and m.pages.mapped == 1
    assert m.page_of_frame(0) is None and m.page_of_frame(3) == 2
    assert cache(m.heap, "kmalloc-2048").slabs == 0 and slabs(m.heap) == [("kmalloc-8", 2, 1)]
    assert m.heap.stats().unmapped == 11 * PAGE
    accounted(m)
    assert m.frames.allocate_frame_event().frames_taken == (0,)  # free again


def test_with_keep_empty_an_emptied_slab_keeps_its_frames_for_the_next_allocation():
    m = machine(heap_pages=12, memory_frames=16, keep_empty=True)
    big = alloc(m, 2048)
    m.frames.allocate_frame_event()
    alloc(m, 8)
    before = m.frames.bitmap().tolist()
    release = free(m, big.ptr)
    assert release.kept and release.frames_given == () and release.in_use == 0
    assert explained(release)[-1] == (
        "no object of the slab is in use: it is kept empty, for the next new slab"
    )
    assert m.frames.bitmap().tolist() == before and m.heap_frames[:2].tolist() == [0, 1]
    assert empty_list(m.heap, "kmalloc-2048") == [0]
    stats = m.heap.stats()
    assert (stats.allocated, stats.free, stats.free_regions) == (8, 4 * 2048 + 511 * 8, 515)
    other = alloc(m, 4096)  # another cache never takes a kept slab's pages
    assert other.ptr == START + 4 * PAGE and other.frames_taken == (4, 5, 6, 7)
    again = alloc(m, 2048)
    assert (again.source, again.ptr) == ("empty", big.ptr)
    accounted(m)


# When a new slab cannot be had


def test_a_new_slab_fails_with_nothing_changed_when_the_bitmap_has_too_few_frames():
    m = machine(heap_pages=12, memory_frames=16)
    for frame in range(15):
        assert m.frames.allocate_frame_event().frames_taken == (frame,)
    before = state(m)
    event = alloc(m, 2048)
    assert event.failed and event.source == "no-frames" and event.ptr is None
    assert event.describe() == "kmalloc(2,048, align 8) -> null: out of frames"
    assert lines(event) == ["alloc:cache", "alloc:none"]
    assert explained(event)[-1] == (
        "the frame allocator has not 2 free frames left: kmalloc returns null"
    )
    assert state(m) == before  # the first page's frame given back, next_free as it was
    assert m.frames.next_free == 15
    m.heap.revert(event)  # nothing to undo
    assert state(m) == before
    small = alloc(m, 8)
    assert small.frames_taken == (15,) and m.heap_frames[0] == 15
    assert alloc(m, 16).source == "no-frames"
    accounted(m)


def test_a_new_slab_fails_when_the_buddy_has_no_block_of_its_pages():
    m = machine(heap_pages=12, memory_frames=16, frames="buddy")
    for frame in range(16):
        assert m.frames.allocate_frame_event().frames_taken == (frame,)
    m.free_frame_event(Frame.from_number(1))
    m.free_frame_event(Frame.from_number(2))  # two free frames, not buddies
    before = state(m)
    event = alloc(m, 2048)
    assert event.source == "no-block" and state(m) == before
    assert explained(event)[-1] == (
        "the buddy allocator has no free block of 2 frames: kmalloc returns null"
    )
    assert alloc(m, 8).frames_taken == (1,) and alloc(m, 16).frames_taken == (2,)
    assert m.heap_frames[:3].tolist() == [1, 2, UNMAPPED]
    accounted(m)


def test_a_new_slab_fails_when_the_heaps_range_has_no_aligned_run_of_unmapped_pages():
    # Pages 0x11000 to 0x14000; the whole ones are 0x12000 to 0x14000.
    m = machine(heap_start=0x11800, heap_size=0x3800, memory_frames=16)
    assert len(m.heap_frames) == 4
    first = alloc(m, 2048)
    assert first.ptr == 0x12000 and first.slab == 1  # aligned to 2 pages in address
    for _ in range(3):
        alloc(m, 2048)
    before = state(m)
    event = alloc(m, 2048)
    assert event.source == "no-room" and state(m) == before
    assert event.describe() == "kmalloc(2,048, align 8) -> null: no room in the heap"
    assert explained(event)[-1] == (
        "the heap's range has no run of 2 whole unmapped pages, aligned to its size, left: "
        "kmalloc returns null"
    )
    assert alloc(m, 8).ptr == 0x14000
    assert alloc(m, 16).source == "no-room" and alloc(m, 9000).source == "no-room"
    assert alloc(m, ISIZE_MAX - 8191).source == "no-room"
    assert m.heap_frames.tolist() == [UNMAPPED, 0, 1, 2]
    stats = m.heap.stats()
    assert (stats.total, stats.unmapped, stats.free) == (0x3800, 0x800, 511 * 8)
    accounted(m)


# Bytes, frames, words


def test_the_stats_count_objects_free_objects_leftovers_and_unmapped_pages():
    m = machine(caches="task_struct:1856")
    task = alloc(m, 1856)
    small = alloc(m, 65)
    assert (task.ptr, small.ptr) == (START, START + 2 * PAGE)
    stats = m.heap.stats()
    assert stats.allocated == 1856 + 96 and stats.requested == 1856 + 65
    assert stats.free == 3 * 1856 + 41 * 96 and stats.free_regions == 3 + 41
    assert stats.lost == (8192 - 4 * 1856) + (4096 - 42 * 96) == 768 + 64
    assert stats.unmapped == 13 * PAGE and stats.largest_free == 1856
    assert stats.allocated + stats.free + stats.lost + stats.unmapped == stats.total
    assert "(4 objects of 1,856 B, 768 B left over)" in explained(task)[1]
    free(m, task.ptr)
    stats = m.heap.stats()
    assert (stats.allocated, stats.lost, stats.largest_free) == (96, 64, 96)
    assert stats.unmapped == 15 * PAGE


def test_a_new_slab_is_told_cache_slab_pages_and_object():
    m = machine(caches="task_struct:1856")
    m.frames.allocate_frame_event()
    event = alloc(m, 1856)
    assert explained(event) == [
        "1,856 B (align 8) is a task_struct object: it comes from the task_struct cache",
        "no partial slab, no empty one: a new slab of 2 pages (4 objects of 1,856 B, 768 B "
        "left over), its pages taken from the frame allocator",
        f"2 pages at {START:#x} mapped to frames 1, 2",
        f"pop the object at {START:#x}, the head of the slab's free list: 1 of 4 objects "
        "now in use",
    ]
    assert event.describe() == (
        f"kmalloc(1,856, align 8) -> {START:#x} from task_struct, a new slab on frames 1, 2"
    )
    classes = m.heap.size_classes()
    assert isinstance(m.heap, SizeClassHeap) and len(classes) == 1  # rows of caches in use
    assert classes[-1].label == "task_struct · 1 slab of 8 KiB"
    assert list(classes[-1].starts) == [START + k * 1856 for k in range(1, 4)]
    assert list(classes[-1].sizes) == [1856] * 3


@pytest.mark.parametrize("frames", ["bitmap", "buddy"])
def test_every_slabs_frames_are_allocated_in_the_frame_allocator_and_freed_back(frames):
    m = machine(heap_pages=32, memory_frames=64, frames=frames, caches="t:1856,o:100")
    hand = []
    live = []
    for k, size in enumerate([8, 1856, 100, 4096, 3000, 8, 9000, 200, 1856, 64, 20000]):
        live.append(alloc(m, size).ptr)
        if k % 3 == 0:
            hand.append(m.frames.allocate_frame_event().frames_taken[0])
    assert len(slabs(m.heap)) == 6  # 8 t o 4096 256 64, 9000 and 20000 B large
    table = m.heap_frames.tolist()
    bitmap = m.frames.bitmap().tolist()
    for name, first, used in slabs(m.heap):
        pages = range(first, first + cache(m.heap, name).info.pages)
        assert used >= 1 and all(bitmap[table[p]] == 1 for p in pages)
        if frames == "buddy":  # one block: contiguous frames
            assert [table[p] for p in pages] == list(range(table[first], table[first] + len(pages)))
    assert not set(hand) & set(table)
    accounted(m)
    assert m.frames.stats().used_frames == m.pages.mapped + len(hand)
    for ptr in live:
        free(m, ptr)
    assert m.pages.mapped == 0 and set(m.heap_frames.tolist()) == {UNMAPPED}
    assert slabs(m.heap) == [] and m.frames.stats().used_frames == len(hand)
    assert [n for n, used in enumerate(m.frames.bitmap().tolist()) if used] == hand
    assert m.heap.stats().unmapped == m.heap.stats().total


def test_a_failed_realloc_keeps_the_old_object():
    m = machine(heap_pages=1, memory_frames=16)
    old = alloc(m, 8).ptr
    before = state(m)
    event = m.heap.realloc_event(old, Layout(8, 8), 100)
    assert event.failed and event.new_ptr is None and event.allocation.source == "no-room"
    assert not event.blocks_made and not event.blocks_freed
    explained(event)
    assert state(m) == before and old in m.heap.allocations()
    m.heap.revert(event)
    assert state(m) == before


def test_a_realloc_moves_then_frees_and_undoes_exactly():
    m = machine(heap_pages=2, memory_frames=16)
    old = alloc(m, 8).ptr
    before = state(m)
    event = m.heap.realloc_event(old, Layout(8, 8), 100)
    assert event.new_ptr == START + PAGE and event.allocation.cache.name == "kmalloc-128"
    assert event.release.frames_given == (0,)  # the old slab emptied
    assert lines(event)[-2:] == ["free:release", "free:unmap"]
    assert m.heap_frames.tolist() == [UNMAPPED, 1]
    m.heap.revert(event)
    assert state(m) == before


def test_a_realloc_that_fits_in_its_objects_bytes_keeps_it_as_krealloc_does():
    m = machine(heap_pages=8, memory_frames=16)
    small, large = alloc(m, 24).ptr, alloc(m, 9000).ptr
    before = state(m)
    kept = m.heap.realloc_event(small, Layout(24, 8), 32)
    assert kept.new_ptr == small and m.heap.allocations()[small].layout == Layout(32, 8)
    assert lines(kept) == ["realloc:keep"] and "kmalloc-32's objects" in explained(kept)[0]
    assert m.heap.stats().requested == 32 + 9000 and kept.blocks_freed[0].layout.size == 24
    grown = m.heap.realloc_event(large, Layout(9000, 8), 16384)  # its 4 pages hold it
    assert grown.new_ptr == large and not grown.frames_taken and "its pages" in explained(grown)[0]
    m.heap.revert(grown)
    m.heap.revert(kept)
    assert state(m) == before
    moved = m.heap.realloc_event(small, Layout(24, 8), 33)
    assert moved.new_ptr != small and lines(moved)[0] == "realloc:move"


def test_undo_puts_back_lists_orders_and_frames():
    m = machine(heap_pages=12, memory_frames=16)
    objects = [alloc(m, 1024).ptr for _ in range(9)]  # pages 0, 1 full, 2 partial
    free(m, objects[6])
    free(m, objects[1])  # partial: [0, 1, 2]
    m.frames.allocate_frame_event()
    for ptr in objects[4:6]:
        free(m, ptr)
    before = state(m)
    emptied = free(m, objects[7])  # the slab at page 1 empties from the middle of the list
    assert emptied.index is not None and emptied.frames_given == (1,)
    assert partial_list(m.heap, "kmalloc-1024") == [0, 2]
    m.heap.revert(emptied)
    assert state(m) == before and partial_list(m.heap, "kmalloc-1024") == [0, 1, 2]
    assert m.frames.next_free == 4
    later = free(m, objects[7])
    newest = alloc(m, 8)
    after = state(m)
    with pytest.raises(RevertError, match="is not the latest"):
        m.heap.revert(later)
    assert state(m) == after
    m.heap.revert(newest)
    m.heap.revert(later)
    assert state(m) == before


def test_a_wild_or_double_free_is_refused_before_any_change():
    m = machine()
    ptr = alloc(m, 24).ptr
    free(m, ptr)
    before = state(m)
    with pytest.raises(InvalidFreeError, match="double free or wild pointer"):
        m.heap.deallocate_event(ptr, Layout(24, 8))
    assert state(m) == before


# Random operations against the reference

HUGE = ISIZE_MAX - 65535
"""No heap has room for it."""
ALIGNS = st.one_of(
    st.sampled_from([1, 2, 4, 8, 16]),
    st.sampled_from([8, 32, 64, 128, 256, 1024, 4096, 8192, 16384, 65536]),
)
NAMED_SIZES = (1856, 100, 24, 20000, 600)
FEW = st.sampled_from([512, 1024, 2048, 1856, 600, 4096])
"""Few objects a slab: slabs fill and empty, and go back to the lists' front."""
SIZES = st.one_of(
    FEW,
    FEW,
    st.sampled_from(KMALLOC + NAMED_SIZES),
    st.integers(0, 300),
    st.integers(0, 9000),
    st.integers(8000, 40_000),
)
CACHES = st.sampled_from(
    ["", "task_struct:1856", "obj:100,big:20000,t:1856", "a:24,d:32", "inode:600,dentry:192"]
)


def parse_named(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((w.split(":")[0], int(w.split(":")[1])) for w in text.split(",") if w)


class SlabBesideReference(UndoRules):
    @initialize(data=st.data())
    def start(self, data):
        kind = data.draw(st.sampled_from(["bitmap", "buddy"]), label="frames")
        total = data.draw(st.one_of(st.integers(16, 40), st.sampled_from([16, 32, 64])))
        offset = data.draw(
            st.one_of(st.just(0), st.just(0), st.integers(1, 511).map(lambda k: 8 * k)),
            label="offset in the first page",
        )
        page = data.draw(st.integers(1, 64), label="first page")
        most = (total - 1) * PAGE - offset
        whole = st.integers(max(1, total - 12), total - 1).map(lambda k: k * PAGE)
        size = data.draw(
            st.one_of(whole, whole, st.integers(16, most)),
            label="heap_size",
        )
        size = min(size, most)
        caches = data.draw(CACHES, label="caches")
        keep = data.draw(st.booleans(), label="keep_empty")
        start = page * PAGE + offset
        self.machine = Machine(
            total * PAGE,
            start,
            size,
            heap="slab",
            heap_params={"caches": caches, "keep_empty": keep},
            frames=kind,
        )
        frames = RefBitmapFrames(total) if kind == "bitmap" else RefBuddyFrames(total)
        self.ref = ReferenceSlab(start, size, frames, parse_named(caches), keep)
        self.pool = data.draw(st.lists(st.tuples(SIZES, ALIGNS), min_size=1, max_size=4))
        """A few layouts asked again and again: deep lists, several partial slabs."""
        self.events, self.history = [], []
        self.freed: list[Layout] = []
        """Layouts of objects freed (what to ask for again), undo or not."""
        self.first_state = self.state()

    def state(self):
        return state(self.machine)

    def reverter(self):
        return self.machine

    def apply(self, operation, ref_operation):
        """Both results; the event is kept for undo, with a copy of the reference before."""
        self.history.append(copy.deepcopy(self.ref))
        event = operation()
        self.events.append(event)
        if event.layer == FRAMES:  # (told in the frame allocator's own listing)
            assert event.describe()
        else:
            explained(event)
        return event, ref_operation()

    def live(self, data):
        live = sorted(self.machine.heap.allocations())
        ptr = data.draw(st.sampled_from(live), label="object") if live else None
        if ptr is not None:
            self.freed.append(self.machine.heap.allocations()[ptr].layout)
        return ptr

    @rule(size=SIZES, align=ALIGNS, count=st.integers(1, 6))
    def allocate(self, size, align, count):
        self.allocate_some(size, align, count)

    @rule(data=st.data(), count=st.integers(1, 8))
    def allocate_from_the_pool(self, data, count):
        size, align = data.draw(st.sampled_from(self.pool), label="layout")
        self.allocate_some(size, align, count)

    @precondition(lambda self: self.freed)
    @rule(data=st.data(), count=st.integers(1, 6))
    def allocate_as_freed(self, data, count):
        """The layout of an object freed before: a partial or kept slab to take from."""
        layout = data.draw(st.sampled_from(self.freed[-8:]), label="layout")
        self.allocate_some(layout.size, layout.align, count)

    @rule(align=ALIGNS)
    def allocate_too_much(self, align):
        self.allocate_some(HUGE, align, 1)

    def allocate_some(self, size, align, count):
        for _ in range(count):
            event, (ptr, source, frames) = self.apply(
                partial(self.machine.heap.allocate_event, Layout(size, align)),
                partial(self.ref.allocate, size, align),
            )
            assert (event.ptr, event.source, event.frames_taken) == (ptr, source, tuple(frames))
            note_case(f"allocation: {source}")
            assert ptr is None or ptr % align == 0

    @rule(data=st.data(), count=st.integers(1, 8))
    def deallocate(self, data, count):
        for _ in range(count):
            ptr = self.live(data)
            if ptr is None:
                return
            layout = self.machine.heap.allocations()[ptr].layout
            event, frames = self.apply(
                partial(self.machine.heap.deallocate_event, ptr, layout),
                partial(self.ref.deallocate, ptr),
            )
            assert event.frames_given == tuple(frames)
            emptied = event.cache is not None and event.in_use == 0
            note_case("free: " + ("pages back" if frames else "kept" if emptied else "object"))

    @rule(data=st.data(), count=st.integers(4, 16))
    def deallocate_a_run(self, data, count):
        """The objects from one on, in address order: whole slabs empty, one after the
        other, to be dropped or kept."""
        ptr = self.live(data)
        if ptr is None:
            return
        for ptr in [p for p in sorted(self.machine.heap.allocations()) if p >= ptr][:count]:
            layout = self.machine.heap.allocations()[ptr].layout
            self.freed.append(layout)
            event, frames = self.apply(
                partial(self.machine.heap.deallocate_event, ptr, layout),
                partial(self.ref.deallocate, ptr),
            )
            assert event.frames_given == tuple(frames)

    @rule(data=st.data(), new_size=SIZES)
    def realloc(self, data, new_size):
        ptr = self.live(data)
        if ptr is not None:
            layout = self.machine.heap.allocations()[ptr].layout
            event, expected = self.apply(
                partial(self.machine.heap.realloc_event, ptr, layout, new_size),
                partial(self.ref.realloc, ptr, new_size),
            )
            assert event.new_ptr == expected and event.failed == (expected is None)

    @rule(count=st.one_of(st.just(1), st.integers(1, 9)), times=st.integers(1, 6))
    def allocate_frames(self, count, times):
        """Frames taken by hand, between the heap's, until they may run out: one at a
        time from a bitmap, blocks of `count` from a buddy too."""
        for _ in range(times):
            if self.machine.frames_kind == "bitmap" or count == 1:
                count, operation = 1, self.machine.frames.allocate_frame_event
            else:
                operation = partial(self.machine.allocate_frames_event, count)
            event, start = self.apply(operation, partial(self.ref.allocate_frames, count))
            assert event.frames_taken[:1] == (() if start is None else (start,))
            note_case("frames by hand: " + ("none left" if start is None else "taken"))

    @precondition(lambda self: self.ref.hand)
    @rule(data=st.data())
    def free_frames(self, data):
        start = data.draw(st.sampled_from(sorted(self.ref.hand)), label="hand frame")
        event, _ = self.apply(
            partial(self.machine.free_frame_event, Frame.from_number(start)),
            partial(self.ref.free_frames, start),
        )
        assert event.frames_given[:1] == (start,)

    @precondition(lambda self: self.ref.mapped())
    @rule(data=st.data())
    def free_a_heap_frame(self, data):
        """Refused: the heap uses it."""
        frames = [f for f in self.ref.table if f != UNMAPPED]
        frame = data.draw(st.sampled_from(frames), label="heap frame")
        before = self.state()
        with pytest.raises(HeapFrameError):
            self.machine.free_frame_event(Frame.from_number(frame))
        assert self.state() == before

    @invariant()
    def same_state_as_the_reference(self):
        m, ref = self.machine, self.ref
        heap = m.heap
        blocks = {
            ptr: (block.size, block.layout.size, block.layout.align)
            for ptr, block in heap.allocations().items()
        }
        assert blocks == ref.blocks()
        assert m.heap_frames.tolist() == ref.table
        assert m.frames.bitmap().tolist() == ref.frames.bitmap()
        if m.frames_kind == "bitmap":
            assert m.frames.next_free == ref.frames.next_free
        lists = {
            c.info.name: (list(reversed(c.partial)), list(reversed(c.empty))) for c in heap.caches
        }
        assert lists == ref.lists()
        assert slabs(heap) == ref.slab_rows()
        classes = [(c.label, list(c.starts)) for c in heap.size_classes()]
        expected = [
            (f"{name} · {plural(slabs, 'slab')} of {format_size(slab_bytes)}", starts)
            for name, slabs, slab_bytes, starts in ref.size_classes()
        ]
        assert classes == expected
        stats = heap.stats()
        assert {name: getattr(stats, name) for name in ref.stats()} == ref.stats()

    @invariant()
    def every_byte_and_frame_accounted(self):
        accounted(self.machine)
        hand = set(self.ref.hand)
        assert not hand & set(self.machine.heap_frames.tolist())


def test_the_slab_heap_matches_the_reference_address_for_address():
    run_state_machine_as_test(
        SlabBesideReference,
        settings=settings(
            max_examples=150,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

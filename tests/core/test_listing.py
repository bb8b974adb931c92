"""The code panel's listings: every step of every allocator points at a line of its own
allocator's listing, and the line it points at is the one that does what it says."""

import random

import pytest

from orbita_gui.core import registry
from orbita_gui.core.addresses import FRAME_SIZE, Frame
from orbita_gui.core.layout import Layout
from orbita_gui.core.listing import listing, parse_listing

HEAPS = [
    ("guide", {}),
    ("free-list", {"fit": "next"}),
    ("free-list", {"fit": "best", "order": "addrsort", "coalesce": True}),
    ("free-list", {"fit": "worst", "order": "sizesort-"}),
    ("ostep", {"header": 8, "round_to": 4}),
]


def heap_events(name, params, seed=1, ops=300):
    """The events of random allocations and frees on a small heap, failures included."""
    rng = random.Random(seed)
    heap = registry.create(name, **params)
    heap.init(0x4444_0000, 2048)
    live = []
    events = []
    for _ in range(ops):
        if live and rng.random() < 0.45:
            ptr, layout = live.pop(rng.randrange(len(live)))
            events.append(heap.deallocate_event(ptr, layout))
            continue
        layout = Layout(rng.choice([1, 8, 13, 24, 100, 300, 900]), rng.choice([1, 8, 64]))
        event = heap.allocate_event(layout)
        events.append(event)
        if not event.failed:
            live.append((event.ptr, layout))
    return events


@pytest.mark.parametrize(("name", "params"), HEAPS, ids=lambda p: str(p))
def test_every_heap_step_names_a_tag_of_its_allocators_listing(name, params):
    shown = listing(registry.kind(name).listing)
    tags = set()
    for event in heap_events(name, params):
        for step in event.steps:
            assert step.code_line in shown.tags, (step, shown.name)
            tags.add(step.code_line)
    assert {"find_region:found", "allocate:null"} <= tags
    assert tags & {"find_region:too-small", "find_region:too-small-aligned"}


def test_every_frame_step_names_a_tag_of_the_bitmap_listing():
    frames = registry.create("bitmap", memory_size=4 * FRAME_SIZE)
    shown = listing(registry.kind("bitmap").listing)
    events = [frames.allocate_frame_event() for _ in range(3)]
    events.append(frames.free_frame_event(Frame.from_number(1)))
    events += [frames.allocate_frame_event() for _ in range(3)]  # wraps, then finds none
    lines = {shown.lines[shown.line_of(s.code_line)].strip() for e in events for s in e.steps}
    for event in events:
        for step in event.steps:
            assert step.code_line in shown.tags
    assert "None // Out of memory" in lines
    assert "self.next_free = frame_num;" in lines  # free_frame lowered the hint


def test_the_guides_lines_do_what_the_steps_say():
    heap = registry.create("guide")
    heap.init(0x4444_0000, 4096)
    small = heap.allocate(Layout(16, 8))
    heap.allocate(Layout(64, 8))
    heap.deallocate(small, Layout(16, 8))  # a 16-byte region at the head
    event = heap.allocate_event(Layout(24, 64))
    shown = listing("guide_heap.rs")
    said = [shown.lines[shown.line_of(step.code_line)].strip() for step in event.steps]
    assert said[0].startswith("let (size, align) = LinkedListAllocator::size_align")
    assert said[1] == "current = current.next.as_mut().unwrap();"  # too small: moves on
    assert said[2].startswith("return Some((current.next.take()")
    assert said[3] == "alloc_start as *mut u8"  # the padding in front is lost
    assert said[4] == "self.add_free_region(alloc_end, excess_size);"


def test_tags_are_cut_off_and_unknown_details_fall_back_to_their_function():
    shown = parse_listing("x", "fn f() {  //@f\n    go();  //@f:go\n}\n")
    assert shown.lines == ("fn f() {", "    go();", "}")
    assert shown.line_of("f:go") == 1
    assert shown.line_of("f:elsewhere") == 0
    assert shown.line_of("g") is None
    assert shown.line_of(None) is None
    both = parse_listing("y", "skip  //@f:a f:b\n")
    assert both.line_of("f:a") == both.line_of("f:b") == 0
    with pytest.raises(ValueError, match="x:2: the tag 'f' is given twice"):
        parse_listing("x", "a //@f\nb //@f\n")

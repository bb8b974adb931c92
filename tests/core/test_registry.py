"""The family's seams: every registered allocator meets its protocol, every event and
step explains itself, and a machine is composed by name."""

import numpy as np
import pytest

from orbita_gui.core import Layout, Machine, registry
from orbita_gui.core.errors import InvalidParameterError
from orbita_gui.core.protocols import Event, FrameAllocator, HeapAllocator, Step

HEAPS = list(registry.kinds(registry.HEAP))


def exercise(heap) -> list:
    """A few operations of every kind, some failing, and their events."""
    heap.init(0x10000, 0x8000)
    a = heap.allocate_event(Layout(100, 8))
    b = heap.allocate_event(Layout(40, 64))
    c = heap.allocate_event(Layout(300, 8))
    events = [a, b, c, heap.allocate_event(Layout(1 << 20, 8))]
    events.append(heap.deallocate_event(b.ptr, Layout(40, 64)))
    events.append(heap.deallocate_event(a.ptr, Layout(100, 8)))
    events.append(heap.realloc_event(c.ptr, Layout(300, 8), 500))
    return events


def test_every_kind_is_listed_with_its_layer_and_view():
    assert {"bitmap", "guide", "free-list", "ostep"} <= set(registry.kinds())
    assert set(registry.kinds(registry.FRAMES)) == {"bitmap", "buddy"}
    assert all(kind.view for kind in registry.kinds().values())


@pytest.mark.parametrize("name", HEAPS)
def test_every_heap_meets_the_protocol_and_its_events_explain_themselves(name):
    heap = registry.create(name)
    assert isinstance(heap, HeapAllocator) and heap.kind and heap.params
    for event in exercise(heap):
        assert isinstance(event, Event)
        assert event.describe()
        for step in event.steps:
            assert isinstance(step, Step) and step.kind and step.reason, step
        made = {block.ptr for block in event.blocks_made}
        assert event.failed == (not made and not event.blocks_freed), event.describe()


def test_the_frame_allocator_meets_its_protocol():
    frames = registry.create("bitmap", memory_size=1 << 20)
    assert isinstance(frames, FrameAllocator)
    event = frames.allocate_frame_event()
    assert isinstance(event, Event) and event.frames_taken == (0,)
    assert all(isinstance(step, Step) for step in event.steps)


def test_create_refuses_a_parameter_naming_those_it_takes():
    with pytest.raises(InvalidParameterError, match=r"no parameter 'colour'.*fit, order"):
        registry.create("free-list", colour="red")
    with pytest.raises(InvalidParameterError, match="fit 'sideways' is not one of"):
        registry.create("free-list", fit="sideways")
    with pytest.raises(InvalidParameterError, match="no allocator is called 'tlsf'"):
        registry.create("tlsf")


def test_presets_are_the_free_list_with_their_rules():
    assert registry.create("guide").rules == registry.create("free-list").rules
    ostep = registry.create("ostep").rules
    assert (ostep.fit, ostep.order, ostep.node_rules) == ("best", "addrsort", False)
    assert registry.create("ostep", fit="first").rules.fit == "first"


def test_a_machine_is_composed_by_name_and_maps_its_heap_as_an_operation():
    machine = Machine(
        1 << 20, 0x10000, 10_000, heap="free-list", heap_params={"fit": "worst"}, boot=False
    )
    assert machine.heap.rules.fit == "worst" and machine.heap_kind == "free-list"
    assert machine.frames.used_frames == 0 and not machine.pages.mapped
    event = machine.map_heap_pages()
    assert event.frames_taken == (0, 1, 2) and machine.frames.used_frames == 3
    assert machine.page_of_frame(2) == 2
    frame = machine.frames.allocate_frame_event()
    assert frame.frame_number == 3
    machine.revert(frame)
    machine.revert(event)
    assert machine.frames.used_frames == 0 and machine.page_of_frame(2) is None
    assert np.all(machine.frames.bitmap() == 0)


@pytest.mark.parametrize("node_rules", [True, False])
def test_a_coalescing_free_says_which_range_it_joined(node_rules):
    heap = registry.create("free-list", order="addrsort", coalesce=True, node_rules=node_rules)
    heap.init(0x1000, 1024)
    a, b = (heap.allocate_event(Layout(64, 8)) for _ in range(2))
    heap.allocate_event(Layout(64, 8))
    heap.deallocate_event(a.ptr, Layout(64, 8))
    (merge,) = [
        step for step in heap.deallocate_event(b.ptr, Layout(64, 8)).steps if step.kind == "merge"
    ]
    assert merge.where == (0x1000, 0x1080) and "64 + 64 = 128 B" in merge.reason

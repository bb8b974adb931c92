"""The two defects of the guide's `find_region`, shown on its literal port, and the
intent the core implements instead."""

import pytest

from orbita_gui.core import Layout, LinkedListAllocator

from .guide_port import GuideLinkedListAllocator, GuideLoopsForever

BASE = 0x1000


def free_list_of(regions):
    """A guide-port heap and a core heap whose free lists are `regions`, head first."""
    guide = GuideLinkedListAllocator()
    core = LinkedListAllocator()
    core.init(BASE, sum(size for _, size in regions))
    # Carve the heap into blocks of the given sizes, then free them tail first so
    # the list reads head first in the order given.
    ptrs = [core.allocate(Layout(size, 8)) for _, size in regions]
    for ptr, (_, size) in reversed(list(zip(ptrs, regions, strict=True))):
        core.deallocate(ptr, Layout(size, 8))
    for start, size in reversed(regions):
        guide.add_free_region(start, size)
    return guide, core


def layout_of(regions):
    return [(BASE + sum(s for _, s in regions[:i]), size) for i, (_, size) in enumerate(regions)]


def test_defect_1_continue_does_not_advance():
    """A head region that would leave 8 bytes: the guide's loop looks at it forever."""
    regions = layout_of([(0, 32), (0, 64)])
    guide, core = free_list_of(regions)
    with pytest.raises(GuideLoopsForever):
        guide.allocate(24, 8, as_written=True)
    # Intent: pass over the 32-byte region, take the 64-byte one after it.
    assert core.allocate(Layout(24, 8)) == regions[1][0]
    assert guide.allocate(24, 8) == regions[1][0]


def test_defect_2_take_drops_the_rest_of_the_list():
    """Taking the head region with `take()` unlinks every region after it."""
    regions = layout_of([(0, 64), (0, 48), (0, 96)])
    guide, core = free_list_of(regions)
    assert guide.allocate(16, 8, as_written=True) == regions[0][0]
    # As written, only the 48-byte leftover remains: 144 free bytes vanished.
    assert guide.regions() == [(regions[0][0] + 16, 48)]
    # Intent: only the chosen node leaves the list.
    assert core.allocate(Layout(16, 8)) == regions[0][0]
    assert core.free_regions() == [(regions[0][0] + 16, 48), regions[1], regions[2]]

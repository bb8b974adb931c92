"""Stateful property tests: the fast core against the guide's code ported line by line.

Random sequences of allocations, frees, reallocations and undos; after every
step the core must hold exactly the state the guide port holds, and its own
invariants: blocks never overlap, free regions are disjoint and inside the
heap, and blocks, padding and free regions tile the heap byte for byte.
"""

import copy

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from orbita_gui.core import FRAME_SIZE, Frame, FrameAllocator, Layout, LinkedListAllocator

from .guide_port import GuideFrameAllocator, GuideLinkedListAllocator

machine_settings = settings(max_examples=60, stateful_step_count=60, deadline=None)


class CoreBesideGuide(RuleBasedStateMachine):
    """Runs each operation on the core and on the guide port; undo reverts the core's
    event and puts back a copy of the guide port taken before it."""

    def start_both(self, core, guide):
        self.core, self.guide = core, guide
        self.events, self.history = [], []

    def apply(self, core_operation, guide_operation):
        """Both operations' results; the core's event is kept for undo."""
        self.history.append(copy.deepcopy(self.guide))
        event = core_operation()
        self.events.append(event)
        return event, guide_operation()

    @precondition(lambda self: self.events)
    @rule()
    def undo(self):
        self.core.revert(self.events.pop())
        self.guide = self.history.pop()


class FrameMachine(CoreBesideGuide):
    @initialize(frames=st.integers(1, 70), extra=st.integers(0, FRAME_SIZE - 1))
    def start(self, frames, extra):
        memory = frames * FRAME_SIZE + extra
        self.start_both(FrameAllocator(memory), GuideFrameAllocator(memory))

    @rule()
    def allocate(self):
        event, expected = self.apply(self.core.allocate_frame_event, self.guide.allocate_frame)
        assert (None if event.frame is None else event.frame.start_address.as_u64()) == expected

    @rule(data=st.data())
    def free(self, data):
        used = [n for n in range(self.core.total_frames) if self.core.is_frame_used(n)]
        if not used:
            return
        number = data.draw(st.sampled_from(used))
        self.apply(
            lambda: self.core.free_frame_event(Frame.from_number(number)),
            lambda: self.guide.free_frame(number * FRAME_SIZE),
        )

    @invariant()
    def same_state_as_the_guide(self):
        bits = [self.guide.is_frame_used(n) for n in range(self.guide.total_frames)]
        assert [bool(b) for b in self.core.bitmap()] == bits
        assert self.core.next_free == self.guide.next_free
        assert self.core.stats().used_frames == self.guide.used_frames == sum(bits)

    @invariant()
    def every_frame_below_next_free_is_used(self):
        assert self.core.bitmap()[: self.core.next_free].all()


class HeapMachine(CoreBesideGuide):
    @initialize(start=st.integers(0, 64).map(lambda k: 0x1000 + 8 * k), size=st.integers(16, 2048))
    def start(self, start, size):
        self.start_both(LinkedListAllocator(), GuideLinkedListAllocator())
        self.core.init(start, size)
        self.guide.init(start, size)

    def _live(self, data):
        live = sorted(self.core.allocations().values())
        return data.draw(st.sampled_from(live)) if live else None

    @rule(size=st.integers(0, 300), align=st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]))
    def allocate(self, size, align):
        event, expected = self.apply(
            lambda: self.core.allocate_event(Layout(size, align)),
            lambda: self.guide.allocate(size, align),
        )
        assert event.ptr == expected

    @rule(data=st.data())
    def deallocate(self, data):
        block = self._live(data)
        if block is not None:
            self.apply(
                lambda: self.core.deallocate_event(block.ptr, block.layout),
                lambda: self.guide.deallocate(block.ptr, block.layout.size, block.layout.align),
            )

    @rule(data=st.data(), new_size=st.integers(0, 300))
    def realloc(self, data, new_size):
        block = self._live(data)
        if block is None:
            return

        def guide_realloc():
            new_ptr = self.guide.allocate(new_size, block.layout.align)
            if new_ptr is not None:
                self.guide.deallocate(block.ptr, block.layout.size, block.layout.align)
            return new_ptr

        event, expected = self.apply(
            lambda: self.core.realloc_event(block.ptr, block.layout, new_size), guide_realloc
        )
        assert event.new_ptr == expected

    @invariant()
    def same_free_list_as_the_guide(self):
        assert self.core.free_regions() == self.guide.regions()

    def _paddings(self):
        """`(start, size)` of the padding of every allocation still applied: lost for good."""
        allocations = [getattr(event, "allocation", event) for event in self.events]
        return [(a.chosen[0], a.padding) for a in allocations if getattr(a, "chosen", None)]

    @invariant()
    def blocks_padding_and_free_regions_tile_the_heap(self):
        pieces = self.core.free_regions() + [p for p in self._paddings() if p[1]]
        pieces += [(block.ptr, block.size) for block in self.core.allocations().values()]
        cursor = self.core.heap_start
        for start, size in sorted(pieces):
            assert start == cursor, "a gap or an overlap"
            cursor = start + size
        assert cursor == self.core.heap_start + self.core.heap_size

    @invariant()
    def accounting_identity(self):
        stats = self.core.stats()
        blocks = self.core.allocations().values()
        regions = self.core.free_regions()
        assert stats.allocated == sum(b.size for b in blocks)
        assert stats.lost == sum(size for _, size in self._paddings())
        assert stats.free == sum(size for _, size in regions)
        assert stats.requested == sum(b.layout.size for b in blocks)
        assert stats.allocated + stats.free + stats.lost == stats.total
        assert stats.free_regions == len(regions)
        assert stats.largest_free == max((size for _, size in regions), default=0)


TestFrameAllocatorMatchesTheGuide = FrameMachine.TestCase
TestFrameAllocatorMatchesTheGuide.settings = machine_settings
TestHeapAllocatorMatchesTheGuide = HeapMachine.TestCase
TestHeapAllocatorMatchesTheGuide.settings = machine_settings

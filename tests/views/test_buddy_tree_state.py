"""The split tree of a buddy operation, without a display: the blocks an allocation split
and a release merged, what became of each, and the node each step points at, checked
against the allocator's own state right after the operation."""

import random

import pytest

from orbita_gui.core import Layout, Machine
from orbita_gui.core.addresses import FRAME_SIZE, Frame
from orbita_gui.core.allocators.buddy_frames import BuddyFrames
from orbita_gui.core.buddy_events import BuddyAllocation, BuddyRelease
from orbita_gui.views.buddy_tree_state import (
    FREE,
    FREED,
    MADE,
    MERGED,
    OUTSIDE,
    PART_USED,
    SPLIT,
    USED,
    LatestBlockOperation,
    split_tree,
)


def buddy(frames: int) -> BuddyFrames:
    return BuddyFrames(frames * FRAME_SIZE)


def free(allocator: BuddyFrames, start: int):
    return allocator.free_frame_event(Frame.from_number(start))


def shape(tree) -> list[tuple]:
    return [(n.start, n.order, n.role, n.row, n.column, n.parent) for n in tree.nodes]


def test_one_frame_from_fresh_memory_splits_the_top_block_down_to_order_0():
    tree = split_tree(buddy(256).allocate_frames_event(1))
    assert tree.rows == 9
    assert shape(tree)[:5] == [
        (0, 8, SPLIT, 0, None, None),  # the root, across both columns
        (0, 7, SPLIT, 1, 0, 0),  # its lower half goes on...
        (128, 7, FREE, 1, 1, 0),  # ...its upper half joins order 7's free set
        (0, 6, SPLIT, 2, 0, 1),
        (64, 6, FREE, 2, 1, 1),
    ]
    assert shape(tree)[-2:] == [(0, 0, MADE, 8, 0, 13), (1, 0, FREE, 8, 1, 13)]


def test_a_block_taken_whole_from_its_free_set_is_the_tree():
    allocator = buddy(16)
    allocator.allocate_frames_event(8)
    tree = split_tree(allocator.allocate_frames_event(5))  # order 3: frames 8-15
    assert shape(tree) == [(8, 3, MADE, 0, None, None)]


def test_a_release_merges_up_to_the_buddy_that_stops_it():
    allocator = buddy(64)
    allocator.allocate_frames_event(32)  # frames 0-31: the buddy that stops the merges
    allocator.allocate_frames_event(1)  # 32
    allocator.allocate_frames_event(1)  # 33
    free(allocator, 33)  # no merge: its buddy, 32, is used
    tree = split_tree(free(allocator, 32))
    assert shape(tree) == [
        (32, 5, FREE, 0, 1, None),  # the block it ended in joins order 5's free set,
        (0, 5, USED, 0, 0, None),  # beside the buddy that is used
        (32, 4, MERGED, 1, 0, 0),
        (48, 4, FREE, 1, 1, 0),
        (32, 3, MERGED, 2, 0, 2),
        (40, 3, FREE, 2, 1, 2),
        (32, 2, MERGED, 3, 0, 4),
        (36, 2, FREE, 3, 1, 4),
        (32, 1, MERGED, 4, 0, 6),
        (34, 1, FREE, 4, 1, 6),
        (32, 0, FREED, 5, 0, 8),
        (33, 0, FREE, 5, 1, 8),
    ]


def test_the_buddy_beside_the_root_says_why_the_merging_stopped():
    allocator = buddy(64)
    allocator.allocate_frames_event(1)
    allocator.allocate_frames_event(1)
    tree = split_tree(free(allocator, 1))  # frame 0 is used
    assert shape(tree) == [(1, 0, FREED, 0, 1, None), (0, 0, USED, 0, 0, None)]
    tree = split_tree(free(allocator, 0))  # merged up to the top: no buddy
    assert shape(tree)[:2] == [(0, 6, FREE, 0, None, None), (0, 5, MERGED, 1, 0, 0)]
    for _ in range(3):
        allocator.allocate_frames_event(1)  # 0, 1, 2: the order-1 block at 2 is split
    free(allocator, 1)
    tree = split_tree(free(allocator, 0))
    assert shape(tree) == [
        (0, 1, FREE, 0, 0, None),
        (2, 1, PART_USED, 0, 1, None),
        (0, 0, FREED, 1, 0, 0),
        (1, 0, FREE, 1, 1, 0),
    ]
    odd = buddy(12)  # blocks of 8 and 4 frames
    odd.allocate_frames_event(8)
    odd.allocate_frames_event(4)
    tree = split_tree(free(odd, 8))  # its buddy, 12-15, would pass the end
    assert shape(tree) == [(8, 2, FREED, 0, 0, None), (12, 2, OUTSIDE, 0, 1, None)]


def test_the_words_of_a_node_shorten_but_keep_its_role_longest():
    (node,) = split_tree(buddy(8).allocate_frames_event(8)).nodes
    assert node.texts() == (
        "order 3 · frames 0-7 · 32 KiB — handed out",
        "order 3 · frames 0-7 — handed out",
        "order 3 · 0 — handed out",
        "order 3 · 0",
    )


def test_no_tree_for_an_operation_on_no_block():
    allocator = buddy(8)
    assert split_tree(allocator.allocate_frames_event(8)) is not None
    failed = allocator.allocate_frames_event(1)
    assert failed.failed and split_tree(failed) is None
    assert split_tree(buddy(8).allocate_first_frames_event(3)) is None
    assert split_tree(None) is None


def random_operations(allocator: BuddyFrames, seed: int, count: int = 300):
    """Allocations of 1 to 9 frames and frees of live blocks, at random: each event."""
    rng = random.Random(seed)
    for _ in range(count):
        live = list(allocator.live_blocks())
        if live and rng.random() < 0.45:
            yield free(allocator, rng.choice(live))
        else:
            event = allocator.allocate_frames_event(rng.randint(1, 9))
            if not event.failed:
                yield event


@pytest.mark.parametrize("frames", [64, 100, 13])
def test_every_node_is_what_the_allocator_holds_right_after(frames):
    allocator = buddy(frames)
    for event in random_operations(allocator, seed=frames):
        tree = split_tree(event)
        allocation = isinstance(event, BuddyAllocation)
        for node in tree.nodes:
            free_now = node.start in allocator.free_blocks(node.order)
            live_now = allocator.block_order(node.start) == node.order
            if node.role in (MADE, USED):
                assert live_now, node
            elif node.role == OUTSIDE:
                assert node.start + (1 << node.order) > frames
            elif node.role in (FREE, FREED) and (node.row == 0 or allocation):
                assert free_now, node  # the block a release ended in, an upper half
            else:  # split, merged, a buddy merged with, a buddy split: a block no more
                assert not free_now and not live_now, node


@pytest.mark.parametrize("frames", [64, 100])
def test_each_step_that_points_at_a_block_points_at_a_node(frames):
    allocator = buddy(frames)
    for event in random_operations(allocator, seed=frames + 1):
        tree = split_tree(event)
        pointed = [step for step in event.steps if step.where is not None]
        for step in pointed:
            start, end = step.where
            node = tree.node_at(start // FRAME_SIZE, (end - start) // FRAME_SIZE)
            assert node is not None, step
        start, end = pointed[-1].where  # the block handed out, or the one it ended in
        assert tree.node_at(start // FRAME_SIZE, (end - start) // FRAME_SIZE) == tree.outcome
        assert tree.nodes[tree.outcome].role in {MADE, FREE, FREED}


def test_the_latest_block_operation_is_found_among_the_new_events_only():
    allocator = buddy(64)
    first, second = allocator.allocate_frames_event(1), allocator.allocate_frames_event(2)
    heap_op = Machine(1 << 20).heap.allocate_event(Layout(24, 8))  # any other event
    history = [buddy(8).allocate_first_frames_event(3), first, heap_op]
    latest = LatestBlockOperation()
    assert latest.find([]) is None
    assert latest.find(history) is first
    history.append(second)
    assert latest.find(history) is second
    history.append(heap_op)
    assert latest.find(history) is second
    del history[-2:]  # both taken back
    assert latest.find(history) is first
    history[-1] = second  # taken back and another applied: as long as before
    assert latest.find(history) is second
    assert latest.find(history[:1]) is None  # a new machine's history


def test_a_slab_on_a_buddy_shows_the_block_its_new_slab_took_and_gave_back():
    machine = Machine(1 << 20, heap="slab", frames="buddy")
    history = [machine.heap.allocate_event(Layout(1856, 8))]  # a slab of 2 pages
    taken = LatestBlockOperation().find(history)
    assert isinstance(taken, BuddyAllocation) and taken is history[0].frame_events[0]
    assert split_tree(taken).nodes[-2].order == 1  # the slab's order-1 block, handed out
    history.append(machine.heap.deallocate_event(history[0].ptr, Layout(1856, 8)))
    assert isinstance(LatestBlockOperation().find(history), BuddyRelease)

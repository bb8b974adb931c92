"""Lifetimes recorded from real replays, against answers worked out by hand."""

from pathlib import Path

import numpy as np

from orbita_gui.traces import Replayer, machine_for, parse_trace, read_trace
from orbita_gui.traces.lifetimes import Lifetimes

SAMPLES = Path(__file__).parents[2] / "resources" / "traces"

# The guide's first fit on a 1 KiB heap at 0x10000 (no headers, no merging):
TRACE = """heap 0x10000 1KiB
malloc a 24        # 0: [0x10000, 0x10018)
malloc b 100       # 1: [0x10018, 0x10080), 104 bytes
free a             # 2
realloc b 300      # 3: b moves to [0x10080, 0x101b0)
malloc c 2000      # 4: out of memory
malloc d 16        # 5: [0x10018, 0x10028), where b was
free d             # 6
"""


def recorded(text: str, lifetimes: Lifetimes | None = None, fmt: str = "native") -> Lifetimes:
    trace = parse_trace(text, "t", fmt)
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    lifetimes = Lifetimes() if lifetimes is None else lifetimes
    while not replayer.at_end:
        index = replayer.position
        lifetimes.observe(index, replayer.step().event)
    return lifetimes


def test_bars_run_from_allocation_to_free_at_the_blocks_addresses():
    lifetimes = recorded(TRACE)
    born, died, low, high = lifetimes.bars()
    assert len(lifetimes) == 4 and lifetimes.observed == 7
    assert born.tolist() == [0, 1, 3, 5]
    assert died.tolist() == [2, 3, 7, 6]  # c's realloc'd block is live: until now
    assert low.tolist() == [0x10000, 0x10018, 0x10080, 0x10018]
    assert high.tolist() == [0x10018, 0x10080, 0x101B0, 0x10028]
    assert all(column.dtype == np.int64 for column in (born, died, low, high))
    assert lifetimes.failures().tolist() == [4]


def test_a_live_bar_grows_with_what_is_observed_and_the_arrays_can_grow_after_a_read():
    lifetimes = Lifetimes()
    trace = parse_trace(TRACE, "t", "native")
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    for index in range(4):
        lifetimes.observe(index, replayer.step().event)
    _, died, _, _ = lifetimes.bars()
    assert died.tolist() == [2, 3, 4]
    held = lifetimes.bars(), lifetimes.failures()  # read arrays held while it records
    while not replayer.at_end:
        index = replayer.position
        lifetimes.observe(index, replayer.step().event)
    assert lifetimes.bars()[1].tolist() == [2, 3, 7, 6]
    assert held[0][1].tolist() == [2, 3, 4]  # a copy: what was read stays as it was


def test_block_at_answers_the_bar_live_at_that_time_and_address():
    lifetimes = recorded(TRACE)
    assert lifetimes.block_at(0, 0x10000) == 0
    assert lifetimes.block_at(1, 0x10017) == 0
    assert lifetimes.block_at(1, 0x10018) == 1  # a block's end is not its
    assert lifetimes.block_at(2, 0x10000) is None  # freed by operation 2
    assert lifetimes.block_at(3, 0x10020) is None  # b moved away at 3, d not yet made
    assert lifetimes.block_at(5, 0x10020) == 5
    assert lifetimes.block_at(6, 0x10100) == 3  # still live
    assert lifetimes.block_at(6, 0x101B0) is None
    assert lifetimes.block_at(0, 0x0FFFF) is None


def test_bar_at_with_slack_finds_the_nearest_bar_a_pixel_holds():
    lifetimes = recorded(TRACE)
    assert lifetimes.bar_at(4, 0x10020) is None
    assert lifetimes.bar_at(4, 0x10020, op_slack=1) == 3  # d, made at 5 (b was freed at 3)
    assert lifetimes.bar_at(4, 0x10030, op_slack=1) is None
    assert lifetimes.bar_at(4, 0x10030, op_slack=0, address_slack=0x60) == 2


def test_a_realloc_in_place_closes_and_opens_a_bar_at_one_address():
    lifetimes = recorded("heap 0x10000 1KiB\nmalloc a 64\nfree a\nmalloc b 64\nrealloc b 32\n")
    born, died, low, _ = lifetimes.bars()
    assert born.tolist()[:2] == [0, 2] and died.tolist()[:2] == [1, 3]
    assert lifetimes.block_at(3, low[-1]) == 3


def test_frames_nulls_and_failed_frees_are_counted_but_make_no_bar():
    lifetimes = recorded(
        "frames 1MiB\nheap 0x10000 1KiB\nalloc-frame f\nfree nobody\nmalloc a 8\nfree-frame f\n"
    )
    assert lifetimes.observed == 4
    assert lifetimes.bars()[0].tolist() == [2]
    assert lifetimes.failures().size == 0


def test_a_frame_allocation_that_fails_is_no_heap_failure():
    text = "frames 64KiB\nheap 0x1000 4KiB\n" + "alloc-frame f\n" * 17 + "malloc a 8000\n"
    lifetimes = recorded(text)
    assert lifetimes.failures().tolist() == [17]  # the malloc, not the frames past 16


def test_the_out_of_memory_sample_fails_once_at_its_last_operation():
    trace = read_trace(SAMPLES / "4-out-of-memory-with-free-bytes.trace")
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    lifetimes = Lifetimes()
    while not replayer.at_end:
        index = replayer.position
        lifetimes.observe(index, replayer.step().event)
    assert lifetimes.failures().tolist() == [len(trace.ops) - 1]
    assert len(lifetimes) == 16
    _, died, low, high = lifetimes.bars()
    assert (high - low).tolist() == [128] * 16
    freed = died < lifetimes.observed
    assert freed.sum() == 8 and (low[freed] - low[0]).tolist() == [128 * k for k in range(0, 16, 2)]

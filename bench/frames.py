"""The frame allocator at 16 GiB and 1 GiB: the slowest search, and filling memory."""

from __future__ import annotations

import random
import time

from orbita_gui.core import HEAP_START, MAX_HEAP, MAX_MEMORY, Frame, FrameAllocator, Machine
from orbita_gui.core.allocators.buddy_frames import BuddyFrames

GIB = 1 << 30


def _timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def fill(alloc: FrameAllocator) -> float:
    """Seconds to allocate every frame one by one through `allocate_frame`."""
    allocate, start = alloc.allocate_frame, time.perf_counter()
    for _ in range(alloc.total_frames):
        allocate()
    return time.perf_counter() - start


def slowest_search(memory: int) -> dict[str, float]:
    """The longest searches there are: across every used frame to the last one, and a full scan."""
    alloc = FrameAllocator(memory)
    fill_seconds = fill(alloc)
    last = alloc.total_frames - 1
    alloc.free_frame(Frame.from_number(0))
    alloc.free_frame(Frame.from_number(last))
    alloc.allocate_frame()  # frame 0: next_free is now 1, and frame `last` is the only free one
    across, found = _timed(alloc.allocate_frame)
    assert found.number == last
    full, found = _timed(alloc.allocate_frame)  # memory is full: both loops scan everything
    assert found is None
    return {"fill": fill_seconds, "across_used": across, "full_scan": full}


def run() -> None:
    build = min(_timed(lambda: Machine(MAX_MEMORY, HEAP_START, MAX_HEAP))[0] for _ in range(3))
    big = slowest_search(16 * GIB)
    small = FrameAllocator(GIB)
    fill_1gib = min(fill(FrameAllocator(GIB)) for _ in range(3))
    print("Frame allocator")
    print(
        f"  the largest machine (16 GiB, a 1 GiB heap) built in {build * 1e3:,.1f} ms (target 1 s)"
    )
    print(f"  16 GiB ({16 * GIB // 4096:,} frames), bitmap {16 * GIB // 4096 / 2**20:.0f} MiB")
    print(
        f"    allocate_frame across {16 * GIB // 4096 - 2:,} used frames: "
        f"{big['across_used'] * 1e6:,.0f} us"
    )
    print(f"    allocate_frame on full memory (both loops): {big['full_scan'] * 1e6:,.0f} us")
    print(f"    allocate all 16 GiB one by one: {big['fill']:.2f} s")
    print(f"  1 GiB ({small.total_frames:,} frames)")
    print(
        f"    allocate all one by one: {fill_1gib * 1e3:,.0f} ms "
        f"({small.total_frames / fill_1gib:,.0f} frames/s), best of 3"
    )
    print(f"  a buddy allocator at 1 GiB: {buddy_mix(GIB):,.0f} operations a second")


def buddy_mix(memory: int, operations: int = 200_000) -> float:
    """Operations a second of the buddy allocator on a seeded random mix: blocks of 1 to
    64 frames, a free for every two allocations (best of 3; target 100,000)."""
    best = float("inf")
    for _ in range(3):
        rng = random.Random(7)
        buddy, live = BuddyFrames(memory), []
        start = time.perf_counter()
        for _ in range(operations):
            if live and rng.random() < 1 / 3:
                buddy.free_frame_event(live.pop(rng.randrange(len(live))))
            else:
                event = buddy.allocate_frames_event(rng.randint(1, 64))
                if event.frames_taken:
                    live.append(Frame.from_number(event.frames_taken[0]))
        best = min(best, time.perf_counter() - start)
    return operations / best

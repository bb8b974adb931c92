"""The state of a machine as plain values, to compare two machines exactly."""


def machine_state(machine):
    """Frame bitmap, the frame allocator's own state (the bitmap's next_free, a buddy's
    free blocks by order), the free list in order, and the live blocks."""
    frames = machine.frames
    if hasattr(frames, "next_free"):
        own = frames.next_free
    else:
        own = [list(frames.free_blocks(order)) for order in range(frames.top_order + 1)]
    return (
        frames.bitmap().tobytes(),
        own,
        machine.heap.free_regions(),
        dict(machine.heap.allocations()),
    )

"""The state of a machine as plain values, to compare two machines exactly."""


def machine_state(machine):
    """Frame bitmap, the frame allocator's own state (the bitmap's next_free, a buddy's
    free blocks by order), the free structure in its order, the live blocks, and the
    frame of each heap page (a slab's heap maps its pages as it goes)."""
    frames = machine.frames
    if hasattr(frames, "next_free"):
        own = frames.next_free
    else:
        own = [list(frames.free_blocks(order)) for order in range(frames.top_order + 1)]
    starts, sizes = machine.heap.free_region_arrays()
    return (
        frames.bitmap().tobytes(),
        own,
        list(zip(starts.tolist(), sizes.tolist(), strict=True)),
        dict(machine.heap.allocations()),
        machine.heap_frames.tolist(),
    )

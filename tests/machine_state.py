"""The state of a machine as plain values, to compare two machines exactly."""


def machine_state(machine):
    """Frame bitmap, next_free, the free list in order, and the live blocks."""
    return (
        machine.frames.bitmap().tobytes(),
        machine.frames.next_free,
        machine.heap.free_regions(),
        dict(machine.heap.allocations()),
    )

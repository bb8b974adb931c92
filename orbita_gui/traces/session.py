"""A session as a trace: the events applied to a machine, named so they read back."""

from __future__ import annotations

from ..core.events import (
    Event,
    FrameAllocation,
    FrameRelease,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
)
from ..core.machine import Machine
from .trace import ALLOC_FRAME, FREE, FREE_FRAME, MALLOC, REALLOC, Op, Trace


def session_trace(machine: Machine, events: list[Event], source: str = "session") -> Trace:
    """Operations that, replayed on a fresh machine of the same size, give the same state.

    Frames are named `f1, f2, ...` and blocks `b1, b2, ...` in the order they
    were made; failed operations changed nothing and are left out.
    """
    names: dict[tuple[str, int], str] = {}
    counters = {"f": 0, "b": 0}
    ops: list[Op] = []

    def name(kind: str, key: int) -> str:
        counters[kind] += 1
        names[(kind, key)] = f"{kind}{counters[kind]}"
        return names[(kind, key)]

    for event in events:
        if event.failed:
            continue
        if isinstance(event, FrameAllocation):
            ops.append(Op(ALLOC_FRAME, name("f", event.frame_number)))
        elif isinstance(event, FrameRelease):
            ops.append(Op(FREE_FRAME, names.pop(("f", event.frame_number))))
        elif isinstance(event, HeapAllocation):
            layout = event.layout
            ops.append(Op(MALLOC, name("b", event.ptr), layout.size, layout.align))
        elif isinstance(event, HeapRelease):
            ops.append(Op(FREE, names.pop(("b", event.ptr))))
        elif isinstance(event, HeapReallocation):
            old = names.pop(("b", event.ptr))
            names[("b", event.new_ptr)] = old
            ops.append(Op(REALLOC, old, event.new_size, event.layout.align))
    heap = machine.heap
    return Trace(
        source,
        tuple(ops),
        memory_size=machine.frames.total_frames * 4096,
        heap_start=heap.heap_start,
        heap_size=heap.heap_size,
        heap_kind=machine.heap_kind,
        heap_params=tuple(heap.params.items()),
    )

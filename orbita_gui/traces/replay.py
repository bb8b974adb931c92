"""Replay a malloc-lab trace on the guide's heap allocator, headless.

Requests map onto the guide's heap by id: `a` is `allocate`, `f` is
`deallocate` with the block's own layout, `r` is `GlobalAlloc`'s default
`realloc` (allocate new, copy, free old), or an allocation for an id that is
not live (realloc of NULL). A request the heap refuses (out of memory, a free
of an id that is not live) is counted as a failure and changes nothing. An id
whose allocation failed holds NULL, as the C program's pointer would: freeing
it does nothing, reallocating it allocates.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.heap import LinkedListAllocator
from ..core.layout import Layout
from .malloclab import NULL_ID, MallocLabTrace

MALLOC_ALIGN = 8
"""The malloc lab's alignment."""


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """What a replay did, in the malloc lab's terms."""

    operations: int
    out_of_memory: int
    invalid_frees: int
    peak_payload: int
    footprint: int
    free_list_length: int
    peak_free_list_length: int

    @property
    def failures(self) -> int:
        return self.out_of_memory + self.invalid_frees

    @property
    def utilization(self) -> float:
        """Peak live payload over the heap's high-water footprint (the lab's measure)."""
        return self.peak_payload / self.footprint if self.footprint else 0.0


def replay_malloclab(trace: MallocLabTrace, heap: LinkedListAllocator) -> ReplayStats:
    """Apply every request of `trace` to `heap` in order and measure the run."""
    live: dict[int, tuple[int, Layout] | None] = {}  # None: the id holds NULL
    oom = invalid = payload = peak_payload = high_water = peak_list = 0
    for op in trace.ops:
        if op.kind == "f":
            if op.id not in live:
                invalid += op.id != NULL_ID
                continue
            block = live.pop(op.id)
            if block is not None:
                heap.deallocate(*block)
                payload -= block[1].size
            continue
        layout = Layout(op.size, MALLOC_ALIGN)
        old = live.get(op.id) if op.kind == "r" else None
        event = heap.allocate_event(layout) if old is None else heap.realloc_event(*old, op.size)
        ptr = event.ptr if old is None else event.new_ptr
        if ptr is None:
            oom += 1
            if old is None:
                live[op.id] = None
            continue
        if old is not None:
            payload -= old[1].size
        live[op.id] = (ptr, layout)
        payload += op.size
        peak_payload = max(peak_payload, payload)
        high_water = max(high_water, ptr + heap.size_align(layout)[0])
        peak_list = max(peak_list, heap.free_list_length)
    return ReplayStats(
        operations=len(trace.ops),
        out_of_memory=oom,
        invalid_frees=invalid,
        peak_payload=peak_payload,
        footprint=high_water - heap.heap_start if high_water else 0,
        free_list_length=heap.free_list_length,
        peak_free_list_length=peak_list,
    )

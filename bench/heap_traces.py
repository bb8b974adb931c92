"""Replay each malloc-lab trace through the guide's heap allocator, and through each
other heap of the family that has a speed target, headless."""

from __future__ import annotations

import time
from pathlib import Path

from orbita_gui.traces import machine_for, read_trace, replay
from orbita_gui.traces.compare import on_heap, parse_heap_spec

TRACES = Path(__file__).resolve().parent.parent.parent / "shared" / "traces" / "malloclab"
FAMILY = ("segregated", "segregated,coalesce", "fixed-blocks", "slab")
"""The heaps of the guide's future work (issue 11: 100,000 operations a second each)."""


def run(folder: Path = TRACES) -> None:
    paths = sorted(folder.glob("*.rep"))
    if not paths:
        print(f"  no traces in {folder}: nothing to replay")
        return
    print("Heap allocator: malloc-lab traces replayed headless (best of 3)")
    print(f"  {'trace':<24}{'ops':>7}{'ops/s':>10}{'heap':>8}{'oom':>6}{'list':>7}{'util':>7}")
    traces = [(path, read_trace(path)) for path in paths]  # a .rep runs in 20 MiB
    for path, trace in traces:
        seconds, stats = _best(trace)
        print(
            f"  {path.name:<24}{stats.operations:>7,}{stats.operations / seconds:>10,.0f}"
            f"{trace.heap_size >> 20:>6}Mi{stats.failed_allocations:>6,}"
            f"{stats.free_list_length:>7,}{stats.utilization:>7.1%}"
        )
    print(
        "  oom: allocations that returned NULL; list: free-list length at the end; "
        "util: peak payload / footprint"
    )
    print("\nThe guide's future work: the same traces, operations a second (target 100,000)")
    specs = [parse_heap_spec(text) for text in FAMILY]
    print(f"  {'trace':<24}" + "".join(f"{spec.text:>26}" for spec in specs))
    for path, trace in traces:
        cells = []
        for spec in specs:
            seconds, stats = _best(on_heap(trace, spec))
            cells.append(f"{stats.operations / seconds:>26,.0f}")
        print(f"  {path.name:<24}" + "".join(cells))


def _best(trace):
    """The fastest of three replays, and its report."""
    best = float("inf")
    for _ in range(3):
        machine = machine_for(trace)
        start = time.perf_counter()
        stats = replay(trace, machine)
        best = min(best, time.perf_counter() - start)
    return best, stats

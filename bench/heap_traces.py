"""Replay each malloc-lab trace through the guide's heap allocator, headless."""

from __future__ import annotations

import time
from pathlib import Path

from orbita_gui.traces import machine_for, read_trace, replay

TRACES = Path(__file__).resolve().parent.parent.parent / "shared" / "traces" / "malloclab"


def run(folder: Path = TRACES) -> None:
    print("Heap allocator: malloc-lab traces replayed headless (best of 3)")
    paths = sorted(folder.glob("*.rep"))
    if not paths:
        print(f"  no traces in {folder}: nothing to replay")
        return
    print(f"  {'trace':<24}{'ops':>7}{'ops/s':>10}{'heap':>8}{'oom':>6}{'list':>7}{'util':>7}")
    for path in paths:
        trace = read_trace(path)  # a .rep runs in 20 MiB, as in the application
        heap_size = trace.heap_size
        best = float("inf")
        for _ in range(3):
            machine = machine_for(trace)
            start = time.perf_counter()
            stats = replay(trace, machine)
            best = min(best, time.perf_counter() - start)
        print(
            f"  {path.name:<24}{stats.operations:>7,}{stats.operations / best:>10,.0f}"
            f"{heap_size >> 20:>6}Mi{stats.failed_allocations:>6,}{stats.free_list_length:>7,}"
            f"{stats.utilization:>7.1%}"
        )
    print(
        "  oom: allocations that returned NULL; list: free-list length at the end; "
        "util: peak payload / footprint"
    )

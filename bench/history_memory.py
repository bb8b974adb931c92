"""Bytes the window's trace player keeps per operation to step back (the Replayer's history).

Measured with tracemalloc: the memory held after replaying a trace with history,
minus what is left once the Replayer is dropped (the machine's live state stays).
The model's `history` holds the same events: 8 bytes more an operation, its list.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from orbita_gui.traces import Replayer, Trace, machine_for, read_trace

from .heap_traces import TRACES

TARGET = 200


def history_bytes(trace: Trace) -> int:
    """Bytes kept, for stepping back, after replaying `trace` with history."""
    machine = machine_for(trace)
    tracemalloc.start()
    try:
        replayer = Replayer(trace, machine)
        while not replayer.at_end:
            replayer.step()
        gc.collect()
        with_history = tracemalloc.get_traced_memory()[0]
        del replayer  # the history goes; the machine's live state stays
        gc.collect()
        return with_history - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def run(folder: Path = TRACES) -> None:
    print(f"Trace player: bytes kept per operation for stepping back (target under {TARGET})")
    paths = sorted(folder.glob("*.rep"))
    if not paths:
        print(f"  no traces in {folder}: nothing to measure")
        return
    total_ops = total_bytes = 0
    for path in paths:
        trace = read_trace(path)
        operations, kept = len(trace.ops), history_bytes(trace)
        total_ops, total_bytes = total_ops + operations, total_bytes + kept
        if operations >= 1000:
            print(f"  {path.name:<24}{operations:>7,} ops {kept / operations:>6,.0f} bytes/op")
    print(f"  all {total_ops:,} ops: {total_bytes / total_ops:,.0f} bytes/op (+8 in the model)")

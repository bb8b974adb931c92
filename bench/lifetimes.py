"""What recording and drawing the heap blocks' lifetimes cost on a 300,000-operation trace.

    python -m bench.lifetimes

Figures, not assertions: `Lifetimes.observe` runs per operation inside a replay of some
150,000 operations a second, the view rasterises the whole trace whenever it is zoomed
or panned, and a click or a hover asks `block_at`.
"""

from __future__ import annotations

import gc
import random
import time

from bench.big_trace import big_trace
from orbita_gui.traces import Replayer, machine_for, parse_trace
from orbita_gui.traces.lifetimes import Lifetimes
from orbita_gui.traces.trace import rows
from orbita_gui.views.lifetime_view import raster

WIDTH, HEIGHT = 1920, 400


def _replay(trace, lifetimes: Lifetimes | None) -> float:
    """Seconds to replay the whole trace headless as the player's recording does (rows,
    the collector at rest), feeding `lifetimes` if given."""
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    step = replayer._run
    gc.disable()
    start = time.perf_counter()
    try:
        if lifetimes is None:
            for row in rows(trace.ops):
                step(row)
        else:
            observe = lifetimes.observe
            for index, row in enumerate(rows(trace.ops)):
                observe(index, step(row).event)
        return time.perf_counter() - start
    finally:
        gc.enable()


def _best(function, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _observe_alone(trace) -> float:
    """Seconds observing the whole trace's events, made beforehand (best of 3)."""
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    events = [replayer.step(op).event for op in trace.ops]

    def observe_all() -> None:
        lifetimes = Lifetimes()
        for index, event in enumerate(events):
            lifetimes.observe(index, event)

    gc.disable()  # as in the recording: the events' tuples would wake the collector
    try:
        return _best(observe_all, 3)
    finally:
        gc.enable()


def run() -> None:
    trace = parse_trace(big_trace(), "big.rep", "malloclab")
    count = len(trace.ops)
    print(f"Lifetimes of a {count:,}-operation trace (bench.big_trace)")
    bare = observed = float("inf")
    for _ in range(3):  # alternately: the machine's speed drifts
        bare = min(bare, _replay(trace, None))
        lifetimes = Lifetimes()
        observed = min(observed, _replay(trace, lifetimes))
    print(f"  replay without observe: {bare:.2f} s ({count / bare:,.0f} ops/s)")
    print(f"  replay with observe:    {observed:.2f} s ({count / observed:,.0f} ops/s)")
    print(f"  observe overhead: {(observed - bare) / count * 1e6:.2f} µs an operation")

    seconds = _observe_alone(trace)
    print(f"  observe alone, events made beforehand: {seconds / count * 1e6:.2f} µs an operation")

    bars = lifetimes.bars()
    print(
        f"  {len(lifetimes):,} bars, {lifetimes.failures().size:,} failures, "
        f"{sum(column.nbytes for column in bars) / 2**20:.1f} MiB as arrays"
    )
    heap = int(bars[3].max() - bars[2].min())
    start = int(bars[2].min())

    def copy() -> None:
        lifetimes._cache = None
        lifetimes.bars()

    print(f"  bars() after new operations (a copy): {_best(copy) * 1e3:.1f} ms")
    offset = (bars[0], bars[1], bars[2] - start, bars[3] - start)
    whole = _best(lambda: raster(offset, (0, count), (0, heap), WIDTH, HEIGHT))
    print(f"  rasterise the whole trace at {WIDTH}x{HEIGHT}: {whole * 1e3:.1f} ms")
    tenth = _best(
        lambda: raster(
            offset, (count // 2, count // 2 + count // 10), (0, heap // 10), WIDTH, HEIGHT
        )
    )
    print(f"  rasterise a tenth of each axis at {WIDTH}x{HEIGHT}: {tenth * 1e3:.1f} ms")

    rng = random.Random(1)
    points = [(rng.randrange(count), start + rng.randrange(heap)) for _ in range(100)]
    found = sum(lifetimes.block_at(op, address) is not None for op, address in points)
    exact = _best(lambda: [lifetimes.block_at(op, address) for op, address in points], 3) / 100
    print(f"  block_at: {exact * 1e3:.2f} ms a query ({found} of 100 random points on a block)")
    slack = (count / WIDTH * 1.5, heap / HEIGHT * 1.5)
    near = _best(lambda: [lifetimes.bar_at(op, address, *slack) for op, address in points], 3) / 100
    print(f"  bar_at within 1.5 pixels of the whole view (a click): {near * 1e3:.2f} ms a query")


if __name__ == "__main__":
    run()

"""The guide's heap against OSTEP's malloc.py on long identical operation lists.

    python -m bench.long_lists [--malloc-py PATH] [--operations N]

Issue 9 measured malloc.py at about 4,800 operations a second on 100,000-operation
lists (first fit, insert-front, the guide's rules); the malloc-lab traces of
`bench.free_list_speed` are short and keep malloc.py's list short, so they do not
show what happens once the free list is long. Two seeded random lists of mixed
sizes (45% frees), applied to the heap directly and to malloc.py's `malloc` class
(FIRST, INSERT-FRONT, sizes rounded to 8), in CPU time. malloc.py's path as in
`bench.free_list_speed` (`--malloc-py` or ORBITA_MALLOC_PY); without it, the guide alone.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from orbita_gui.traces import parse_trace
from orbita_gui.traces.collector import collector_resting

from .free_list_speed import (
    MALLOC_PY_ENV,
    POLICIES,
    load_malloc_py,
    new_heap,
    op_list,
    run_core,
    run_malloc_py,
)


def random_trace(operations: int, seed: int) -> str:
    """A native trace: mallocs of 8-64 or 64-4096 bytes, and frees of random live blocks."""
    rng = random.Random(seed)
    lines, live, made = ["heap 0x444444440000 64MiB"], [], 0
    for _ in range(operations):
        if live and rng.random() < 0.45:
            lines.append(f"free b{live.pop(rng.randrange(len(live)))}")
        else:
            size = rng.choice([rng.randint(8, 64), rng.randint(64, 4096)])
            lines.append(f"malloc b{made} {size}")
            live.append(made)
            made += 1
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.long_lists")
    parser.add_argument("--malloc-py", default=os.environ.get(MALLOC_PY_ENV))
    parser.add_argument("--operations", type=int, default=100_000)
    args = parser.parse_args(argv)
    guide, malloc_class = POLICIES[0], load_malloc_py(args.malloc_py)
    print(f"The guide's heap on {args.operations:,}-operation lists (CPU time)")
    for seed in (1, 2):
        trace = parse_trace(random_trace(args.operations, seed), f"random-{seed}", "native")
        ops = op_list(trace, trace.source)
        heap = new_heap(guide, trace)
        with collector_resting():
            start = time.process_time()
            run_core(heap, ops.ops, ops.ids)
            core = time.process_time() - start
        theirs = None if malloc_class is None else run_malloc_py(malloc_class, guide, ops)
        line = f"  seed {seed}: free list {heap.free_list_length:,} at the end, "
        line += f"guide {len(ops.ops) / core:,.0f} ops/s"
        if theirs:
            line += f", malloc.py {len(ops.ops) / theirs:,.0f} ops/s: {theirs / core:.0f} times"
        print(line)


if __name__ == "__main__":
    main()

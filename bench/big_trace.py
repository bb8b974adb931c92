"""A malloc-lab trace as long as the corpus's largest (301,350 operations) and of its
character on the guide's heap: a free list above 50,000 regions, and thousands of
allocations that fail with megabytes free.

    python -m bench.big_trace [PATH] [--operations N] [--seed S]

The shared folder's traces are all short; this makes the long one the issue measures
with, the same every time for a seed. Three phases, on the 20 MiB heap a `.rep` gets:
small blocks fill a third of it; every other one is freed (the guide never merges, so
each is a region of its own); then mixed traffic, mostly small requests that split
those regions, some large ones that take the heap's untouched tail until it is gone
and then fail, though the free list holds megabytes in pieces.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OPERATIONS = 301_350
HEAP_HINT = 20 << 20


def big_trace(operations: int = OPERATIONS, seed: int = 1) -> str:
    """The trace's text, in the classic `.rep` format."""
    rng = random.Random(seed)
    body: list[str] = []
    live: list[int] = []
    made = 0

    def malloc(size: int) -> None:
        nonlocal made
        body.append(f"a {made} {size}")
        live.append(made)
        made += 1

    def free_at(index: int) -> None:
        live[index], live[-1] = live[-1], live[index]
        body.append(f"f {live.pop()}")

    fill = operations // 3
    for _ in range(fill):
        malloc(rng.randint(2, 16) * 8)
    for index in range(len(live) - 2, -1, -2):  # every other one, newest first
        body.append(f"f {live.pop(index)}")
    while len(body) < operations:
        roll = rng.random()
        if roll < 0.45 and live:
            free_at(rng.randrange(len(live)))
        elif roll < 0.97:
            malloc(rng.randint(1, 24) * 8)
        else:
            malloc(rng.randint(16, 512) << 10)
    header = [str(HEAP_HINT), str(made), str(len(body)), "1"]
    return "\n".join(header + body) + "\n"


def write_big_trace(path: Path, operations: int = OPERATIONS, seed: int = 1) -> Path:
    path.write_text(big_trace(operations, seed))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.big_trace")
    parser.add_argument("path", nargs="?", default="big.rep", type=Path)
    parser.add_argument("--operations", type=int, default=OPERATIONS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write_big_trace(args.path, args.operations, args.seed)
    print(f"wrote {args.path}: {args.operations:,} operations")


if __name__ == "__main__":
    main()

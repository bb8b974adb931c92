"""A long malloc-lab trace replayed headless through `orbita-gui replay`, in a subprocess.

The subprocess's own peak memory (from `wait4`) is what a user running the command
sees: reading included, nothing of this process counted.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPERATIONS = 6_000_000
IDS = 10_000
PEAK_TARGET_MB = 500
SIZES = tuple(range(57, 65))
"""Request sizes: all take a 64-byte block, so freed blocks are reused whole and the free
list stays short (sizes that split blocks grow it, never coalesced, past 100,000 nodes,
and a replay of millions would take an hour)."""


def write_rep(path: Path, operations: int = OPERATIONS, ids: int = IDS, seed: int = 1) -> None:
    """A classic-header `.rep` of `a`, `f` and `r` requests over `ids` ids, each valid."""
    rng = random.Random(seed)
    live = [False] * ids
    lines = [f"{20 << 20}", f"{ids}", f"{operations}", "1"]
    for _ in range(operations):
        ident = rng.randrange(ids)
        if not live[ident]:
            lines.append(f"a {ident} {rng.choice(SIZES)}")
            live[ident] = True
        elif rng.random() < 0.5:
            lines.append(f"f {ident}")
            live[ident] = False
        else:
            lines.append(f"r {ident} {rng.choice(SIZES)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Linux gives a process started from this one (vfork, then exec) this one's peak as its
# own starting peak: a small Python in between starts the replay afresh and says its peak.
PEAK_OF_CHILD = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def replay_in_subprocess(path: Path) -> tuple[float, float, str]:
    """`(seconds, peak MB, stdout)` of `orbita-gui replay PATH` in a process of its own."""
    command = [sys.executable, "-m", "orbita_gui", "replay", str(path)]
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILD, *command], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"orbita-gui replay failed:\n{result.stdout}{result.stderr}")
    return seconds, int(result.stderr.split()[-1]) / 1024, result.stdout


def run(operations: int = OPERATIONS) -> None:
    print(f"Headless replay of {operations:,} operations (a/f/r over {IDS:,} ids, 20 MiB heap)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.rep"
        write_rep(path, operations)
        seconds, peak_mb, out = replay_in_subprocess(path)
    speed = next((line for line in out.splitlines() if line.startswith("speed")), "")
    print(
        f"  orbita-gui replay: {seconds:,.1f} s and peak {peak_mb:,.0f} MB in all, reading "
        f"included (target: under {PEAK_TARGET_MB} MB); replaying: {speed.split(maxsplit=1)[-1]}"
    )

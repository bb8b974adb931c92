"""Issue 12's figures: opening, seeking and playing the largest traces in the window, and
peak memory in the window and headless.

    python -m bench.big_traces [--quick]

The big trace (`bench/big_trace.py`) and every malloc-lab trace of the shared folder,
each in a process of its own, so that a peak is that trace's alone. `--quick`: the big
trace only, 20 seek targets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .big_trace import write_big_trace
from .headless import PEAK_OF_CHILD
from .heap_traces import TRACES

OPEN_TARGET, SEEK_TARGET = 1.0, 0.3
WINDOW_TARGET_MIB, HEADLESS_TARGET_MIB = 400, 150
PLAY_CAP_SECONDS = 600


def measure_window(path: Path, seeks: int) -> dict:
    """Open, seek and play `path` in an offscreen window (in the `--one` child)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from orbita_gui.app.window import MainWindow
    from orbita_gui.core import Machine
    from orbita_gui.model import MachineModel

    app = QApplication.instance() or QApplication([])
    win = MainWindow(MachineModel(Machine(4 << 20)), settings=None, headless=True)
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    player = win.traces.player

    def wait_until(done, cap: float) -> None:
        """Run the event loop (the window's timers, its background work) until `done()`."""
        loop, timer, stop = QEventLoop(), QTimer(interval=50), time.perf_counter() + cap
        timer.timeout.connect(lambda: (done() or time.perf_counter() > stop) and loop.quit())
        timer.start()
        if not done():
            loop.exec()
        timer.stop()

    start = time.perf_counter()
    if not win.traces.load(path):
        raise RuntimeError(f"cannot open {path}")
    app.processEvents()  # the first operation can be played now
    figures = {"ops": player.length, "open": time.perf_counter() - start}
    if _recorded(player) is not None:  # the statistics' background pass, where there is one
        wait_until(lambda: _recorded(player), PLAY_CAP_SECONDS)
        figures["recorded"] = time.perf_counter() - start

    rng, times = random.Random(1), []
    for _ in range(seeks):
        target = rng.randint(0, player.length)
        start = time.perf_counter()
        win.traces.seek(target)
        app.processEvents()  # the repaint counts
        times.append(time.perf_counter() - start)
    figures["seek_median"], figures["seek_worst"] = statistics.median(times), max(times)

    player.set_speed(math.inf)
    win.traces.seek(0)
    app.processEvents()
    start = time.perf_counter()
    player.play()
    wait_until(lambda: player.at_end, PLAY_CAP_SECONDS)
    figures["play"] = time.perf_counter() - start
    figures["played"] = player.position
    figures["window_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _recorded(player) -> bool | None:
    """Whether the player's background statistics pass is finished; None without one.
    (Only a bool counts: a `finished` signal would be truthy.)"""
    finished = getattr(getattr(player, "recording", None), "finished", None)
    return finished if isinstance(finished, bool) else None


def with_peak(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """`(seconds, peak MiB, stdout)` of `command`, started through the small Python of
    `bench.headless.PEAK_OF_CHILD`, which reads its peak with `wait4`: Linux carries a
    launcher's peak over exec into the child's `ru_maxrss` (and RUSAGE_CHILDREN is a
    maximum over children, not a sum), so neither is the trace's alone when this
    process has grown. The seconds include that launcher's start (some 20 ms)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILD, *command], capture_output=True, text=True, env=env
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr[-2000:]}")
    return seconds, int(done.stderr.split()[-1]) / 1024, done.stdout


def measure(path: Path, seeks: int) -> dict:
    """The window's figures (a `--one` child) and the headless replay's, for one trace."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    one = [sys.executable, "-m", "bench.big_traces", "--one", str(path), "--seeks", str(seeks)]
    out = with_peak(one, env)[2]  # the child's ru_maxrss is its own: see `with_peak`
    figures = json.loads(out.strip().splitlines()[-1])
    headless = [sys.executable, "-m", "orbita_gui", "replay", str(path), "--report"]
    figures["headless"], figures["headless_mib"], _ = with_peak(headless)
    return figures


def run(quick: bool = False) -> None:
    seeks = 20 if quick else 100
    print(
        f"Big traces (issue 12): each in its own process, offscreen 1280×800, {seeks} seeks\n"
        f"  targets: open ≤ {OPEN_TARGET:g} s, seek < {SEEK_TARGET:g} s, peak in the window "
        f"< {WINDOW_TARGET_MIB} MiB, headless < {HEADLESS_TARGET_MIB} MiB; * misses one"
    )
    print(
        f"  {'trace':<24}{'ops':>9}{'open s':>9}{'stats s':>9}{'seek med':>10}{'worst':>8}"
        f"{'play s':>9}{'ops/s':>9}{'win MiB':>9}{'headless s':>12}{'MiB':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = [write_big_trace(Path(folder) / "big.rep")]
        if not quick:
            paths += sorted(TRACES.glob("*.rep"))
        for path in paths:
            f = measure(path, seeks)
            recorded = f"{f['recorded']:>9.2f}" if "recorded" in f else f"{'–':>9}"
            print(
                f"  {path.name:<24}{f['ops']:>9,}{_mark(f['open'], OPEN_TARGET, '.2f', 9)}"
                f"{recorded}{_mark(f['seek_median'], SEEK_TARGET, '.3f', 10)}"
                f"{_mark(f['seek_worst'], SEEK_TARGET, '.3f', 8)}{f['play']:>9.1f}"
                f"{f['played'] / max(f['play'], 1e-9):>9,.0f}"
                f"{_mark(f['window_mib'], WINDOW_TARGET_MIB, ',.0f', 9)}{f['headless']:>12.2f}"
                f"{_mark(f['headless_mib'], HEADLESS_TARGET_MIB, ',.0f', 6)}"
            )
    print(
        "  open: read and loaded, events processed once; stats: open until the background "
        "statistics\n  pass ends (– without one); seek: seek and repaint; play: at full "
        "speed from 0 to the end,\n  looked at every 50 ms (a short trace's ops/s says little); "
        "MiB: peak resident set"
    )


def _mark(value: float, target: float, spec: str, width: int) -> str:
    """`value` right-aligned in `width`, with a * past it when it misses `target`."""
    text = format(value, spec) + ("*" if value >= target else " ")
    return f"{text:>{width}}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.big_traces")
    parser.add_argument("--quick", action="store_true", help="the big trace only, 20 seeks")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seeks", type=int, default=100, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is None:
        run(args.quick)
        return
    print(json.dumps(measure_window(args.one, args.seeks)), flush=True)
    os._exit(0)  # the figures are out: skip tearing down a window and a long history


if __name__ == "__main__":
    main()

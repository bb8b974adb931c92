"""The window's speed, offscreen: grid updates, heap-view repaints, start-up."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from statistics import median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from orbita_gui.views.frame_grid import FrameGridView
from orbita_gui.views.free_list_view import FreeListView
from orbita_gui.views.heap_map import HeapMapView

CHANGES_PER_TICK = 1000
REPEATS = 5
RUNS = 5
MEASURABLE = 1000
"""Traces shorter than this play within a frame or two: no rate to speak of."""
TICKS = 40


def _app() -> QApplication:
    return QApplication.instance() or QApplication([])


def grid_rate(memory: int) -> tuple[float, float]:
    """Updates a second of the fitted grid while 1,000 frames change per tick:
    `(redraw only, model operations included)`."""
    app = _app()
    model = MachineModel(Machine(memory))
    grid = FrameGridView(model)
    grid.resize(900, 900)
    grid.show()
    grid.fit()
    app.processEvents()
    operations = drawing = 0.0
    for tick in range(TICKS):
        start = time.perf_counter()
        if tick % 2 == 0:
            for _ in range(CHANGES_PER_TICK):
                model.allocate_frame()
        else:
            first = model.machine.frames.next_free - CHANGES_PER_TICK
            for frame in range(first, first + CHANGES_PER_TICK):
                model.free_frame(frame)
        middle = time.perf_counter()
        grid.refresh()
        grid.viewport().repaint()  # paint now, as the screen would
        drawing += time.perf_counter() - middle
        operations += middle - start
    grid.cleanup()
    grid.close()
    return TICKS / drawing, TICKS / (drawing + operations)


def heap_rate(blocks: int = 10_000) -> tuple[float, int, int]:
    """Repaints a second of both heap views after one heap operation each, with
    `blocks` live blocks and half as many free-list nodes."""
    app = _app()
    model = MachineModel(Machine(1 << 30, heap_size=8 << 20))
    sizes = [16 + (i * 37) % 180 for i in range(blocks * 2)]
    ptrs = [model.allocate(size, 8).ptr for size in sizes]
    for ptr in ptrs[::2]:
        model.free_block(ptr)
    views = [HeapMapView(model), FreeListView(model)]
    for view in views:
        view.resize(900, 700)
        view.show()
    app.processEvents()
    start = time.perf_counter()
    repeats = 30
    for i in range(repeats):
        if i % 2:
            model.undo_stack.undo()
        else:
            model.allocate(24, 8)
        for view in views:
            view._on_changed()  # what sig_changed does
            view.repaint()
    rate = repeats / (time.perf_counter() - start)
    stats = model.machine.heap.stats()
    for view in views:
        view.cleanup()
        view.close()
    return rate, len(model.machine.heap.allocations()), stats.free_regions


class _FrameCounter(QObject):
    """Times the window's screen frames: each repaint of it starts with an UpdateRequest."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.times.append(time.perf_counter())
        return False

    def rate(self) -> float:
        """Frames a second, from the first frame to the last."""
        times = self.times
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def window_replay(paths) -> list[tuple[str, int, float, float, float, float]]:
    """For each trace: `(name, operations, headless ops/s, window ops/s, window/headless,
    frames/s)`, the window playing as fast as possible, offscreen. Each is the median of
    `RUNS` runs, a headless run and a window run taking turns; the ratio is the median of
    each window run against the headless run just before it, so that both saw the machine
    in the same mood (on a shared 2-core machine one run can be 30% off the next)."""
    from orbita_gui.app.window import MainWindow
    from orbita_gui.traces import Trace, read_trace

    app = _app()
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    player = window.traces.player
    player.set_speed(math.inf)
    counter = _FrameCounter()
    window.installEventFilter(counter)
    rows = []
    for path in paths:
        once = read_trace(path)
        # Five passes (each trace frees all it allocates): long enough to measure playing
        # rather than its first and last screen frames.
        trace = Trace(
            once.source, once.ops * REPEATS, once.memory_size, once.heap_start, once.heap_size
        )
        headless, windowed, fps = [], [], []
        for _ in range(RUNS):
            headless.append(len(trace.ops) / _replay_seconds(trace))
            player.load(trace)
            for _ in range(5):  # let the load's own repaint happen before the clock starts
                app.processEvents()
            counter.times = []
            start = time.perf_counter()
            player.play()
            while player.playing:
                app.processEvents()
            seconds = time.perf_counter() - start
            windowed.append(len(trace.ops) / seconds)
            fps.append(counter.rate())
        ratio = median(w / h for w, h in zip(windowed, headless, strict=True))
        rows.append(
            (path.name, len(trace.ops), median(headless), median(windowed), ratio, median(fps))
        )
    window.close()
    return rows


def _replay_seconds(trace) -> float:
    """Seconds to replay a trace headless on a fresh machine (made before the clock starts)."""
    from orbita_gui.traces import machine_for, replay

    machine = machine_for(trace)
    start = time.perf_counter()
    replay(trace, machine)
    return time.perf_counter() - start


STARTUP = """
import time
t0 = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
from orbita_gui.app.demo import load_demo
from orbita_gui.app.window import MainWindow
window = MainWindow()
load_demo(window.model)
window.show()
QTimer.singleShot(0, app.quit)  # runs once the window has been shown and painted
app.exec()
print(time.perf_counter() - t0)
"""


def startup() -> tuple[float, float]:
    """`(seconds in Python to a painted window, seconds for the whole process)`."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip()), time.perf_counter() - start


def run() -> None:
    print("Window, offscreen")
    for memory, label, target in ((1 << 30, "1 GiB", 60), (16 << 30, "16 GiB", 30)):
        redraw, with_ops = grid_rate(memory)
        print(f"  grid, {label} ({memory // 4096:,} frames), {CHANGES_PER_TICK:,} frames a tick:")
        print(f"    redrawing only:              {redraw:>5,.0f} updates/s (target {target})")
        print(f"    with the model's operations: {with_ops:>5,.0f} updates/s (target {target})")
    rate, blocks, nodes = heap_rate()
    print(
        f"  heap views, {blocks:,} blocks, {nodes:,} free nodes: {rate:,.0f} repaints/s (target 30)"
    )
    from .heap_traces import TRACES

    paths = sorted(TRACES.glob("*.rep"))
    if paths:
        print(
            f"  each trace played {REPEATS} times over in the window, as fast as possible, "
            f"and headless (median of {RUNS} runs each):"
        )
        for name, count, headless, windowed, ratio, fps in window_replay(paths):
            if count < MEASURABLE:
                print(f"    {name:<24}{count:>7,} ops: one screen frame, too short to measure")
                continue
            print(
                f"    {name:<24}{count:>7,} ops {headless:>9,.0f}/s headless {windowed:>9,.0f}/s "
                f"in the window ({ratio:.0%}), {fps:,.0f} frames/s"
            )
        compared = TRACES / COMPARED
        if compared.exists():
            seconds, fps = compare_play(compared)
            print(
                f"  four allocators compared on {COMPARED}, played as fast as possible: "
                f"{seconds:.1f} s, {fps:.1f} frames/s (target 20)"
            )
    python_seconds, process_seconds = startup()
    print(
        f"  start-up to a painted window: {python_seconds:.2f} s in Python, "
        f"{process_seconds:.2f} s for the whole process (target 1.5)"
    )


COMPARED = "binary.rep"
"""A trace of some 10,000 operations (12,000), as issue 11's target says."""


def compare_play(path) -> tuple[float, float]:
    """`(seconds, frames a second)` of View > Compare allocators playing `path` to its
    end as fast as possible on four heaps: the guide's, best fit with coalescing,
    segregated lists and fixed-size blocks. A frame counts only if every column's
    pictures were repainted in it (`_ColumnFrames`)."""
    from orbita_gui.app.compare_window import open_comparison
    from orbita_gui.traces import read_trace
    from orbita_gui.traces.compare import parse_heap_spec

    app = _app()
    specs = [parse_heap_spec(text) for text in COMPARED_HEAPS]
    window = open_comparison(read_trace(path), specs)
    window.resize(1600, 1000)
    for _ in range(5):  # the window's first paint is no frame of playing
        app.processEvents()
    counter = _ColumnFrames(window)
    lead = window.comparison.lead
    lead.set_speed(math.inf)
    start = time.perf_counter()
    lead.play()
    while lead.playing:
        app.processEvents()
    for _ in range(5):  # the last tick's frame
        app.processEvents()
    seconds = time.perf_counter() - start
    window.close()
    return seconds, counter.whole_frames() / seconds


class _ColumnFrames(QObject):
    """The comparison window's screen frames, and in each the columns whose pictures
    were painted: a frame that repainted the slider, or one picture the layout resized,
    is no frame of the comparison."""

    def __init__(self, window) -> None:
        super().__init__()
        self.painted: list[set[int]] = []
        self._columns = {}
        for number, column in enumerate(window.columns):
            for view in column.views:
                self._columns[view] = number
                view.installEventFilter(self)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.painted.append(set())
        elif event.type() == QEvent.Type.Paint and watched in self._columns and self.painted:
            self.painted[-1].add(self._columns[watched])
        return False

    def whole_frames(self) -> int:
        """Frames in which every column's pictures were painted."""
        return sum(len(columns) == len(set(self._columns.values())) for columns in self.painted)


COMPARED_HEAPS = ("guide", "best,addrsort,coalesce", "segregated", "fixed-blocks")

"""A seeded monkey for the main window: what a student does, through real key presses and
mouse clicks only, with the machine's invariants checked after every action.

Shared by the Qt tests (`test_soak.py`) and the long soak (`bench/soak.py`), so it needs
no pytest: only the window, something that answers its dialogs (the tests' `dialogs`
fixture or the soak's own: `click(text)`, `choose_file(path)`, `answers`, `files`), and
a list that exceptions escaping into Qt land in (as `(type, value, traceback)`).
The same seed gives the same actions; `actions` lists them, to reproduce a failure.
"""

from __future__ import annotations

import math
import random
import traceback
from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from orbita_gui.app.reset_dialog import MEMORY_SIZES, ResetDialog, check_sizes
from orbita_gui.core import registry
from orbita_gui.core.units import format_size
from orbita_gui.model.search_animation import frame_scan
from orbita_gui.resources import resource_path
from orbita_gui.traces import Replayer, format_native, machine_for, parse_native
from orbita_gui.views import palette

from ..machine_state import machine_state

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton
Key = Qt.Key

ACTIONS = {
    "frame_key": 8,
    "frame_click": 8,
    "frame_select": 4,
    "frames_button": 2,
    "heap_allocate": 12,
    "heap_click": 7,
    "heap_select": 5,
    "free_selection": 4,
    "undo": 8,
    "redo": 5,
    "hover": 6,
    "change_then_hover": 5,
    "player": 8,
    "new_machine": 1.5,
    "open_trace": 2.5,
    "save": 1.5,
    "wait": 2,
    "teaching": 5,
    "predict": 3,
}
"""What a student does, and how often: each is a method of `Monkey`."""

SIZES = ("8", "24", "100", "0x30", "1K", "4K", "3000")
ALIGNS = ("8", "16", "64", "4096", "1")
BAD_SIZES = ("0", "1T", "99999999999999999999", "abc", "", "-8")
BAD_ALIGNS = ("3", "0", "12", "x", "", "1T")
BAD = 0.15
UNUSED_TIPS = (
    "never gives it back",
    "too small for another object",
    "maps them when it needs them",
)
"""How the heap map's tips of lost and unmapped bytes end."""
"""How often a size or an alignment typed is one the controls must refuse."""
FRAME_COUNTS = ("1", "3", "40", "5000", "0")
HEAPS = ("1K", "2K", "4K", "16K", "100K", "0", "big")
"""Heap sizes typed in the New-machine dialog, some too big for small memory, some wrong."""
MEMORIES = [size for size in MEMORY_SIZES if size <= 4 << 20]
"""Small machines only, so the soak stays quick."""
TRACES = sorted(resource_path("traces").glob("*.trace"))
CHANGES = {
    "F": (Key.Key_F, NO),
    "H": (Key.Key_H, NO),
    "Delete": (Key.Key_Delete, NO),
    "Ctrl+Z": (Key.Key_Z, CTRL),
    "Ctrl+Shift+Z": (Key.Key_Z, CTRL | SHIFT),
}
PLAYER_KEYS = {
    "Left": Key.Key_Left,
    "Right": Key.Key_Right,
    "Home": Key.Key_Home,
    "End": Key.Key_End,
    "Space": Key.Key_Space,
}
TEACHING_KEYS = {
    "Up": (Key.Key_Up, NO),
    "Down": (Key.Key_Down, NO),
    "P": (Key.Key_P, NO),
    "F5": (Key.Key_F5, NO),
    "Ctrl++": (Key.Key_Plus, CTRL),
    "Ctrl+-": (Key.Key_Minus, CTRL),
    "Ctrl+0": (Key.Key_0, CTRL),
}
"""Walking the steps, predict mode, lecture mode and text zoom."""
GUESSES = ("null", "+0x0", "0x10", "7", "x", "")
HISTORY_EVERY = 25
"""Actions between two checks that the history replays to the machine."""
HOVER_POINTS = 12
TAIL = 20
"""Actions a failure message lists, the last ones."""


def _codes(*codes: int) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(codes)] = True
    return table


_FLASH = range(palette.FLASH_STEPS)
SHOWS_USED = _codes(
    palette.CODE_USED,
    palette.CODE_HEAP,
    palette.CODE_SELECTED,  # only used frames can be selected
    *(palette.CODE_MADE + step for step in _FLASH),
)
SHOWS_FREE = _codes(palette.CODE_FREE, *(palette.CODE_FREED + step for step in _FLASH))
"""What a grid cell's code says of its frame; a cell the frame search being animated
scanned (`CODE_SCANNED`) says neither, nor does a lit one (`CODE_LINKED`: the frames
under heap bytes hovered, a step walked to, a student's guess)."""
NEITHER = _codes(palette.CODE_SCANNED, palette.CODE_LINKED)


ESCAPED = "no exception escaped"
STALE_ANIMATION = "animated search is the latest"
STALE_LINK = "hover links are live"


class Defect(AssertionError):
    """Invariants an action broke (`kinds`); the message has the seed and last actions."""

    def __init__(self, kinds: list[str], message: str) -> None:
        super().__init__(message)
        self.kinds = kinds


class Monkey:
    """Performs random actions on a `MainWindow` and checks the machine after each."""

    def __init__(self, window, dialogs, seed: int, folder: Path, escaped: list) -> None:
        self.window, self.dialogs, self.seed = window, dialogs, seed
        self.escaped = escaped
        self.session_path = folder / "session.trace"
        self.rng = random.Random(seed)
        self.actions: list[str] = []
        """Every action done, in words, oldest first."""
        self.counts: Counter[str] = Counter()
        """Actions done, by kind."""
        self.checks: Counter[str] = Counter()
        """Invariant checks passed, by kind."""
        self._escaped_seen = len(escaped)
        self._left_open: list[str] = []
        self._problems: list[tuple[str, str]] = []
        """Invariants found broken since the last check: kind, and what was seen."""

    # Running

    def run(self, count: int) -> None:
        """`count` actions, then a last check of the history; raises `Defect` at the
        first action that broke an invariant."""
        for _ in range(count):
            self.step()
        self.finish()

    def step(self) -> None:
        """One random action, the events it queued delivered, then the checks."""
        name = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        self.counts[name] += 1
        getattr(self, name)()
        QApplication.processEvents()
        self.check()

    def finish(self) -> None:
        """The last check of the history."""
        self.check_history()
        self._raise_problems()

    def _did(self, text: str) -> None:
        self.actions.append(text)

    # Actions

    def frame_key(self) -> None:
        self._did("F")
        self._press(Key.Key_F)

    def frame_click(self) -> None:
        used = self.rng.random() < 0.5
        self._click_frame(used, NO, "click")

    def frame_select(self) -> None:
        self._click_frame(True, CTRL, "Ctrl+click")

    def frames_button(self) -> None:
        count = self.rng.choice(FRAME_COUNTS)
        self._did(f"type {count} frames, click Allocate frames")
        controls = self.window.controls
        self._type(controls.frame_count, count)
        self._click_widget(controls.allocate_frames_button)

    def heap_allocate(self) -> None:
        size, align = self._pick(SIZES, BAD_SIZES), self._pick(ALIGNS, BAD_ALIGNS)
        how = self.rng.choice(("H", "Return", "the button"))
        self._did(f"heap: type size {size!r}, align {align!r}, then {how}")
        controls = self.window.controls
        self._type(controls.size_field, size)
        self._type(controls.align_field, align)
        if how == "H":
            self._press(Key.Key_H)
        elif how == "Return":
            QTest.keyClick(controls.align_field, Key.Key_Return)
        else:
            self._click_widget(controls.allocate_button)

    def heap_click(self) -> None:
        self._click_heap(NO, "click")

    def heap_select(self) -> None:
        self._click_heap(CTRL, "Ctrl+click")

    def free_selection(self) -> None:
        self._did("Delete")
        self._press(Key.Key_Delete)

    def undo(self) -> None:
        self._did("Ctrl+Z")
        self._press(Key.Key_Z, CTRL)

    def redo(self) -> None:
        ctrl_y = self.rng.random() < 0.5
        self._did("Ctrl+Y" if ctrl_y else "Ctrl+Shift+Z")
        self._press(*((Key.Key_Y, CTRL) if ctrl_y else (Key.Key_Z, CTRL | SHIFT)))

    def hover(self) -> None:
        window = self.window
        view = self.rng.choice((*window.layer_views("heap"), window.grid))
        self._did(f"hover the {type(view).__name__}")
        self._hover(view)

    def change_then_hover(self) -> None:
        """Hover read right after a change, before any repaint: a view must not read
        a picture of the state before."""
        name = self.rng.choice(list(CHANGES))
        self._did(f"{name}, then at once hover the heap map, the free list and the grid")
        self._press(*CHANGES[name])
        for view in (*self.window.layer_views("heap"), self.window.grid):
            self._hover(view)

    def player(self) -> None:
        name = self.rng.choice(list(PLAYER_KEYS))
        self._did(name)
        self._press(PLAYER_KEYS[name])

    def teaching(self) -> None:
        name = self.rng.choice(list(TEACHING_KEYS))
        self._did(name)
        self._press(*TEACHING_KEYS[name])

    def predict(self) -> None:
        """A guess typed (a free region's start, or something else) and Enter, when
        predict mode is on."""
        panel = self.window.predict.panel
        if not panel.isVisible():
            return
        starts, _ = self.window.model.machine.heap.free_region_arrays()
        guesses = [*GUESSES, *(f"{int(start):#x}" for start in starts[:3])]
        guess = self.rng.choice(guesses)
        self._did(f"predict {guess!r}, Enter")
        self._activate()
        self._type(panel.guess, guess)
        QTest.keyClick(panel.guess, Key.Key_Return)

    def new_machine(self) -> None:
        memory, heap = self.rng.choice(MEMORIES), self.rng.choice(HEAPS)
        frames = self.rng.randrange(len(registry.kinds(registry.FRAMES)))
        ok = check_sizes(memory, heap)[0] is not None and self.rng.random() < 0.8
        steps = self._answer_unsaved()
        if "Cancel" not in steps:
            steps.append("OK" if ok else "Cancel")
            self.dialogs.click(steps[-1])
            frames_kind = list(registry.kinds(registry.FRAMES))[frames]
            steps.insert(-1, f"memory {format_size(memory)}, heap {heap!r}, {frames_kind}")
        self._did(f"Ctrl+N: {', '.join(steps)}")
        filler = _ResetDialogFiller(MEMORY_SIZES.index(memory), heap, frames, self._left_open)
        QApplication.instance().installEventFilter(filler)
        try:
            self._press(Key.Key_N, CTRL)
        finally:
            QApplication.instance().removeEventFilter(filler)

    def open_trace(self) -> None:
        path = self.rng.choice(TRACES)
        steps = self._answer_unsaved()
        if "Cancel" not in steps:
            self.dialogs.choose_file(path)
            steps.append(path.name)
        self._did(f"Ctrl+O: {', '.join(steps)}")
        self._press(Key.Key_O, CTRL)

    def save(self) -> None:
        self._did("Ctrl+S")
        self.dialogs.choose_file(self.session_path)
        self._press(Key.Key_S, CTRL)
        self.check_history(self.session_path.read_text("utf-8"))

    def wait(self) -> None:
        """Time passing: throttled repaints, fading flashes and a playing trace run."""
        ms = self.rng.choice((0, 10, 30, 100, 400))
        self._did(f"wait {ms} ms")
        QTest.qWait(ms)

    # Input

    def _pick(self, good: tuple[str, ...], bad: tuple[str, ...]) -> str:
        return self.rng.choice(bad if self.rng.random() < BAD else good)

    def _activate(self) -> None:
        """After a dialog the window is no longer active: keys would go nowhere."""
        window = self.window
        if not window.isActiveWindow():
            window.activateWindow()
            if not QTest.qWaitForWindowActive(window):
                self._expect(False, "window active", "the main window cannot be made active")
                self._raise_problems()

    def _press(self, key: Qt.Key, modifiers=NO) -> None:
        """A key pressed in the window, the grid focused as a click on it would (a key
        pressed in a text field types into it, and the player's keys act only outside
        the docks)."""
        self._activate()
        grid = self.window.grid
        if QApplication.focusWidget() is not grid:
            QTest.mouseClick(grid.viewport(), LEFT, NO, QPoint(2, 2))  # the corner: no cell
        QTest.keyClick(grid, key, modifiers)

    def _click_widget(self, widget: QWidget, modifiers=NO, point: QPoint | None = None) -> None:
        self._activate()
        QTest.mouseClick(
            widget, LEFT, modifiers, widget.rect().center() if point is None else point
        )

    def _type(self, field: QWidget, text: str) -> None:
        """Click into a field and type over what it holds."""
        self._click_widget(field)
        _replace_text(field, text)

    def _click_frame(self, used: bool, modifiers, verb: str) -> None:
        """Click the cell of a frame on screen, used or free as asked if there is one."""
        grid = self.window.grid
        frames = self._frames_on_screen()
        if not len(frames):  # zoomed so far out that no cell is whole
            self._did(f"{verb} a frame: none whole on screen")
            return
        states = self.window.model.machine.frames.bitmap()[frames].astype(bool)
        wanted = frames[states == used]
        frame = int(self.rng.choice(list(wanted if len(wanted) else frames)))
        state = "used" if self.window.model.machine.frames.is_frame_used(frame) else "free"
        self._did(f"{verb} frame {frame} ({state})")
        self._click_widget(grid.viewport(), modifiers, grid.mapFromScene(grid.center_on(frame)))

    def _frames_on_screen(self) -> np.ndarray:
        """The frames whose whole cell the grid shows."""
        grid = self.window.grid
        codes = grid.codes
        (x0, x1), (y0, y1) = grid.getPlotItem().getViewBox().viewRange()
        cols = np.arange(max(0, math.ceil(x0)), min(codes.cols, math.floor(x1)))
        rows = np.arange(max(0, math.ceil(y0)), min(codes.rows, math.floor(y1)))
        frames = (rows[:, None] * codes.cols + cols[None, :]).ravel()
        return frames[frames < codes.total_frames]

    def _click_heap(self, modifiers, verb: str) -> None:
        """Click a block in the heap map if one is on screen, else anywhere on it."""
        view = self.window.heap_map
        points = self._points(view, 40)
        blocks = [p for p in points if view.hit(p)[2].startswith("Block")]
        point = blocks[0] if blocks else points[0]
        start = view.hit(point)[0]
        what = f"block {start:#x}" if blocks else f"the heap map at {point.x()},{point.y()}"
        self._did(f"{verb} {what}")
        self._click_widget(view, modifiers, point)

    def _points(self, widget: QWidget, count: int = HOVER_POINTS) -> list[QPoint]:
        """Random points of a widget, in the part of it on screen."""
        area = widget.visibleRegion().boundingRect()
        if area.isEmpty():
            area = widget.rect()
        rng = self.rng
        return [
            QPoint(
                rng.randrange(area.left(), area.right() + 1),
                rng.randrange(area.top(), area.bottom() + 1),
            )
            for _ in range(count)
        ]

    def _hover(self, view: QWidget) -> None:
        """Move the mouse over a view; on a heap view, check what each point reads."""
        grid = self.window.grid
        target = grid.viewport() if view is grid else view
        for point in self._points(target):
            QTest.mouseMove(target, point)
            if view is not grid:
                self._check_hover_read(view, point)

    def _answer_unsaved(self) -> list[str]:
        """Queue the answer to "unsaved work?" if it will be asked: mostly Discard, at
        times Cancel or Save. Returns what was answered, as a list for the words of the
        action (empty if nothing will be asked)."""
        if not self.window.model.unsaved:
            return []
        answer = self.rng.choices(("Discard", "Cancel", "Save"), weights=(8, 1, 1))[0]
        self.dialogs.click(answer)
        if answer == "Save":
            self.dialogs.choose_file(self.session_path)
        return [answer]

    # Invariants

    def check(self) -> None:
        """Every invariant cheap enough to check after each action, and the history every
        `HISTORY_EVERY` actions; raises `Defect` if any is broken."""
        self._check_escaped()
        self._check_dialogs()
        self._check_heap_bytes()
        self._check_selection()
        self._check_grid()
        self._check_animation()
        self._check_links()
        if len(self.actions) % HISTORY_EVERY == 0:
            self.check_history()
        self._raise_problems()

    def _expect(self, holds: bool, kind: str, what: str) -> None:
        """Count a check passed, or keep what was seen for `_raise_problems`."""
        if holds:
            self.checks[kind] += 1
        else:
            self._problems.append((kind, what))

    def _raise_problems(self) -> None:
        problems, self._problems = self._problems, []
        if problems:
            first = max(0, len(self.actions) - TAIL)
            tail = "\n".join(
                f"  {i + 1}: {action}" for i, action in enumerate(self.actions[first:], first)
            )
            seen = "\n".join(f"- {kind}: {what}" for kind, what in problems)
            message = (
                f"seed {self.seed}, action {len(self.actions)}:\n{seen}\nlast actions:\n{tail}"
            )
            raise Defect([kind for kind, _ in problems], message)

    def check_history(self, text: str | None = None) -> None:
        """The history, as a saved session (this text, or the session now), replays to
        the machine as it is."""
        model = self.window.model
        trace = parse_native(format_native(model.session()) if text is None else text)
        replayer = Replayer(trace, machine_for(trace))
        while not replayer.at_end:
            replayer.step()
        self._expect(
            machine_state(replayer.machine) == machine_state(model.machine),
            "history replays",
            f"the session ({len(trace.ops)} operations) replays to another state",
        )

    def _check_escaped(self) -> None:
        new = self.escaped[self._escaped_seen :]
        self._escaped_seen = len(self.escaped)
        first = "".join(traceback.format_exception(*new[0])) if new else ""
        self._expect(not new, ESCAPED, f"{len(new)} exception(s) escaped into Qt:\n{first}")

    def _check_dialogs(self) -> None:
        """Each dialog expected came and was answered; none other is open."""
        dialogs, modal = self.dialogs, QApplication.activeModalWidget()
        self._expect(
            not (dialogs.answers or dialogs.files or self._left_open or modal),
            "dialogs as expected",
            f"answers not used {dialogs.answers}, files not asked for {dialogs.files}, "
            f"left open {self._left_open}, still open {modal}",
        )
        self._left_open.clear()

    def _check_heap_bytes(self) -> None:
        stats = self.window.model.machine.heap.stats()
        self._expect(
            stats.allocated + stats.free + stats.lost + stats.unmapped == stats.total,
            "heap bytes add up",
            f"{stats}",
        )

    def _check_selection(self) -> None:
        """Only live frames and blocks are selected: Delete frees nothing stale."""
        model = self.window.model
        frames, heap = model.machine.frames, model.machine.heap
        frames_live = all(
            0 <= f < frames.total_frames and frames.is_frame_used(f) for f in model.selected_frames
        )
        self._expect(
            frames_live and model.selected_blocks <= heap.allocations().keys(),
            "selection is live",
            f"frames {sorted(model.selected_frames)}, blocks {sorted(model.selected_blocks)}",
        )

    def _check_grid(self) -> None:
        """The grid shows as many used frames as the allocator counts, each where it is,
        once the screen's next frame has drawn (a pending repaint is delivered now).
        Cells an animated frame search scanned show neither: they count as they are; the
        frame it finds shows free until its last step, as it was when the scan began."""
        model, grid = self.window.model, self.window.grid
        model.flush_changes()
        frames = model.machine.frames
        if grid.codes.total_frames != frames.total_frames:
            what = f"{grid.codes.total_frames} cells for {frames.total_frames} frames"
            self._expect(False, "grid shows frames", what)
            return
        if grid.image.cells_per_pixel > 1:  # zoomed out (a grid sharing its layer's height
            return  # with a buddy's free sets): test_frame_grid checks the overview
        shown = np.asarray(grid.image.image).ravel()[: frames.total_frames].copy()
        used = frames.bitmap().astype(bool)
        animation = self.window.traces.player.animation
        scan = frame_scan(animation.current) if animation.current is not None else None
        if scan is not None and not animation.done:
            shown[scan[1]] = palette.CODE_SCANNED  # found, not yet taken: counts as it is
        shows_used = SHOWS_USED[shown]
        known, scanned = shows_used | SHOWS_FREE[shown], NEITHER[shown]
        counted = int(shows_used.sum() + used[scanned].sum())
        wrong = np.flatnonzero((known & (shows_used != used)) | ~(known | scanned))
        self._expect(
            counted == frames.stats().used_frames and not len(wrong),
            "grid shows frames",
            f"{counted} shown used, the allocator has {frames.stats()}; cells wrong: frames "
            f"{wrong[:10].tolist()} show codes {shown[wrong[:10]].tolist()}",
        )

    def _check_animation(self) -> None:
        """A search shown step by step is the one of the latest operation on this machine:
        the grid and the heap views draw it over the machine as it is."""
        model, current = self.window.model, self.window.traces.player.animation.current
        latest = bool(model.history) and model.history[-1] is current
        failed_last = current is not None and current.failed  # changed nothing: not in
        failed_last = failed_last and current.search is model.last_heap_event  # history
        self._expect(
            current is None or latest or failed_last,
            STALE_ANIMATION,
            f"the search animated is {current}, the latest operation {model.history[-1:]}",
        )

    def _check_links(self) -> None:
        """The heap bytes lit up (for a frame hovered in the grid, the step walked to, a
        guess) are bytes of this machine's heap."""
        heap = self.window.model.machine.heap
        low, high = heap.heap_start, heap.heap_start + heap.heap_size
        linked = {type(v).__name__: v.linked for v in self.window.layer_views("heap")}
        self._expect(
            all(span is None or low <= span[0] < span[1] <= high for span in linked.values()),
            STALE_LINK,
            f"bytes lit up {linked}, which this machine's heap does not hold",
        )

    def _check_hover_read(self, view, point: QPoint) -> None:
        """What a heap view says is under the mouse is the heap as it is now."""
        start, end, tip = view.hit(point)
        heap = self.window.model.machine.heap
        if tip.startswith("Block"):
            block = heap.allocations().get(start)
            holds = block is not None and end == start + block.size
        elif tip:  # a free region (the heap map), a node (the free list), lost or unmapped bytes
            starts, sizes = heap.free_region_arrays()
            free = set(zip(starts.tolist(), sizes.tolist(), strict=True))
            holds = tip.endswith(UNUSED_TIPS) or (start, end - start) in free
        else:
            return
        self._expect(holds, "hover reads", f"{type(view).__name__} reads a stale {tip!r}")


def _replace_text(field: QWidget, text: str) -> None:
    """Select all of a field and type over it, by keys (Backspace alone empties it)."""
    QTest.keyClick(field, Key.Key_A, CTRL)
    QTest.keyClick(field, Key.Key_Backspace)
    QTest.keyClicks(field, text)


class _ResetDialogFiller(QObject):
    """Fills in the New-machine dialog as it shows, as a person does before clicking:
    memory and the frame allocator chosen in their lists by keys, the heap size typed.
    An answer clicked on a
    dialog that stays open (OK disabled) would hang the run: that dialog is closed,
    and the check after the action reports it."""

    def __init__(self, memory_index: int, heap: str, frames_index: int, left_open: list[str]):
        super().__init__()
        self._memory_index, self._heap, self._left_open = memory_index, heap, left_open
        self._frames_index = frames_index

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, ResetDialog):
            for box, index in (
                (watched.memory, self._memory_index),
                (watched.frames_box, self._frames_index),
            ):
                QTest.keyClick(box, Key.Key_Home)
                for _ in range(index):
                    QTest.keyClick(box, Key.Key_Down)
            _replace_text(watched.heap, self._heap)
            QTimer.singleShot(0, lambda: self._close_if_open(watched))  # after the answer
        return False

    def _close_if_open(self, dialog: ResetDialog) -> None:
        if dialog.isVisible():
            self._left_open.append(f"New machine ({dialog.error.text()})")
            dialog.reject()

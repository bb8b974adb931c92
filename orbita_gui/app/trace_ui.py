"""The window's trace features: open, play, plot, save the session, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMenu,
    QWidget,
)

from orbita_gui.core import OrbitaError
from orbita_gui.core.units import plural
from orbita_gui.model import TracePlayer
from orbita_gui.resources import resource_path
from orbita_gui.traces import FILE_FILTER, Trace, format_native, read_trace
from orbita_gui.traces.stats_csv import write_stats_csv
from orbita_gui.traces.trace import INTRO
from orbita_gui.views.lifetime_view import LifetimeView
from orbita_gui.views.player_panel import PlayerPanel
from orbita_gui.views.stats_plots import StatsPlots

from . import export
from .gif_dialog import GifDialog
from .progress import Progress
from .snug_splitter import SMALLEST


def sample_lessons() -> list[tuple[str, Path]]:
    """The sample traces as lessons: the first line of each one's comments (its title)
    and its path, in the order of their file names."""
    lessons = []
    for path in sorted(resource_path("traces").glob("*.trace")):
        title = read_trace(path).comments.get(INTRO, path.stem).splitlines()[0]
        lessons.append((title.rstrip("."), path))
    return lessons


FILLED_IN = {"plots": "Statistics plots", "lifetimes": "Blocks over time"}
"""The docks the pass behind a trace fills in, and their titles."""
FAR = 5000
"""Seeks that replay at least this many operations show a progress dialog with Cancel."""
LAST_FOLDER = "traces/last_folder"


class TraceUi(QObject):
    """Owns the trace player and everything in the window that drives or shows it."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.player = TracePlayer(window.model, self)
        self.panel = PlayerPanel(self.player)
        self.plots = StatsPlots(self.player)
        self.plots.setMinimumSize(SMALLEST, SMALLEST)  # a tab behind the narration: it
        # must not make the window taller than a projector's
        self.lifetimes = LifetimeView()
        self.lifetimes.setMinimumSize(SMALLEST, SMALLEST)
        self.lifetimes.setToolTip(
            "Each heap block of the trace: a bar from its allocation to its free, at its "
            "address. Click one to go to its allocation."
        )
        top, bottom = Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        player_dock = window.add_dock("player", "Player", self.panel, top)
        for dock_id, widget in (("plots", self.plots), ("lifetimes", self.lifetimes)):
            window.add_dock(dock_id, FILLED_IN[dock_id], widget, bottom, tabify_with="log")
        for view in window.views.values():
            view.follow(self.player.animation)
        self.panel.sig_seek_requested.connect(self.seek)
        self.plots.sig_seek_requested.connect(self.seek)
        self.lifetimes.sig_seek_requested.connect(self.seek)
        self.player.sig_trace_loaded.connect(self._show_lifetimes)
        self.player.sig_recorded.connect(self._on_recorded)
        self.player.sig_detached.connect(lambda _why: self._on_recorded(0))  # plain titles
        self.player.sig_position_changed.connect(self.lifetimes.set_cursor)
        self.player.sig_detached.connect(lambda why: window.say(why, failed=True))
        self.player.sig_trace_loaded.connect(lambda _trace: player_dock.show())
        self._build_actions()

    def cleanup(self) -> None:
        """Stop the player and the plots' timers: the window is closing."""
        self.player.pause()
        self.plots.cleanup()
        self.lifetimes.cleanup()

    def _on_recorded(self, done: int) -> None:
        """The pass behind the trace went on: the blocks grow, and the docks that fill in
        with it say how far it is (their plain titles once it is done)."""
        self.lifetimes.refresh()
        length = self.player.length
        suffix = f" (replayed {done * 100 // length}%)" if done < length else ""
        for dock_id, title in FILLED_IN.items():
            dock = self.window.dock(dock_id)
            if dock.windowTitle() != title + suffix:
                dock.setWindowTitle(title + suffix)

    def _show_lifetimes(self, trace: Trace) -> None:
        """The blocks' lifetimes of the trace just loaded, as the pass behind it finds them
        (a comparison's players come with their reports, and show none)."""
        recording, heap = self.player.recording, self.window.model.machine.heap
        if recording is not None:
            end = heap.heap_start + heap.heap_size
            self.lifetimes.set_lifetimes(recording.lifetimes, heap.heap_start, end, len(trace.ops))

    # Actions

    def _build_actions(self) -> None:
        w, player, make = self.window, self.player, self.window.make_action
        self.open_action = make(
            "&Open trace…",
            self.open_trace,
            QKeySequence.StandardKey.Open,
            "Load a .trace, .rep, .ltrace or .ostep file into the player",
        )
        self.save_action = make(
            "&Save session…",
            self.save_session,
            QKeySequence.StandardKey.Save,
            "Save everything done to this machine as a trace",
        )
        export_menu = QMenu("&Export", w)
        export_menu.addActions(
            [
                make("Window as PNG…", lambda: self.export_png(w), tip="Save the window"),
                make("Frame grid as PNG…", lambda: self.export_png(w.grid), tip="Save the grid"),
                make(
                    "Heap map as PNG…",
                    lambda: self.export_png(w.heap_map),
                    tip="Save the heap map",
                ),
                make("Animated GIF…", self.export_gif, tip="Operations of the trace as a GIF"),
                make("Statistics as CSV…", self.export_csv, tip="Statistics after each operation"),
            ]
        )
        for action in (self.open_action, self.save_action, export_menu.menuAction()):
            w.add_action("file", action, section="trace", before="machine")
        examples = QMenu("&Examples", w)
        examples.setToolTipsVisible(True)
        for number, (title, path) in enumerate(sample_lessons(), 1):
            lesson = make(f"&{number}. {title}", lambda _=False, p=path: self.open_example(p))
            lesson.setToolTip(f"Open {path.name} in the player; its comments narrate it")
            examples.addAction(lesson)
        w.add_action("help", examples.menuAction(), section="examples", before="about")

        # Keys for the player act where focus is not in a text field.
        transport = [
            make("Play or pause", player.toggle, "Space"),
            make("Step back", player.step_back, "Left"),
            make("Step forward", player.step_forward, "Right"),
            make("To the start", lambda: self.seek(0), "Home"),
            make("To the end", lambda: self.seek(player.length), "End"),
        ]
        targets: list[QWidget] = [w.centralWidget(), self.panel, self.plots]
        w.add_menu("player", "&Player", before="help")
        for action in transport:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for target in targets:
                target.addAction(action)
            w.add_action("player", action, section="transport")

    # Opening, moving, saving

    def open_trace(self) -> None:
        if not self.window.confirm_discard("Opening a trace"):
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open trace", str(self._trace_folder()), FILE_FILTER
        )
        if path:
            self._remember_folder(Path(path).parent)
            self.load(Path(path))

    def open_example(self, path: Path) -> bool:
        """A sample lesson in the player, after asking about unsaved work."""
        return self.window.confirm_discard("Opening an example") and self.load(path)

    def _trace_folder(self) -> Path:
        """Where the open dialog starts: where the last trace came from, or the samples."""
        settings = self.window.settings
        folder = settings.value(LAST_FOLDER) if settings is not None else None
        if isinstance(folder, str) and Path(folder).is_dir():
            return Path(folder)
        return resource_path("traces")

    def _remember_folder(self, folder: Path) -> None:
        if self.window.settings is not None:
            self.window.settings.setValue(LAST_FOLDER, str(folder))

    def load(self, path: Path) -> bool:
        """Read and load a trace; a bad file is explained and nothing changes."""
        try:
            trace = read_trace(path)
        except OrbitaError as error:
            self.window.report_problem("Cannot open the trace", str(error))
            return False
        return self.load_trace(trace, path.name)

    def load_trace(self, trace: Trace, name: str) -> bool:
        """Put a trace read already in the player; its warnings go to the log."""
        try:
            loaded = self.player.load(trace)
        except OrbitaError as error:  # a machine the trace asks for that cannot be built
            self.window.report_problem("Cannot open the trace", f"{trace.source}: {error}")
            return False
        if loaded:
            warnings = trace.warnings
            for warning in warnings:
                self.window.warn(warning)
            note = f" ({plural(len(warnings), 'warning')} in the log)" if warnings else ""
            self.window.say(f"Loaded {name}: {len(trace.ops):,} operations{note}. Space plays.")
        return loaded

    def go_to(self, position: int) -> None:
        """The state after `position` operations, the last one applied alone so that the
        narration and the code explain it."""
        position = min(max(position, 0), self.player.length)
        if position:
            self.seek(position - 1)
            self.player.step_forward()
            self.player.animation.stop()

    def seek(self, target: int) -> None:
        if self.player.distance(target) < FAR:
            self.player.seek(target)
            return
        with Progress(self.window, f"Going to operation {target:,}…") as progress:
            self.player.seek(target, progress)

    def save_session(self) -> bool:
        """Ask where, and write everything done to the machine; True once saved."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save session", "session.trace", "Orbita traces (*.trace)"
        )
        if not path:
            return False
        path, model = Path(path), self.window.model
        session = model.session()
        if not self._write(path, lambda: path.write_text(format_native(session), "utf-8")):
            return False
        model.mark_saved()
        self.window.say(f"Saved {len(session.ops):,} operations to {path}")
        return True

    # Export

    def export_png(self, widget: QWidget) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save picture", "orbita.png", "PNG (*.png)"
        )
        if path and not export.save_png(widget, Path(path)):
            self.window.report_problem("Cannot save", f"Cannot write {path}")

    def export_gif(self) -> None:
        if not self._need_trace():
            return
        w = self.window
        pictures = [
            ("Whole window", w),
            ("Frame grid", w.grid),
            ("Heap map", w.heap_map),
            ("Free list", w.free_list),
            ("Narration and code", w.dock("explain").widget()),
        ]
        pictures = [(name, widget) for name, widget in pictures if widget is not None]
        dialog = GifDialog(
            self.player.position, self.player.length, [name for name, _ in pictures], w
        )
        if not dialog.exec():
            return
        path, _ = QFileDialog.getSaveFileName(w, "Save GIF", "orbita.gif", "GIF (*.gif)")
        if path:
            choice = dialog.values()
            widget = pictures[choice.picture][1]
            explanation = w.explain.explanation if choice.steps else None
            with Progress(w, "Drawing the GIF…") as progress:
                self._write(
                    Path(path),
                    lambda: export.save_gif(
                        self.player,
                        widget,
                        choice.first,
                        choice.last,
                        choice.delay_ms,
                        Path(path),
                        progress,
                        explanation,
                    ),
                )

    def export_csv(self) -> None:
        if not self._need_trace():
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save CSV", "orbita.csv", "CSV (*.csv)")
        if not path:
            return
        with Progress(self.window, "Replaying the rest of the trace…") as progress:
            if not self.player.finish_recording(progress):
                return
        trace, series = self.player.trace, self.player.series
        self._write(Path(path), lambda: write_stats_csv(path, trace, series))

    def _write(self, path: Path, write) -> bool:
        """Run `write()`; a file that cannot be written is one message, not a crash."""
        try:
            write()
        except OSError as error:
            why = error.strerror or str(error)
            self.window.report_problem("Cannot save", f"Cannot write {path}: {why}")
            return False
        return True

    def _need_trace(self) -> bool:
        if not self.player.loaded:
            self.window.say("Open a trace first (Ctrl+O)", failed=True)
        return self.player.loaded

"""The window's trace features: open, play, plot, save the session, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from orbita_gui.model import TracePlayer
from orbita_gui.traces import FILE_FILTER, TraceSyntaxError, format_native, read_trace
from orbita_gui.traces.stats_csv import write_stats_csv
from orbita_gui.views.player_panel import PlayerPanel
from orbita_gui.views.stats_plots import StatsPlots

from . import export
from .gif_dialog import GifDialog

FAR = 5000
"""Seeks at least this far show a progress dialog with Cancel."""


class TraceUi(QObject):
    """Owns the trace player and everything in the window that drives or shows it."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.player = TracePlayer(window.model, self)
        self.panel = PlayerPanel(self.player)
        self.plots = StatsPlots(self.player)
        self.player_dock = window._dock("Player", self.panel, Qt.DockWidgetArea.TopDockWidgetArea)
        self.plots_dock = window._dock(
            "Statistics plots", self.plots, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        window.tabifyDockWidget(window.docks[2], self.plots_dock)  # a tab beside the log
        window.docks[2].raise_()
        for view in (window.grid, window.heap_map, window.free_list):
            view.follow(self.player.animation)
        self.panel.sig_seek_requested.connect(self.seek)
        self.plots.sig_seek_requested.connect(self.seek)
        self.player.sig_detached.connect(lambda why: window._say(why, failed=True))
        self.player.sig_trace_loaded.connect(self._on_trace_loaded)
        self._build_actions()

    # Actions

    def _build_actions(self) -> None:
        w, player = self.window, self.player
        self.open_action = w._action(
            "&Open trace…",
            self.open_trace,
            QKeySequence.StandardKey.Open,
            "Load a .trace, .rep, .ltrace or .ostep file into the player",
        )
        self.save_action = w._action(
            "&Save session…",
            self.save_session,
            QKeySequence.StandardKey.Save,
            "Save everything done to this machine as a trace",
        )
        exports = [
            w._action("Window as PNG…", lambda: self.export_png(w), tip="Save the window"),
            w._action("Frame grid as PNG…", lambda: self.export_png(w.grid), tip="Save the grid"),
            w._action(
                "Heap map as PNG…", lambda: self.export_png(w.heap_map), tip="Save the heap map"
            ),
            w._action("Animated GIF…", self.export_gif, tip="Operations of the trace as a GIF"),
            w._action("Statistics as CSV…", self.export_csv, tip="Statistics after each operation"),
        ]
        first = w.file_menu.actions()[0]
        w.file_menu.insertActions(first, [self.open_action, self.save_action])
        export_menu = w.file_menu.addMenu("&Export")
        export_menu.addActions(exports)
        w.file_menu.insertMenu(first, export_menu)
        w.file_menu.insertSeparator(first)
        w.view_menu.addActions(
            [self.player_dock.toggleViewAction(), self.plots_dock.toggleViewAction()]
        )

        # Keys for the player act where focus is not in a text field.
        self.transport = [
            w._action("Play or pause", player.toggle, "Space"),
            w._action("Step back", player.step_back, "Left"),
            w._action("Step forward", player.step_forward, "Right"),
            w._action("To the start", lambda: self.seek(0), "Home"),
            w._action("To the end", lambda: self.seek(player.length), "End"),
        ]
        targets: list[QWidget] = [w.centralWidget(), self.panel, self.plots]
        for action in self.transport:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for target in targets:
                target.addAction(action)
        player_menu = QMenu("&Player", w)
        player_menu.addActions(self.transport)
        w.menuBar().insertMenu(w.help_menu.menuAction(), player_menu)

    # Opening, moving, saving

    def open_trace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open trace", "", FILE_FILTER)
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> bool:
        """Read and load a trace; a bad file is explained and nothing changes."""
        try:
            trace = read_trace(path)
        except TraceSyntaxError as error:
            QMessageBox.warning(self.window, "Cannot open the trace", str(error))
            self.window._say(str(error), failed=True)
            return False
        with _Progress(self.window, f"Reading {path.name}…") as progress:
            loaded = self.player.load(trace, progress)
        if loaded:
            self.window._say(f"Loaded {path.name}: {len(trace.ops):,} operations. Space plays.")
        return loaded

    def seek(self, target: int) -> None:
        if abs(target - self.player.position) < FAR:
            self.player.seek(target)
            return
        with _Progress(self.window, f"Going to operation {target:,}…") as progress:
            self.player.seek(target, progress)

    def save_session(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save session", "session.trace", "Orbita traces (*.trace)"
        )
        if path:
            Path(path).write_text(format_native(self.window.model.session()), encoding="utf-8")
            self.window._say(f"Saved {len(self.window.model.history):,} operations to {path}")

    # Export

    def export_png(self, widget: QWidget) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save picture", "orbita.png", "PNG (*.png)"
        )
        if path:
            export.save_png(widget, Path(path))

    def export_gif(self) -> None:
        if not self._need_trace():
            return
        dialog = GifDialog(self.player.position, self.player.length, self.window)
        if not dialog.exec():
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save GIF", "orbita.gif", "GIF (*.gif)")
        if path:
            first, last, delay = dialog.values()
            with _Progress(self.window, "Drawing the GIF…") as progress:
                export.save_gif(self.player, self.window, first, last, delay, Path(path), progress)

    def export_csv(self) -> None:
        if not self._need_trace():
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save CSV", "orbita.csv", "CSV (*.csv)")
        if path:
            write_stats_csv(path, self.player.trace, self.player.report.series)

    def _need_trace(self) -> bool:
        if not self.player.loaded:
            self.window._say("Open a trace first (Ctrl+O)", failed=True)
        return self.player.loaded

    def _on_trace_loaded(self, trace) -> None:
        self.player_dock.show()


class _Progress:
    """A progress dialog with Cancel, shown only if the work takes a moment."""

    def __init__(self, parent: QWidget, label: str) -> None:
        self._dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(400)
        self._dialog.setValue(0)

    def __enter__(self):
        def report(done: int, total: int) -> bool:
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(done)
            QApplication.processEvents()
            return not self._dialog.wasCanceled()

        return report

    def __exit__(self, *exc) -> None:
        self._dialog.reset()
        self._dialog.deleteLater()

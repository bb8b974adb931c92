"""The main window: the frame grid beside the heap's two pictures, with docks around."""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from orbita_gui import __version__
from orbita_gui.model import MachineModel
from orbita_gui.resources import resource_path
from orbita_gui.views import palette
from orbita_gui.views.controls import ControlsPanel
from orbita_gui.views.frame_grid import FrameGridView
from orbita_gui.views.free_list_view import FreeListView
from orbita_gui.views.heap_canvas import label_font
from orbita_gui.views.heap_map import HeapMapView
from orbita_gui.views.legend import Legend
from orbita_gui.views.log_view import LogView
from orbita_gui.views.stats_panel import StatsPanel
from orbita_gui.views.throttle import TEXT_PER_SECOND, Throttle

from .reset_dialog import ResetDialog
from .trace_ui import TraceUi

STYLE = f"""
QMainWindow, QDockWidget, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {palette.PAPER.name()};
}}
QLabel {{ color: {palette.INK.name()}; }}
QDockWidget::title {{ padding: 4px; font-weight: 600; }}
"""

GRID_LEGEND = [
    (palette.FREE, "free"),
    (palette.USED, "used"),
    (palette.HEAP, "backs the heap"),
    (palette.MADE, "just allocated"),
    (palette.FREED, "just freed"),
    (palette.MARKER, "next_free, selected"),
]
HEAP_LEGEND = [
    (palette.USED, "block"),
    (palette.FREE, "free region"),
    (palette.LOST, "lost (padding)"),
    (palette.MADE, "last block, leftover"),
    (palette.PASSED, "passed over"),
]


def redo_shortcuts(platform: list[QKeySequence]) -> list[QKeySequence]:
    """The platform's Redo keys, then Ctrl+Shift+Z and Ctrl+Y, each once: a key given
    twice makes Qt call the shortcut ambiguous, and then neither redoes."""
    keys: list[QKeySequence] = []
    for key in [*platform, QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]:
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys


def _panel(title: str, body: QWidget, legend: list) -> QWidget:
    """A titled area: heading, legend, then the view; narrow enough for a projector."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(8, 8, 8, 4)
    heading = QLabel(title, wordWrap=True)
    heading.setFont(label_font(14, bold=True))
    layout.addWidget(heading)
    if legend:
        layout.addWidget(Legend(legend, columns=2))
    layout.addWidget(body, 1)
    return panel


def _panel_scroller(panel: QWidget) -> QScrollArea:
    """A dock panel that shows whole on a big screen and scrolls, up and down only, on a
    small one."""
    area = _scrolled(panel)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(
        panel.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width()
    )
    return area


def _scrolled(view: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(view)
    return area


class MainWindow(QMainWindow):
    """Physical memory on the left, the kernel heap on the right, both live."""

    def __init__(
        self,
        model: MachineModel | None = None,
        settings: QSettings | None = None,
        headless: bool = False,
    ):
        super().__init__()
        self.model = model or MachineModel()
        self.settings = settings
        self.headless = headless
        """Rendering without a person to answer: problems are printed, never asked."""
        self.setWindowTitle("Orbita OS memory[*]")
        self.setWindowIcon(QIcon(str(resource_path("icons", "orbita.svg"))))
        # The application's, not the window's: under a style sheet, widgets take the
        # application's palette, not their parent's.
        QApplication.setPalette(palette.window_palette())
        self.setStyleSheet(STYLE)

        self.grid = FrameGridView(self.model)
        self.heap_map = HeapMapView(self.model)
        self.free_list = FreeListView(self.model)
        heap = QSplitter(Qt.Orientation.Vertical)
        heap.addWidget(_panel("Kernel heap, page by page", _scrolled(self.heap_map), HEAP_LEGEND))
        heap.addWidget(_panel("Free list, in list order", _scrolled(self.free_list), []))
        heap.setSizes([520, 300])
        central = QSplitter(Qt.Orientation.Horizontal)
        central.addWidget(
            _panel("Physical memory: one cell per 4 KiB frame", self.grid, GRID_LEGEND)
        )
        central.addWidget(heap)
        central.setSizes([720, 680])
        self.setCentralWidget(central)

        self.controls = ControlsPanel(self.model)
        self.stats = StatsPanel(self.model)
        self.log = LogView(self.model)
        self.docks = [
            self._dock(
                "Controls", _panel_scroller(self.controls), Qt.DockWidgetArea.LeftDockWidgetArea
            ),
            self._dock(
                "Statistics", _panel_scroller(self.stats), Qt.DockWidgetArea.LeftDockWidgetArea
            ),
            self._dock("Operation log", self.log, Qt.DockWidgetArea.BottomDockWidgetArea),
        ]
        self.status = QLabel()
        self.status.setFont(label_font(12))
        self.statusBar().addWidget(self.status, 1)
        self._build_actions()
        self.traces = TraceUi(self)
        self._link_layers()
        self._latest: tuple[object, bool, bool] | None = None
        self._failed_style: bool | None = None
        model = self.model
        model.sig_event_applied.connect(lambda e: self._remember(e, False))
        model.sig_event_reverted.connect(lambda e: self._remember(e, True))
        model.sig_events_applied.connect(lambda events: self._remember(events[-1], False))
        model.sig_events_reverted.connect(lambda events: self._remember(events[-1], True))
        self._status_updates = Throttle(self._show_last_event, TEXT_PER_SECOND, self)
        model.sig_changed.connect(self._status_updates.request)
        model.sig_operation_failed.connect(lambda message: self._remember(message, failed=True))
        model.undo_stack.cleanChanged.connect(self._show_unsaved)
        model.sig_changed.connect(self._show_unsaved)
        self._fit_first_size(1440, 900)
        controls, stats, log = self.docks
        self.resizeDocks([controls, stats], [272, 298], Qt.Orientation.Vertical)
        self.resizeDocks([log], [160], Qt.Orientation.Vertical)
        self._restore_layout()

    # Building

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())  # saveState needs names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        model, grid = self.model, self.grid
        self.new_action = self._action(
            "&New machine…",
            self.new_machine,
            QKeySequence.StandardKey.New,
            "Start over with chosen memory and heap sizes",
        )
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit")
        self.undo_action = model.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = model.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(
            redo_shortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        )
        self.allocate_frame_action = self._action(
            "Allocate a &frame", model.allocate_frame, "F", "Ask the frame allocator for a frame"
        )
        self.allocate_block_action = self._action(
            "Allocate on the &heap",
            self.controls.allocate,
            "H",
            "Allocate the size and alignment in the controls",
        )
        self.free_selection_action = self._action(
            "Free &selection",
            model.free_selection,
            QKeySequence.StandardKey.Delete,
            "Free the Ctrl+clicked frames and blocks",
        )
        zoom_in = self._action("Zoom &in", lambda: grid.zoom(2), QKeySequence.StandardKey.ZoomIn)
        zoom_out = self._action(
            "Zoom &out", lambda: grid.zoom(0.5), QKeySequence.StandardKey.ZoomOut
        )
        self.fit_action = self._action("&Fit memory", grid.fit, "Ctrl+0", "Show every frame")
        about = self._action("&About Orbita", self._about)

        menus = self.menuBar()
        self.file_menu = file_menu = menus.addMenu("&File")
        file_menu.addActions([self.new_action, quit_action])
        edit = menus.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions(
            [self.allocate_frame_action, self.allocate_block_action, self.free_selection_action]
        )
        self.view_menu = view = menus.addMenu("&View")
        view.addActions([zoom_in, zoom_out, self.fit_action])
        view.addSeparator()
        view.addActions([dock.toggleViewAction() for dock in self.docks])
        self.help_menu = menus.addMenu("&Help")
        self.help_menu.addAction(about)

        toolbar = QToolBar("Main", objectName="main_toolbar")
        toolbar.setFont(label_font(12))
        toolbar.addActions([self.new_action, self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions([self.allocate_frame_action, self.allocate_block_action])
        toolbar.addActions([self.free_selection_action, self.fit_action])
        self.addToolBar(toolbar)

    def _link_layers(self) -> None:
        """Hovering a frame lights the heap bytes inside it, and the other way round."""

        def frame_hovered(frame: int) -> None:
            span = self.model.machine.heap_range_of_frame(frame) if frame >= 0 else None
            for view in (self.heap_map, self.free_list):
                view.highlight_range(*(span or (-1, -1)))

        def range_hovered(start: int, end: int) -> None:
            frames = None if start < 0 else self.model.machine.frames_under(start, end - start)
            self.grid.highlight_frames(frames)

        self.grid.sig_frame_hovered.connect(frame_hovered)
        self.heap_map.sig_range_hovered.connect(range_hovered)
        self.free_list.sig_range_hovered.connect(range_hovered)

    # Behaviour

    def new_machine(self) -> None:
        if not self.confirm_discard("Starting a new machine"):
            return
        machine = self.model.machine
        dialog = ResetDialog(machine.frames.total_frames * 4096, machine.heap.heap_size, self)
        if dialog.exec():
            memory, heap = dialog.sizes()
            self.model.reset(memory, heap)

    def confirm_discard(self, doing: str) -> bool:
        """Before what would lose hand-made operations: Save, Discard or Cancel. True to
        go on. Asks nothing when there is nothing unsaved."""
        if not self.model.unsaved:
            return True
        if self.headless:
            return True
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved operations",
            f"{doing} loses the operations made by hand since the last save.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Save them as a session trace first?")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.traces.save_session()
        return answer == QMessageBox.StandardButton.Discard

    def _show_unsaved(self) -> None:
        self.setWindowModified(self.model.unsaved)  # the title's [*]

    def report_problem(self, title: str, text: str) -> None:
        """A problem the user must read: a message box, or, with no one to close one,
        a line on stderr. The status bar says it too."""
        self.say(text, failed=True)
        if self.headless:
            print(f"orbita-gui: {text}", file=sys.stderr)
        else:
            QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self).exec()

    def warn(self, text: str) -> None:
        """A warning about the input (a trace's): in the log, and on stderr when headless,
        where no one reads the log."""
        self.log.add_note(text)
        if self.headless:
            print(text, file=sys.stderr)

    def _remember(self, item, undone: bool = False, failed: bool = False) -> None:
        """The latest operation (an event) or failure (its message): the status bar shows
        it at its next update. A fast replay's out-of-memory failures come by the hundred
        a second: saying each would restyle the bar back and forth in every frame."""
        if failed or not item.failed:  # a failed event's message follows on its own
            self._latest = (item, undone, failed)

    def _show_last_event(self) -> None:
        if self._latest is not None:
            item, undone, failed = self._latest
            text = item if failed else ("undone: " if undone else "") + item.describe()
            self.say(text, failed)
            self._latest = None

    def say(self, text: str, failed: bool = False) -> None:
        if failed != self._failed_style:  # restyling is slow: only when the colour changes
            colour = palette.ERROR if failed else palette.INK
            self.status.setStyleSheet(f"color: {colour.name()};")
            self._failed_style = failed
        self.status.setText(text)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Orbita",
            f"<b>orbita-gui {__version__}</b><p>Watch the Orbita OS frame and heap "
            "allocators work, live and exact: the bitmap frame allocator with its "
            "next_free hint, and the first-fit linked-list heap.</p>",
        )

    # Remembered layout

    def _fit_first_size(self, width: int, height: int) -> None:
        """The size of a first start, no larger than the screen (a projector is often
        1024 x 768): a window beyond its edges hides its right-hand views."""
        screen = self.screen().availableGeometry()
        self.resize(min(width, screen.width()), min(height, screen.height()))

    def _restore_layout(self) -> None:
        """Size and docks as they were; a setting that cannot be read (edited by hand,
        another version's) is passed over, and written anew at exit."""
        if self.settings is None:
            return
        geometry = _setting_bytes(self.settings, "window/geometry")
        state = _setting_bytes(self.settings, "window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if not self.confirm_discard("Quitting"):
            event.ignore()
            return
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        self.traces.player.pause()
        for view in (self.grid, self.heap_map, self.free_list, self.stats, self.traces.plots):
            view.cleanup()
        super().closeEvent(event)


def _setting_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A saved byte array, or None if the setting is missing or holds anything else."""
    value = settings.value(key)  # a str, a list, None (an unknown @Variant) ...
    return value if isinstance(value, QByteArray) else None

"""The main window: the frame grid beside the heap's two pictures, with docks around."""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from orbita_gui import __version__
from orbita_gui.core import registry
from orbita_gui.model import MachineModel
from orbita_gui.resources import resource_path
from orbita_gui.views import palette, type_scale
from orbita_gui.views.controls import ControlsPanel
from orbita_gui.views.heap_state import allocator_words
from orbita_gui.views.legend import Legend
from orbita_gui.views.log_view import LogView
from orbita_gui.views.registry import (
    FRAMES,
    HEAP,
    layer_allocators,
    marks_drawn,
    view_kind,
    views_for,
)
from orbita_gui.views.stats_panel import StatsPanel
from orbita_gui.views.throttle import TEXT_PER_SECOND, Throttle

from .compare_ui import CompareUi
from .explain_ui import ExplainUi
from .lecture_ui import LectureUi
from .predict_ui import PredictUi
from .progress import Progress
from .reset_dialog import ResetDialog
from .result_hold import ResultHold
from .snug_splitter import SMALLEST, SnugScrollArea, SnugSplitter
from .theme_ui import ThemeUi
from .trace_ui import TraceUi

EXPLAIN_SHARE = 0.24
"""The narration and code's first share of the window's height: the class reads them
(four lines of narration at 768 lines, and the free list keeps three nodes)."""
LEFT_WIDTH = 250
"""The controls' and statistics' first width: what they need, the rest to the pictures."""
CAPTION = "caption"
"""The object name of the labels over the pictures: their headings, the allocator line."""


def redo_shortcuts(platform: list[QKeySequence]) -> list[QKeySequence]:
    """The platform's Redo keys, then Ctrl+Shift+Z and Ctrl+Y, each once: a key given
    twice makes Qt call the shortcut ambiguous, and then neither redoes."""
    keys: list[QKeySequence] = []
    for key in [*platform, QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]:
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys


def _panel(title: str, body: QWidget, legend: Legend | None, subtitle: QLabel | None = None):
    """A titled area: heading, subtitle, legend, then the view; narrow enough for a
    projector."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(8, 8, 8, 4)
    heading = QLabel(title, wordWrap=True, objectName=CAPTION)
    type_scale.styled(heading, 14, bold=True)
    layout.addWidget(heading)
    if subtitle is not None:
        layout.addWidget(subtitle)
    if legend is not None:
        layout.addWidget(legend)
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
    area = SnugScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(view)
    return area


class MainWindow(QMainWindow):
    """Physical memory on the left, the kernel heap on the right, both live.

    Features add to it through `add_dock`, `dock`, `add_menu`, `add_action`,
    `make_action` and `say`. Menus: "file" (sections "machine", "quit"), "edit"
    ("undo", "allocate"), "view" ("memory", "docks"), "help" ("about")."""

    sig_region_picked = Signal(object)
    """A free heap region clicked in a picture: its start (predict mode's guess)."""
    sig_closed = Signal()
    """The window closed (the user agreed to lose nothing): windows of its features go too."""
    sig_frame_picked = Signal(int)
    """A frame clicked while picking (`set_picking`): predict mode's guess."""

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
        self.setStyleSheet(palette.style_sheet())

        self.views: dict[str, QWidget] = {}
        """The pictures of the machine by id ("grid", "heap_map", "free_list"), built from
        the view table (views/registry.py) for what the machine holds."""
        self._layers: dict[str, tuple[str, list[str], QWidget]] = {}
        """Per layer: the view kind built, its views' ids, and the area holding them."""
        self._allocator_labels: list[QLabel] = []
        self._legends: list[Legend] = []
        self._legends_shown = True
        self._captions_shown = True
        self._picking = False
        self._central = QSplitter(Qt.Orientation.Horizontal)
        for layer, allocator in layer_allocators(self.model.machine).items():
            self._central.addWidget(self._build_layer(layer, allocator))
        self._central.setSizes([640, 760])  # the heap's pictures need the width more
        self.setCentralWidget(self._central)
        self.model.sig_machine_reset.connect(self._on_machine_reset)

        self.controls = ControlsPanel(self.model, self.allocate_frames)
        self.stats = StatsPanel(self.model)
        self.log = LogView(self.model)
        self.status = QLabel()
        type_scale.styled(self.status, 12)
        self.statusBar().addWidget(self.status, 1)
        self._latest: tuple[object, bool, bool] | None = None
        self._held_status: tuple[str, bool] | None = None
        """While a student walks an operation's steps: what the bar said before."""
        self._failed_style: bool | None = None  # before any feature can `say` a word
        self._menus: dict[str, QMenu] = {}
        self._sections: dict[str, list[tuple[str, QAction]]] = {}
        """Each menu's sections in menu order: name, and the separator that starts it."""
        self._docks: dict[str, QDockWidget] = {}
        self._build_actions()
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.add_dock("controls", "Controls", _panel_scroller(self.controls), left)
        self.add_dock("stats", "Statistics", _panel_scroller(self.stats), left)
        self.add_dock("log", "Operation log", self.log, bottom)
        self.traces = TraceUi(self)
        self.theme = ThemeUi(self)
        model = self.model
        self.explain = ExplainUi(self, self.traces.player)
        self.result_hold = ResultHold(self, self.explain.explanation)
        self.lecture = LectureUi(self)
        self.predict = PredictUi(self, self.traces.player, self.explain.explanation)
        self.compare = CompareUi(self)
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
        self._first_layout = not self._restore_layout()
        """No layout was remembered: the docks get their first sizes when first shown
        (before that the window is not laid out, and they would not take)."""

    # The pictures, from the view table

    @property
    def grid(self):
        """The frame grid (None if the machine's frames are shown otherwise)."""
        return self.views.get("grid")

    @property
    def heap_map(self):
        return self.views.get("heap_map")

    @property
    def free_list(self):
        return self.views.get("free_list")

    def layer_views(self, layer: str) -> list[QWidget]:
        """The views of one layer ("frames", "heap"), top to bottom."""
        return [self.views[view_id] for view_id in self._layers[layer][1]]

    def _build_layer(self, layer: str, allocator, follow=None) -> QWidget:
        """The area showing one layer: the views the table names for its allocator's
        view kind, one above the other, linked to the other layer's views."""
        specs = views_for(allocator)
        panels = []
        for spec in specs:
            view = spec.factory(self.model)
            if follow is not None:
                view.follow(follow)
            self.views[spec.view_id] = view
            subtitle = None
            if spec.with_allocator:
                subtitle = QLabel(wordWrap=True, objectName=CAPTION)
                type_scale.styled(subtitle, 11)
                self._allocator_labels.append(subtitle)
            body = _scrolled(view) if spec.scrolled else view
            body.setMinimumSize(SMALLEST, SMALLEST)
            legend = Legend(list(spec.legend), columns=2) if spec.legend else None
            if legend is not None:
                legend.setVisible(self._legends_shown)
                self._legends.append(legend)
            panels.append(_panel(spec.title, body, legend, subtitle))
            if layer == FRAMES:
                view.sig_frame_hovered.connect(self._frame_hovered)
                view.sig_frame_picked.connect(self.sig_frame_picked)
                view.picking = self._picking
            else:
                view.sig_range_hovered.connect(self._range_hovered)
                view.sig_region_picked.connect(self.sig_region_picked)
        self._show_allocator()
        for panel in panels:
            for caption in panel.findChildren(QLabel, CAPTION):
                caption.setVisible(self._captions_shown)
        if len(panels) == 1:
            area = panels[0]
        else:
            area = SnugSplitter([spec.stretch for spec in specs])
            for panel in panels:
                area.addWidget(panel)
            self.model.sig_machine_reset.connect(area.refit)
            type_scale.changes().sig_scale_changed.connect(area.refit_soon)
        self._layers[layer] = (view_kind(allocator), [spec.view_id for spec in specs], area)
        return area

    def _on_machine_reset(self) -> None:
        """A reset may bring an allocator of another view kind: its layer's views are
        built anew from the table (the others stay, already showing the new machine)."""
        self.rebuild_views(only_changed=True)

    def rebuild_views(self, only_changed: bool = False) -> None:
        """Build the pictures anew from the view table: after a change of theme (they
        take their colours when built), or, `only_changed`, of the layers whose
        allocator now wants another view kind."""
        for index, (layer, allocator) in enumerate(layer_allocators(self.model.machine).items()):
            kind, view_ids, area = self._layers[layer]
            if only_changed and view_kind(allocator) == kind:
                continue
            old = [self.views.pop(view_id) for view_id in view_ids]
            following = next((v.animation for v in old if v.animation is not None), None)
            focus = QApplication.focusWidget()
            focused = next((n for n, view in enumerate(old) if view.isAncestorOf(focus)), None)
            for view in old:
                view.cleanup()
            self._allocator_labels = [
                label for label in self._allocator_labels if not area.isAncestorOf(label)
            ]
            self._legends = [legend for legend in self._legends if not area.isAncestorOf(legend)]
            self._central.replaceWidget(index, self._build_layer(layer, allocator, following))
            area.deleteLater()
            if focused is not None:  # the keys (steps, predict) go on working
                view_ids = self._layers[layer][1]
                self.views[view_ids[min(focused, len(view_ids) - 1)]].setFocus()
            # What a view let go was hovering lights the other layer no more.
            if layer == FRAMES:
                self._frame_hovered(-1)
            else:
                self._range_hovered(-1, -1)
        self._show_allocator()

    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide one layer's pictures (lecture mode shows the layer explained
        alone). A layer built anew keeps it: `replaceWidget` passes visibility on."""
        self._layers[layer][2].setVisible(visible)

    def set_picking(self, on: bool) -> None:
        """Clicks on the frame grid pick a frame (`sig_frame_picked`) instead of
        allocating or freeing one: predict mode asks which frame comes next."""
        self._picking = on
        for view in self.layer_views(FRAMES):
            view.picking = on

    def set_legends_visible(self, visible: bool) -> None:
        """Show or hide the pictures' legends (lecture mode hides them: the height goes
        to the pictures, and the teacher says what the colours mean)."""
        self._legends_shown = visible
        for legend in self._legends:
            legend.setVisible(visible)

    def set_captions_visible(self, visible: bool) -> None:
        """Show or hide the pictures' headings and the allocator line (lecture mode hides
        them: at its type they would take a third of a projector's height)."""
        self._captions_shown = visible
        for caption in self._central.findChildren(QLabel, CAPTION):
            caption.setVisible(visible)

    def _show_allocator(self) -> None:
        """The heap allocator in use, under the heap's heading: what a teacher checks."""
        machine = self.model.machine
        words = allocator_words(machine)
        for label in self._allocator_labels:
            label.setText(f"Allocator: {words}")
            label.setToolTip(registry_help(machine))
        applies = marks_drawn(machine.heap)
        for legend in self._legends:
            legend.show_only(applies)

    def _frame_hovered(self, frame: int) -> None:
        """Hovering a frame lights the heap bytes inside it."""
        span = self.model.machine.heap_range_of_frame(frame) if frame >= 0 else None
        for view in self.layer_views(HEAP):
            view.highlight_range(*(span or (-1, -1)))

    def _range_hovered(self, start: int, end: int) -> None:
        """Hovering heap bytes lights the frames they are in."""
        frames = None if start < 0 else self.model.machine.frames_under(start, end - start)
        for view in self.layer_views(FRAMES):
            view.highlight_frames(frames)

    # The public API: features (the trace player, plots, export, ...) add their docks,
    # menu items and status messages through these, by name, never through private
    # members or positions, so that each can change without breaking the others.

    def add_dock(
        self,
        dock_id: str,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        tabify_with: str | None = None,
    ) -> QDockWidget:
        """A dock known as `dock_id`, its show-or-hide switch in View's "docks" section.
        The id is also the dock's object name, by which the remembered layout puts it
        back. With `tabify_with`, a tab behind that dock, which stays in front: a
        feature's dock does not cover what the user was reading."""
        if dock_id in self._docks:
            raise ValueError(f"a dock {dock_id!r} exists already")
        dock = QDockWidget(title, self)
        dock.setObjectName(dock_id)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            front = self.dock(tabify_with)
            self.tabifyDockWidget(front, dock)
            front.raise_()
        self._docks[dock_id] = dock
        self.add_action("view", dock.toggleViewAction(), section="docks")
        return dock

    def dock(self, dock_id: str) -> QDockWidget:
        """The dock added as `dock_id` ("controls", "stats", "log", "player", "plots");
        KeyError if there is none."""
        return self._docks[dock_id]

    def add_menu(self, menu_id: str, title: str, before: str | None = None) -> QMenu:
        """A menu of the menu bar known as `menu_id`, placed before the menu `before`
        (so that Help stays last), or at the end."""
        if menu_id in self._menus:
            raise ValueError(f"a menu {menu_id!r} exists already")
        menu = QMenu(title, self)
        if before is None:
            self.menuBar().addMenu(menu)
        else:
            self.menuBar().insertMenu(self._menus[before].menuAction(), menu)
        self._menus[menu_id] = menu
        self._sections[menu_id] = []
        return menu

    def add_action(
        self,
        menu_id: str,
        action: QAction,
        section: str | None = None,
        before: str | None = None,
    ) -> QAction:
        """Put `action` (a submenu: its `menuAction()`) last in `section` of the menu
        `menu_id` ("file", "edit", "view", "player", "help"). A section is a named
        group between separators (None: the menu's unnamed one); a section new to the
        menu goes before the section `before`, or last. Names, not positions: an item
        lands in its place whatever other features added, and in whatever order.
        Returns the action."""
        menu, sections = self._menus[menu_id], self._sections[menu_id]
        name = section or ""
        names = [known for known, _ in sections]
        if name not in names:
            if before is None:
                sections.append((name, menu.addSeparator()))
            else:
                if before not in names:
                    raise KeyError(f"no section {before!r} in the menu {menu_id!r}")
                at = names.index(before)
                sections.insert(at, (name, menu.insertSeparator(sections[at][1])))
            names = [known for known, _ in sections]
        after = names.index(name) + 1
        if after < len(sections):
            menu.insertAction(sections[after][1], action)
        else:
            menu.addAction(action)
        return action

    def make_action(self, text: str, slot, shortcut=None, tip: str | None = None) -> QAction:
        """An action of the window calling `slot`; the tip shows in the status bar and,
        with the shortcut, as the tool tip. Owned by the window, so that it lives as
        long as the menus and tool bars that show it."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.triggered.connect(slot)
        return action

    # Building

    def _build_actions(self) -> None:
        model, make = self.model, self.make_action
        new = make(
            "&New machine…",
            self.new_machine,
            QKeySequence.StandardKey.New,
            "Start over with chosen memory and heap sizes",
        )
        self.undo_action = model.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = model.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(
            redo_shortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        )
        allocate_frame = make(
            "Allocate a &frame", model.allocate_frame, "F", "Ask the frame allocator for a frame"
        )
        allocate_block = make(
            "Allocate on the &heap",
            self.controls.allocate,
            "H",
            "Allocate the size and alignment in the controls",
        )
        free_selection = make(
            "Free &selection",
            model.free_selection,
            QKeySequence.StandardKey.Delete,
            "Free the Ctrl+clicked frames and blocks",
        )
        fit = make("&Fit memory", lambda: self.grid.fit(), "Ctrl+Alt+0", "Show every frame")

        for menu_id, title in [("file", "&File"), ("edit", "&Edit"), ("view", "&View")]:
            self.add_menu(menu_id, title)
        self.add_menu("help", "&Help")  # features add theirs before it: Help stays last
        self.add_action("file", new, "machine")
        self.add_action(
            "file", make("&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit"), "quit"
        )
        for action in (self.undo_action, self.redo_action):
            self.add_action("edit", action, "undo")
        for action in (allocate_frame, allocate_block, free_selection):
            self.add_action("edit", action, "allocate")
        zoom_in = make("Zoom memory &in", lambda: self.grid.zoom(2), "Ctrl+Alt+=")
        zoom_out = make("Zoom memory &out", lambda: self.grid.zoom(0.5), "Ctrl+Alt+-")
        for action in (zoom_in, zoom_out, fit):
            self.add_action("view", action, "memory")
        self.add_action("help", make("&About Orbita", self._about), "about")

        self.toolbar = QToolBar("Main", objectName="main_toolbar")
        type_scale.styled(self.toolbar, 12)
        self.toolbar.addActions([new, self.undo_action, self.redo_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([allocate_frame, allocate_block, free_selection, fit])
        self.addToolBar(self.toolbar)

    def add_tool(self, action: QAction) -> QAction:
        """Put a feature's `action` at the end of the main tool bar."""
        self.toolbar.addAction(action)
        type_scale.restyle(self.toolbar)  # its new button in the tool bar's type
        return action

    # Behaviour

    def new_machine(self) -> None:
        if not self.confirm_discard("Starting a new machine"):
            return
        machine = self.model.machine
        dialog = ResetDialog(
            machine.frames.total_frames * 4096,
            machine.heap.heap_size,
            self,
            heap=getattr(machine, "heap_kind", "guide"),
            heap_params=dict(machine.heap.params),
            frames=machine.frames_kind,
        )
        if dialog.exec():
            memory, heap_size = dialog.sizes()
            heap, heap_params = dialog.allocator()
            frames = dialog.frame_allocator()
            self.model.reset(memory, heap_size, heap=heap, heap_params=heap_params, frames=frames)

    def allocate_frames(self, count: int) -> int:
        """Allocate `count` frames as one undo step; a progress dialog with Cancel if
        that takes more than a moment (two million frames take seconds)."""
        if self.headless:
            return self.model.allocate_frames(count)
        with Progress(self, f"Allocating {count:,} frames…") as progress:
            return self.model.allocate_frames(count, progress)

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
        if self._latest is not None and self._held_status is None:
            item, undone, failed = self._latest
            text = item if failed else ("undone: " if undone else "") + item.describe()
            self.say(text, failed)
            self._latest = None

    def hold_status(self, text: str | None) -> None:
        """Say `text` instead of the news of operations until `hold_status(None)`, which
        says what was said before or what happened since."""
        if text is not None:
            if self._held_status is None:
                self._held_status = (self.status.text(), bool(self._failed_style))
            self.say(text)
        elif self._held_status is not None:
            before, self._held_status = self._held_status, None
            self.say(*before)
            self._show_last_event()

    def say(self, text: str, failed: bool = False) -> None:
        """One line in the status bar: what just happened, or in red what went wrong.
        Features say their news here rather than in a label of their own."""
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

    def _restore_layout(self) -> bool:
        """Size and docks as they were; a setting that cannot be read (edited by hand,
        another version's) is passed over, and written anew at exit. Whether the docks'
        layout came back."""
        if self.settings is None:
            return False
        geometry = _setting_bytes(self.settings, "window/geometry")
        state = _setting_bytes(self.settings, "window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        return state is not None and self.restoreState(state)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._first_layout:
            self._first_layout = False
            vertical, across = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
            self.resizeDocks([self.dock("controls")], [LEFT_WIDTH], across)
            self.resizeDocks([self.dock("controls"), self.dock("stats")], [272, 298], vertical)
            explain = round(self.height() * EXPLAIN_SHARE)
            self.resizeDocks([self.dock("explain")], [explain], vertical)

    def closeEvent(self, event) -> None:
        if not self.confirm_discard("Quitting"):
            event.ignore()
            return
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        self.traces.cleanup()
        for view in (*self.views.values(), self.stats):
            view.cleanup()
        super().closeEvent(event)
        self.sig_closed.emit()


def registry_help(machine) -> str:
    """The registry's words for the machine's heap allocator."""
    name = getattr(machine, "heap_kind", None) or machine.heap.kind
    return registry.kind(name).help


def _setting_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A saved byte array, or None if the setting is missing or holds anything else."""
    value = settings.value(key)  # a str, a list, None (an unknown @Variant) ...
    return value if isinstance(value, QByteArray) else None

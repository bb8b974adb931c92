"""For a projector: text zoom (Ctrl++, Ctrl+-, Ctrl+0), remembered, and lecture mode
(F5), which hides what a lecture does not need and sets type large enough to read
from the back of the hall."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from orbita_gui.core.events import FRAMES, HEAP
from orbita_gui.core.pages import PAGE_STEPS
from orbita_gui.traces.trace import FRAME_KINDS
from orbita_gui.views import type_scale
from orbita_gui.views.registry import layer_allocators

ZOOM_STEP = 1.15
LECTURE_CAPITALS = 24
"""Height of a capital letter in lecture mode, in pixels, on a window 768 pixels tall."""
LECTURE_HIDES = ("controls", "stats", "log", "plots")
"""Docks a lecture does not need: the class watches, the teacher steps; the narration
says what the log would."""
LECTURE_EXPLAIN_SHARES = {FRAMES: 0.34, HEAP: 0.25}
"""The narration and code's share of the window's height in lecture mode, by the layer
shown: the heap's pictures need two rows of free-list nodes (three nodes), the grid
shows as many rows as it is given."""
NARRATION_SHARE = 0.6
"""The narration's share of that height: three lines; the code has two, its lit line."""
UNTITLED = ("player", "explain")
"""Docks that stay, without their title bars: every line of height goes to the pictures."""
SETTING = "view/text_scale"
REFIT_MS = 100
"""How long after the last resize lecture mode fits type and layout to the window."""


def explained_layer(explanation) -> str | None:
    """The layer the operation explained works on (the frames, at a heap's step that
    maps or unmaps pages: a slab's new slab); before a trace's first operation, the
    layer of that one (its intro says what to watch); None when nothing is."""
    if explanation.event is not None:
        step = explanation.step
        return FRAMES if step is not None and step.kind in PAGE_STEPS else explanation.event.layer
    trace = explanation.trace
    if trace is not None and len(trace.ops) > 0:
        return FRAMES if trace.ops[0].kind in FRAME_KINDS else HEAP
    return None


def lecture_scale(window_height: int) -> float:
    """The type scale at which the application's font has capitals `LECTURE_CAPITALS`
    pixels tall for each 768 pixels of window height. Measured, not computed: a
    font's capitals are whole pixels (23 or 25, never 24, in some fonts), so they do
    not grow in proportion. Of the scales within 8% of the proportional one: the
    smallest whose capitals come nearest, the taller of two as near (for the back row)."""
    target = LECTURE_CAPITALS * window_height / 768
    guess = 4 * target / _capitals(4.0)  # large capitals: a pixel's rounding is small
    near = [guess * (1 + percent / 100) for percent in range(-8, 9)]

    def miss(scale: float) -> tuple[float, float, float]:
        capitals = _capitals(scale)
        return abs(capitals - target), -capitals, scale

    return min(near, key=miss)


def _capitals(scale: float) -> float:
    """The height of the application font's capitals at a type scale."""
    font = QFont()
    font.setPointSizeF(type_scale.BASE_POINTS * scale)
    return QFontMetricsF(font).capHeight()


class _Before(NamedTuple):
    """What lecture mode changed, as it was: put back when it ends."""

    scale: float
    docks: dict[str, bool]
    bars: list[bool]
    explain_height: int
    panel_sizes: list[int]


class LectureUi(QObject):
    """The zoom and lecture-mode actions of a window, and the state they change."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.lecturing = False
        self._layer_shown: str | None = None
        """The layer whose pictures lecture mode shows alone (None before the first)."""
        self._before: _Before | None = None
        make = window.make_action
        actions = [
            make("&Larger text", lambda: self.zoom_by(ZOOM_STEP), QKeySequence.StandardKey.ZoomIn),
            make(
                "&Smaller text",
                lambda: self.zoom_by(1 / ZOOM_STEP),
                QKeySequence.StandardKey.ZoomOut,
            ),
            make("&Normal text size", lambda: self.set_scale(1.0), "Ctrl+0"),
        ]
        for action in actions:
            window.add_action("view", action, section="text", before="memory")
        self.lecture_action = make(
            "&Lecture mode",
            self.set_lecture,
            "F5",
            "Large type and only the pictures, narration and player, for a projector",
        )
        self.lecture_action.setCheckable(True)
        window.add_action("view", self.lecture_action, section="text")
        window.add_tool(self.lecture_action)
        window.explain.explanation.sig_explanation_changed.connect(self._follow_explanation)
        window.explain.explanation.sig_step_changed.connect(self._follow_explanation)
        self._refit = QTimer(self, singleShot=True, interval=REFIT_MS)
        self._refit.timeout.connect(self._fit_window)
        self._rescroll = QTimer(self, singleShot=True, interval=0)
        self._rescroll.timeout.connect(self._show_step_again)
        window.installEventFilter(self)
        type_scale.apply_application_font()
        saved = window.settings.value(SETTING) if window.settings is not None else None
        try:
            self.set_scale(float(saved) if saved is not None else 1.0)
        except (TypeError, ValueError):  # a setting edited by hand: passed over
            self.set_scale(1.0)

    def zoom_by(self, factor: float) -> None:
        self.set_scale(type_scale.scale() * factor)

    def set_scale(self, scale: float) -> None:
        """All type at `scale`; remembered, except the lecture's own."""
        scale = type_scale.set_scale(scale)
        if not self.lecturing and self.window.settings is not None:
            self.window.settings.setValue(SETTING, scale)

    def set_lecture(self, on: bool) -> None:
        """Lecture mode on or off; off puts back the docks and the zoom of before."""
        if on == self.lecturing:
            return
        self.lecturing = on
        if on:
            self._enter()
        else:
            self._leave()
        self.lecture_action.setChecked(on)
        self.window.say("Lecture mode: F5 to leave it" if on else "Lecture mode off")

    def _bars(self) -> tuple[QWidget, QWidget]:
        return self.window.toolbar, self.window.statusBar()

    def _enter(self) -> None:
        window = self.window
        self._before = _Before(
            type_scale.scale(),
            {dock: window.dock(dock).isVisible() for dock in LECTURE_HIDES},
            [bar.isVisible() for bar in self._bars()],
            window.dock("explain").height(),
            window.explain.panels.sizes(),
        )
        for dock in LECTURE_HIDES:
            window.dock(dock).hide()
        for bar in self._bars():  # F5 and the View menu lead back; the narration tells news
            bar.hide()
        for dock in UNTITLED:
            window.dock(dock).setTitleBarWidget(QWidget(window.dock(dock)))
        window.set_legends_visible(False)
        window.set_captions_visible(False)
        self._stack_explanation(True)
        self._fit_window()

    def _leave(self) -> None:
        window, before = self.window, self._before
        for dock, visible in before.docks.items():
            window.dock(dock).setVisible(visible)
        for bar, visible in zip(self._bars(), before.bars, strict=True):
            bar.setVisible(visible)
        for dock in UNTITLED:
            window.dock(dock).setTitleBarWidget(None)
        window.set_legends_visible(True)
        window.set_captions_visible(True)
        self._show_layers(None)
        self._stack_explanation(False)
        window.explain.panels.setSizes(before.panel_sizes)
        self._size_explanation(before.explain_height)
        type_scale.set_scale(before.scale)

    def eventFilter(self, watched, event) -> bool:
        """A lecture window resized (maximised on the projector, say) has its type and
        layout fitted again, once the resizing stops."""
        if event.type() == QEvent.Type.Resize and self.lecturing:
            self._refit.start()
        return False

    def _fit_window(self) -> None:
        """Type and layout for the window's height now."""
        type_scale.set_scale(lecture_scale(self.window.height()))
        self._lay_out()

    def _follow_explanation(self) -> None:
        """Another operation or step explained: its layer's pictures, if those are not
        shown."""
        if self.lecturing and self._layer_to_show() != self._layer_shown:
            self._lay_out()

    def _layer_to_show(self) -> str:
        """The layer the operation explained works on; with none, the layer shown (at
        first, the machine's first): at lecture type, two layers side by side would
        each keep a sliver."""
        layer = explained_layer(self.window.explain.explanation)
        if layer is not None:
            return layer
        return self._layer_shown or next(iter(layer_allocators(self.window.model.machine)))

    def _lay_out(self) -> None:
        """The pictures of one layer (`_layer_to_show`), alone and the window's full
        width, and below them the narration and code at that layer's share."""
        layer = self._layer_to_show()
        self._show_layers(layer)
        self._layer_shown = layer
        height = round(self.window.height() * LECTURE_EXPLAIN_SHARES[layer])
        self._size_explanation(height)
        panels = self.window.explain.panels
        panels.setSizes([round(height * NARRATION_SHARE), round(height * (1 - NARRATION_SHARE))])
        self._rescroll.start()

    def _show_step_again(self) -> None:
        """The narration and the code scrolled to the step shown once more: their text
        flowed anew at the new type and height."""
        for panel in (self.window.explain.narration, self.window.explain.code):
            panel.redraw()

    def _size_explanation(self, height: int) -> None:
        self.window.resizeDocks([self.window.dock("explain")], [height], Qt.Orientation.Vertical)

    def _stack_explanation(self, stacked: bool) -> None:
        """In lecture mode, the narration above the code, each the window's full width:
        side by side at lecture type, a sentence and a line of code each wrap to four.
        The code's title goes: the narration names the operation."""
        explain = self.window.explain
        across = Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
        explain.panels.setOrientation(across)
        explain.code.title.setVisible(not stacked)

    def _show_layers(self, only: str | None) -> None:
        """Only the pictures of the layer `only`; all of them for None (or a layer the
        machine has no pictures of). The keyboard, if it was in pictures that went, goes
        to those that came: Qt would give it to the player's speed, and Up and Down would
        change the speed rather than walk the steps."""
        window = self.window
        layers = layer_allocators(window.model.machine)
        focus = QApplication.focusWidget()
        for layer in layers:
            window.set_layer_visible(layer, only not in layers or layer == only)
        if focus is not None and not focus.isVisible() and only in layers:
            window.layer_views(only)[0].setFocus()

"""For a projector: text zoom (Ctrl++, Ctrl+-, Ctrl+0), remembered, and lecture mode
(F5), which hides what a lecture does not need and sets type large enough to read
from the back of the hall."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QKeySequence
from PySide6.QtWidgets import QWidget

from orbita_gui.views import type_scale

ZOOM_STEP = 1.15
LECTURE_CAPITALS = 16
"""Height of a capital letter in lecture mode, in pixels, on a window 768 pixels tall."""
LECTURE_HIDES = ("controls", "stats", "log", "plots")
"""Docks a lecture does not need: the class watches, the teacher steps; the narration
says what the log would."""
LECTURE_EXPLAIN_SHARE = 0.3
"""The narration and code's share of the window's height in lecture mode: six lines of
narration, and room left for two rows of free-list nodes."""
UNTITLED = ("player", "explain")
"""Docks that stay, without their title bars: every line of height goes to the pictures."""
SETTING = "view/text_scale"


def lecture_scale(window_height: int) -> float:
    """The type scale at which the application's font has capitals `LECTURE_CAPITALS`
    pixels tall for each 768 pixels of window height. Measured, not computed: a
    font's capitals are whole pixels, so they do not grow in proportion."""
    target = LECTURE_CAPITALS * window_height / 768
    scale, font = 1.0, QFont()
    for _ in range(4):
        font.setPointSizeF(type_scale.BASE_POINTS * scale)
        scale *= target / QFontMetricsF(font).capHeight()
    return scale


class LectureUi(QObject):
    """The zoom and lecture-mode actions of a window, and the state they change."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.lecturing = False
        self._before: tuple[float, dict[str, bool]] | None = None
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
        window = self.window
        bars = (window.toolbar, window.statusBar())
        if on:
            shown = {dock: window.dock(dock).isVisible() for dock in LECTURE_HIDES}
            self._before = (type_scale.scale(), shown, [bar.isVisible() for bar in bars])
            self.lecturing = True
            for dock in LECTURE_HIDES:
                window.dock(dock).hide()
            for bar in bars:  # F5 and the View menu lead back; the narration tells news
                bar.hide()
            for dock in UNTITLED:
                window.dock(dock).setTitleBarWidget(QWidget(window.dock(dock)))
            window.set_legends_visible(False)
            explain = window.dock("explain")
            self._explain_height = explain.height()
            window.resizeDocks(
                [explain], [round(window.height() * LECTURE_EXPLAIN_SHARE)], Qt.Orientation.Vertical
            )
            type_scale.set_scale(lecture_scale(window.height()))
        else:
            scale, shown, bars_shown = self._before
            self.lecturing = False
            for dock, visible in shown.items():
                window.dock(dock).setVisible(visible)
            for bar, visible in zip(bars, bars_shown, strict=True):
                bar.setVisible(visible)
            for dock in UNTITLED:
                window.dock(dock).setTitleBarWidget(None)
            window.set_legends_visible(True)
            explain = window.dock("explain")
            window.resizeDocks([explain], [self._explain_height], Qt.Orientation.Vertical)
            type_scale.set_scale(scale)
        self.lecture_action.setChecked(on)
        window.say("Lecture mode: F5 to leave it" if on else "Lecture mode off")

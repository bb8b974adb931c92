"""The colours every view shares, in three themes: light, dark and high contrast.

The same meaning has the same colour everywhere, the plots included: in use is blue,
free is the paper of memory, the heap's frames are amber, lost bytes are brick red,
what just happened is teal (made) or pink (freed), what a search passed over is lime,
and next_free and the selection are in the marker's ink. The states a viewer must tell
apart (`STATES`) stay at least `APART` apart in CIEDE2000 with normal vision and with
protanopia, deuteranopia or tritanopia simulated, and text is at least 4.5:1 on what
it is written on (tests/views/test_palette.py checks both, for every theme). No mark
relies on its colour alone: outlines differ in line (solid, dashed, dotted, double),
and next fit's start and joined regions have shapes and hatching.

`use(theme)` gives each name below its value in that theme *in place*: what keeps a
colour object (a legend's swatch, a table of fills, the log's colours) follows, and
the pictures, built anew, take the new values.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QPalette

# The frame grid's codes live beside it, free of Qt (frame_codes); the colour table that
# paints them is here, and `palette.CODE_USED` ... still name them.
from .frame_codes import (
    CODE_FREE,
    CODE_FREED,
    CODE_HEAP,
    CODE_LINKED,
    CODE_MADE,
    CODE_OUTSIDE,
    CODE_SCANNED,
    CODE_SELECTED,
    CODE_USED,
    FLASH_STEPS,
)

PAPER = QColor()  # window background, and the pictures'
INK = QColor()  # text
MUTED = QColor()  # secondary text, arrows between free-list nodes
BASE = QColor()  # fields, the log
ALTERNATE = QColor()  # the log's every other row
BUTTON = QColor()
TOOLTIP = QColor()
EDGE = QColor()  # frames around swatches and panels
ERROR = QColor()  # failures in words
WARNING = QColor()  # warnings about input: apart from ERROR for colour-blind eyes too
FREE = QColor()
USED = QColor()
HEAP = QColor()
LOST = QColor()
MADE = QColor()
FREED = QColor()
PASSED = QColor()
LINKED = QColor()  # what hovering in the other layer points at
OUTSIDE = QColor()  # cells past the end of memory, bytes outside the heap
MARKER = QColor()  # next_free, next fit's start, selection outlines
HEADER = QColor()  # a block's header: part of the block, before the address handed out
PASSED_LINE = QColor()  # outlines of what a search passed over: visible on paper and free

STATES = ("FREE", "USED", "HEAP", "MADE", "FREED", "PASSED", "LINKED", "MARKER", "LOST", "OUTSIDE")
"""The colours a viewer must tell apart, whatever their colour vision."""
NEVER_TOGETHER = {("HEAP", "LOST"), ("FREED", "LOST"), ("PASSED", "LOST")}
"""Pairs no view shows side by side (lost bytes are in the heap map only; frames, frees
and passed-over nodes are filled elsewhere): they may look alike."""
APART = 20.0
"""The smallest CIEDE2000 difference between two states shown together."""

THEMES: dict[str, dict[str, str]] = {
    "light": {
        "PAPER": "#eeebe5",
        "INK": "#1f2a30",
        "MUTED": "#56626a",
        "BASE": "#ffffff",
        "ALTERNATE": "#efece6",
        "BUTTON": "#e9e5de",
        "TOOLTIP": "#fffdf7",
        "EDGE": "#7d878d",
        "ERROR": "#b23a2b",
        "WARNING": "#6a3d9a",
        "FREE": "#fffbf6",
        "USED": "#000eb4",
        "HEAP": "#c37d20",
        "MADE": "#038097",
        "FREED": "#fcb2fe",
        "PASSED": "#bafa7a",
        "LINKED": "#69424b",
        "MARKER": "#000422",
        "LOST": "#c94c31",
        "OUTSIDE": "#a1a197",
        "HEADER": "#000a7a",
        "PASSED_LINE": "#5d7f1c",
    },
    "dark": {
        "PAPER": "#1c1f24",
        "INK": "#e6e8eb",
        "MUTED": "#a3adb5",
        "BASE": "#16181c",
        "ALTERNATE": "#23272d",
        "BUTTON": "#2b3038",
        "TOOLTIP": "#2b3038",
        "EDGE": "#7d8790",
        "ERROR": "#ff8a80",
        "WARNING": "#c9a7f5",
        "FREE": "#202a34",
        "USED": "#6445ae",
        "HEAP": "#f6bb2d",
        "MADE": "#33766f",
        "FREED": "#fff4e1",
        "PASSED": "#6a5823",
        "LINKED": "#a381c5",
        "MARKER": "#b8e4ff",
        "LOST": "#bd3e1f",
        "OUTSIDE": "#92a584",
        "HEADER": "#3b2574",
        "PASSED_LINE": "#b5d96a",
    },
    "high-contrast": {
        "PAPER": "#f0f0f0",
        "INK": "#000000",
        "MUTED": "#3d3d3d",
        "BASE": "#ffffff",
        "ALTERNATE": "#ebebeb",
        "BUTTON": "#e0e0e0",
        "TOOLTIP": "#ffffff",
        "EDGE": "#000000",
        "ERROR": "#9e0000",
        "WARNING": "#4b0f8a",
        "FREE": "#ffffff",
        "USED": "#00006f",
        "HEAP": "#bd7200",
        "MADE": "#086360",
        "FREED": "#e5a4ff",
        "PASSED": "#92ff73",
        "LINKED": "#9d25f4",
        "MARKER": "#150500",
        "LOST": "#ab2509",
        "OUTSIDE": "#9a9e95",
        "HEADER": "#000030",
        "PASSED_LINE": "#2f5a00",
    },
}
"""Each theme's value for every colour name above."""
TITLES = {"light": "&Light", "dark": "&Dark", "high-contrast": "&High contrast"}
"""The themes in menu order, with their menu words."""

_current = ""


def use(theme: str) -> None:
    """Give every colour name its value in `theme` ("light", "dark", "high-contrast")."""
    global _current
    for name, value in THEMES[theme].items():
        globals()[name].setRgba(QColor(value).rgba())
    _current = theme


def current() -> str:
    """The theme in use."""
    return _current


def _rgb(color: QColor) -> np.ndarray:
    return np.array([color.red(), color.green(), color.blue()], dtype=np.float64)


def _fade(start: QColor, end: QColor) -> np.ndarray:
    """FLASH_STEPS colours from `start` to `end`."""
    t = np.linspace(0.0, 1.0, FLASH_STEPS)[:, None]
    return (1 - t) * _rgb(start) + t * _rgb(end)


def grid_lookup_table() -> np.ndarray:
    """256 x 3 uint8 colours indexed by grid code."""
    lut = np.zeros((256, 3))
    lut[CODE_FREE], lut[CODE_USED], lut[CODE_HEAP] = _rgb(FREE), _rgb(USED), _rgb(HEAP)
    lut[CODE_MADE : CODE_MADE + FLASH_STEPS] = _fade(MADE, USED)
    lut[CODE_FREED : CODE_FREED + FLASH_STEPS] = _fade(FREED, FREE)
    lut[CODE_LINKED] = _rgb(LINKED)
    lut[CODE_SELECTED] = _rgb(MARKER)
    lut[CODE_OUTSIDE] = _rgb(OUTSIDE)
    lut[CODE_SCANNED] = _rgb(PASSED)
    return lut.round().astype(np.uint8)


def window_palette() -> QPalette:
    """Qt's colours for the window's own widgets (docks, menus, fields, the log), from
    the theme's: the system's would put its light text on our paper, or our ink on
    its dark ground."""
    qt = QPalette()
    role = QPalette.ColorRole
    for which, color in [
        (role.Window, PAPER),
        (role.WindowText, INK),
        (role.Base, BASE),
        (role.AlternateBase, ALTERNATE),
        (role.Text, INK),
        (role.Button, BUTTON),
        (role.ButtonText, INK),
        (role.BrightText, ERROR),
        (role.ToolTipBase, TOOLTIP),
        (role.ToolTipText, INK),
        (role.PlaceholderText, MUTED),
        (role.Highlight, MARKER),
        (role.HighlightedText, PAPER),
        (role.Link, MARKER),
        (role.LinkVisited, MARKER),
        (role.Light, BASE),
        (role.Midlight, BUTTON),
        (role.Mid, EDGE),
        (role.Dark, MUTED),
        (role.Shadow, QColor("black")),
    ]:
        qt.setColor(which, color)
    for which in (role.WindowText, role.Text, role.ButtonText):
        qt.setColor(QPalette.ColorGroup.Disabled, which, MUTED)
    return qt


def style_sheet() -> str:
    """The window's style sheet in the theme's colours. A label with the property
    `role` "error" is written in ERROR: it follows a change of theme, where a label's
    own style sheet would keep the colour it was given."""
    return f"""
QMainWindow, QDockWidget, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {PAPER.name()};
}}
QLabel, QGroupBox, QDockWidget {{ color: {INK.name()}; }}
QLabel[role="error"] {{ color: {ERROR.name()}; }}
QDockWidget::title {{
    padding: 4px; font-weight: 600; background: {BUTTON.name()};
    border-bottom: 1px solid {EDGE.name()};
}}
"""


use("light")

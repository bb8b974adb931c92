"""The colours every view shares, chosen to stay calm and distinct on a projector.

The same meaning has the same colour everywhere: in use is slate blue, free is
warm paper, the heap's frames are amber, lost bytes are coral, what just
happened is teal (made) or rose (freed), and what a search passed over is sand.
No mark relies on its colour alone: outlines differ in line (solid, dashed,
dotted, double), and next fit's start and joined regions have shapes and hatching.
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

PAPER = QColor("#f5f3ef")  # window background
INK = QColor("#263238")  # text
MUTED = QColor("#6b7780")  # secondary text
ERROR = QColor("#b23a2b")  # failures in words
WARNING = QColor("#6a3d9a")  # warnings about input: apart from ERROR for colour-blind eyes too
FREE = QColor("#e6e1d8")
USED = QColor("#5b7f95")
HEAP = QColor("#e0a458")
LOST = QColor("#c8553d")
MADE = QColor("#2a9d8f")
FREED = QColor("#e5989b")
PASSED = QColor("#f2d492")
LINKED = QColor("#8e5572")  # what hovering in the other layer points at
OUTSIDE = QColor("#cfc9bf")  # cells past the end of memory, bytes outside the heap
MARKER = QColor("#1d3557")  # next_free, next fit's start, selection outlines
HEADER = QColor("#34505f")  # a block's header: part of the block, before the address handed out
PASSED_LINE = QColor("#a07a1c")  # outlines of what a search passed over: sand, dark enough on paper


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
    the colours above: the pictures are drawn on paper whatever the system's theme,
    and with a dark theme's light text the titles and log around them were unreadable."""
    qt = QPalette()
    role = QPalette.ColorRole
    for which, color in [
        (role.Window, PAPER),
        (role.WindowText, INK),
        (role.Base, QColor("white")),
        (role.AlternateBase, QColor("#ece8e1")),
        (role.Text, INK),
        (role.Button, QColor("#e9e5de")),
        (role.ButtonText, INK),
        (role.ToolTipBase, QColor("#fffdf7")),
        (role.ToolTipText, INK),
        (role.PlaceholderText, MUTED),
        (role.Highlight, MARKER),
        (role.HighlightedText, QColor("white")),
        (role.Light, QColor("white")),
        (role.Midlight, QColor("#e9e5de")),
        (role.Mid, OUTSIDE),
        (role.Dark, MUTED),
        (role.Shadow, INK),
    ]:
        qt.setColor(which, color)
    for which in (role.WindowText, role.Text, role.ButtonText):
        qt.setColor(QPalette.ColorGroup.Disabled, which, MUTED)
    return qt

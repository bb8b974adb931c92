"""One factor for all type: the zoom (Ctrl++, Ctrl+-, Ctrl+0) and lecture mode set it.

A widget's own font is given with `styled(widget, points)` rather than
`setFont`: it is set again whenever the factor changes. Pictures that paint
text take `font(points)` when they paint, and lay themselves out again on
`changes().sig_scale_changed`. The application's font (menus, dock titles,
tooltips, dialogs) follows the factor too.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

BASE_POINTS = 11.0
"""The application's font at zoom 1: the system's 9 points are too small on a projector."""
LIMITS = (0.6, 3.0)

_scale = 1.0
_styled: weakref.WeakKeyDictionary[QWidget, tuple[float, bool, bool]] = weakref.WeakKeyDictionary()


class _Changes(QObject):
    sig_scale_changed = Signal(float)


_changes: _Changes | None = None


def changes() -> _Changes:
    """The object whose `sig_scale_changed(scale)` says the factor changed."""
    global _changes
    if _changes is None:
        _changes = _Changes()
    return _changes


def scale() -> float:
    return _scale


def font(points: float = BASE_POINTS, bold: bool = False, mono: bool = False) -> QFont:
    """A font of `points` at zoom 1, scaled by the factor now."""
    made = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if mono else QFont()
    made.setPointSizeF(points * _scale)
    made.setBold(bold)
    return made


def styled(widget: QWidget, points: float, bold: bool = False, mono: bool = False) -> None:
    """Give `widget` and what it holds a font of `points` (at zoom 1), kept scaled as the
    factor changes."""
    _styled[widget] = (points, bold, mono)
    _set_font(widget, font(points, bold, mono))


def restyle(widget: QWidget) -> None:
    """Give what was put inside a styled widget since it was styled (a feature's tool
    button, say) the widget's font."""
    _set_font(widget, font(*_styled[widget]))


def _set_font(widget: QWidget, made: QFont) -> None:
    """The font on the widget and on those inside it not styled on their own: under a
    style sheet, Qt no longer passes a parent's new font down to its children."""
    widget.setFont(made)
    for child in widget.findChildren(QWidget):
        if child not in _styled:
            child.setFont(made)


def set_scale(value: float) -> float:
    """Scale all type by `value` (kept within `LIMITS`); returns the factor set."""
    global _scale
    value = min(max(value, LIMITS[0]), LIMITS[1])
    if value == _scale:
        return value
    _scale = value
    apply_application_font()
    for widget, (points, bold, mono) in list(_styled.items()):
        if Shiboken.isValid(widget):  # Qt may have deleted it: its Python side lives on
            _set_font(widget, font(points, bold, mono))
        else:
            del _styled[widget]
    changes().sig_scale_changed.emit(value)
    return value


def apply_application_font() -> None:
    """The application's font at the factor now."""
    app = QApplication.instance()
    if app is not None:
        app.setFont(font())

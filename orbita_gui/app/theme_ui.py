"""View > Theme: the system's light or dark scheme followed, or light, dark or high
contrast chosen, and remembered."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QActionGroup, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from orbita_gui.views import palette

KEY = "view/theme"
SYSTEM = "system"
"""The choice that follows the system's scheme (and its contrast preference)."""


def system_theme() -> str:
    """The theme the system asks for: high contrast, dark, or else light."""
    hints = QGuiApplication.styleHints()
    if hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast:
        return "high-contrast"
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


class ThemeUi(QObject):
    """Owns the Theme submenu and puts the chosen theme on the window and its pictures."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        menu = QMenu("&Theme", window)
        group = QActionGroup(self)
        self.actions = {}
        for choice, title in [(SYSTEM, "Follow &system"), *palette.TITLES.items()]:
            action = window.make_action(title, lambda _=False, c=choice: self.choose(c))
            action.setCheckable(True)
            group.addAction(action)
            menu.addAction(action)
            self.actions[choice] = action
        window.add_action("view", menu.menuAction(), section="theme", before="docks")
        remembered = window.settings.value(KEY) if window.settings is not None else None
        self.choice = remembered if remembered in self.actions else SYSTEM
        self.actions[self.choice].setChecked(True)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._apply)
        hints.accessibility().contrastPreferenceChanged.connect(self._apply)
        self._apply()

    @property
    def theme(self) -> str:
        """The theme in use for the choice made."""
        return system_theme() if self.choice == SYSTEM else self.choice

    def choose(self, choice: str) -> None:
        """Use `choice` (SYSTEM or a theme of the palette) from now on, and remember it."""
        self.choice = choice
        self.actions[choice].setChecked(True)
        if self.window.settings is not None:
            self.window.settings.setValue(KEY, choice)
        self._apply()

    def _apply(self, *_) -> None:
        """Put on the theme of the choice (called too when the system's scheme changes:
        the choice says whether it follows). Colours first, then Qt's palette (the
        widgets, the plots listening for it), the style sheet, and the pictures built
        anew with the new colours."""
        theme, window = self.theme, self.window
        if theme == palette.current():
            return
        palette.use(theme)
        QApplication.setPalette(palette.window_palette())
        window.setStyleSheet(palette.style_sheet())
        window.rebuild_views()
        # The status bar's words keep the colour they were last said in: saying a
        # failure, then the news, writes them in the new theme's colours.
        window.say("", failed=True)
        window.say(f"Theme: {palette.TITLES[theme].replace('&', '')}")

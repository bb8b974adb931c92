"""Themes: the window as rendered, seen with each colour vision; dark readable; the
choice made in the View menu, remembered."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from orbita_gui.app import theme_ui
from orbita_gui.app.demo import load_demo
from orbita_gui.app.window import MainWindow
from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from orbita_gui.views import palette, registry
from tests.colour_vision import VISIONS, ciede2000, contrast, lab, simulate
from tests.views.test_palette import rgb, together

SHOWN = ("FREE", "USED", "HEAP", "MADE", "PASSED", "LINKED", "MARKER", "LOST", "OUTSIDE")
"""The states the demo's pictures show at rest, with a frame lit from the heap: all
but just freed, a flash of a second (the palette's own test covers it)."""


@pytest.fixture
def model(qtbot):
    """1,000 frames: a 32 x 32 grid whose last 24 cells are past the end of memory."""
    return MachineModel(Machine(1000 * 4096))


@pytest.fixture(autouse=True)
def light_again():
    """Whatever a test chose, the next one starts in the light theme."""
    yield
    palette.use("light")
    QApplication.setPalette(palette.window_palette())


def theme_action(window, theme: str):
    """View > Theme > the item for `theme`, found as a person finds it: by its words."""
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    words = {"system": "Follow &system", **palette.TITLES}[theme]
    return next(a for a in themes.actions() if a.text() == words)


def pixels(image: QImage) -> np.ndarray:
    """A rendering as a `(height, width, 3)` array of sRGB values."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def in_views(window, screen: np.ndarray) -> np.ndarray:
    """Where the window's pictures are on its rendering, legends left out: a view
    that kept a colour from before the theme changed would not hide behind them."""
    inside = np.zeros(screen.shape[:2], dtype=bool)
    for view in window.views.values():
        if isinstance(view, QAbstractScrollArea):  # the grid: its viewport shows it
            view = view.viewport()
        shown = view.visibleRegion().boundingRect()
        corner = view.mapTo(window, shown.topLeft())
        inside[
            corner.y() : corner.y() + shown.height(), corner.x() : corner.x() + shown.width()
        ] = 1
    return inside


@pytest.mark.parametrize("theme", palette.THEMES)
def test_the_rendered_states_stay_apart_for_every_colour_vision(qtbot, window, theme):
    """Each state's colour is in the pictures (they draw the theme's colours, built
    anew), and the screen, as each deficiency sees it, keeps every two states shown
    together apart."""
    load_demo(window.model)
    theme_action(window, theme).trigger()
    window.grid.highlight_frames(np.array([40]))  # a frame lit from the heap's layer
    window.grid.fit()  # down to the cells past the end of memory
    window.resize(1440, 900)
    qtbot.wait(50)
    screen = pixels(window.grab().toImage())
    pictures = in_views(window, screen)
    where = {}
    for name in SHOWN:
        hits = np.argwhere((screen == rgb(theme, name)).all(axis=-1) & pictures)
        assert len(hits), f"{theme}: no {name} ({palette.THEMES[theme][name]}) on the screen"
        where[name] = tuple(hits[0])
    for vision in VISIONS:
        seen = lab(simulate(screen, vision))
        close = [
            f"{a}-{b} {apart:.1f}"
            for a, b in together(SHOWN)
            if (apart := float(ciede2000(seen[where[a]], seen[where[b]]))) < palette.APART
        ]
        assert not close, f"{theme}, {vision}: {close}"


def test_the_dark_theme_makes_dock_titles_and_the_log_readable(window):
    theme_action(window, "dark").trigger()
    dock = window.dock("controls").palette()
    log = window.log.palette()
    role = QPalette.ColorRole
    assert dock.color(role.Window).lightness() < 64, "a dark theme is dark"
    for text, ground in [
        (dock.color(role.WindowText), dock.color(role.Window)),
        (log.color(role.Text), log.color(role.Base)),
        (log.color(role.Text), log.color(role.AlternateBase)),
        (palette.ERROR, log.color(role.Base)),  # the log's failures
    ]:
        assert contrast(*(c.getRgb()[:3] for c in (text, ground))) >= 4.5, (text, ground)


def test_the_theme_chosen_in_the_view_menu_is_used_and_remembered(qtbot, window, settings):
    assert theme_action(window, "system").isChecked()
    theme_action(window, "dark").trigger()
    assert palette.current() == "dark"
    assert QApplication.palette().color(QPalette.ColorRole.Window) == palette.PAPER
    assert palette.PAPER.name() == palette.THEMES["dark"]["PAPER"]
    assert window.grid.backgroundBrush().color() == palette.PAPER  # the pictures, rebuilt
    assert settings.value(theme_ui.KEY) == "dark"

    palette.use("light")  # as a new start would be
    again = MainWindow(window.model, settings)
    qtbot.addWidget(again)
    assert palette.current() == "dark" and theme_action(again, "dark").isChecked()


def test_every_state_a_picture_fills_with_has_a_legend_entry():
    def colours(legend) -> list:
        looks = [look for look, _ in legend]
        return [c for look in looks for c in (look, getattr(look, "fill", None))]

    grid = colours(registry.GRID_LEGEND)
    for name in ("FREE", "USED", "HEAP", "MADE", "FREED", "PASSED", "LINKED", "MARKER", "OUTSIDE"):
        assert any(c is getattr(palette, name) for c in grid), name
    assert any(c is palette.LOST for c in colours(registry.HEAP_LEGEND))


def test_following_the_system_takes_its_scheme_when_it_changes_and_at_start(
    qtbot, window, monkeypatch
):
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # closed windows: gone
    schemes = QGuiApplication.styleHints().colorSchemeChanged
    monkeypatch.setattr(theme_ui, "system_theme", lambda: "dark")
    schemes.emit(Qt.ColorScheme.Dark)
    assert palette.current() == "dark"
    theme_action(window, "light").trigger()  # a choice of one's own outlasts the system's
    schemes.emit(Qt.ColorScheme.Dark)
    # (Asked of this window's pictures: other tests' windows may still follow the system.)
    assert window.grid.backgroundBrush().color().name() == palette.THEMES["light"]["PAPER"]
    monkeypatch.setattr(theme_ui, "system_theme", lambda: "high-contrast")
    started = MainWindow(window.model)  # nothing remembered: follows the system
    qtbot.addWidget(started)
    assert palette.current() == "high-contrast"


def test_after_a_new_theme_the_old_pictures_no_longer_follow_the_player(qtbot, window, tmp_path):
    """The pictures built anew for a theme follow the player's animation; the old ones
    are let go: a scan animated on a machine of another size reaches only the new
    (the old grid, sized for the old machine, raised an error at every step)."""
    theme_action(window, "dark").trigger()
    trace = tmp_path / "frames.trace"
    trace.write_text("frames 1MiB\nalloc-frame f\nalloc-frame g\n")
    window.traces.load(trace)
    window.traces.player.step_forward()  # its scan is animated
    assert window.traces.player.animation.active
    qtbot.wait(100)

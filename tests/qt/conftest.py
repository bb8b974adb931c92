"""Fixtures for the Qt tests: a small machine, its model, settings in a temp file, and
dialogs answered as a person would (any other dialog fails its test)."""

import pytest
from PySide6.QtCore import QSettings

from orbita_gui.app.window import MainWindow
from orbita_gui.core import Machine
from orbita_gui.model import MachineModel

from .scripted_dialogs import ScriptedDialogs


@pytest.fixture
def model(qtbot):
    """4 MiB of memory: 1,024 frames in a 32 x 32 grid; the heap takes frames 0..24."""
    return MachineModel(Machine(4 << 20))


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "orbita.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def dialogs():
    """Answers for the dialogs a test expects (`dialogs.click("OK")`,
    `dialogs.choose_file(path)`); any other dialog fails the test."""
    with ScriptedDialogs() as answers:
        yield answers


@pytest.fixture
def window(qtbot, model, settings):
    """The main window on the small machine, shown; its player stopped afterwards.
    Closed here, not by qtbot: work left unsaved by the test is discarded first."""
    win = MainWindow(model, settings)
    win.resize(1440, 900)  # larger than the offscreen screen, which a first start fits
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.traces.player.pause()
    win.model.mark_saved()
    win.close()
    win.deleteLater()


def pixel(widget, point):
    """The colour at a point of a widget's own rendering, as `#rrggbb`."""
    return widget.grab().toImage().pixelColor(point).name()

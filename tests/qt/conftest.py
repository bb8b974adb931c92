"""Fixtures for the Qt tests: a small machine, its model, and settings in a temp file."""

import pytest
from PySide6.QtCore import QSettings

from orbita_gui.app.window import MainWindow
from orbita_gui.core import Machine
from orbita_gui.model import MachineModel


@pytest.fixture
def model(qtbot):
    """4 MiB of memory: 1,024 frames in a 32 x 32 grid; the heap takes frames 0..24."""
    return MachineModel(Machine(4 << 20))


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "orbita.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, model, settings):
    """The main window on the small machine, shown; its player stopped afterwards."""
    win = MainWindow(model, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.traces.player.pause()


def pixel(widget, point):
    """The colour at a point of a widget's own rendering, as `#rrggbb`."""
    return widget.grab().toImage().pixelColor(point).name()

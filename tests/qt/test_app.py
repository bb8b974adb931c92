"""The application starts, shows the default machine, and refuses politely without a screen."""

import os
import subprocess
import sys

from PySide6.QtWidgets import QLabel

from orbita_gui.app.main import has_display
from orbita_gui.app.window import MainWindow


def test_main_window_shows_the_default_machine(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Orbita OS memory"
    assert not window.windowIcon().isNull()
    text = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "262,144 frames" in text
    assert "0x4444_4444_0000" in text
    image = window.grab().toImage()
    assert image.width() >= 800 and image.height() >= 500


def test_quit_closes_the_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    quit_action = window.menuBar().actions()[0].menu().actions()[0]
    quit_action.trigger()
    assert not window.isVisible()


def test_without_a_display_it_explains_instead_of_crashing(monkeypatch):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not has_display()
    result = subprocess.run(
        [sys.executable, "-m", "orbita_gui"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert result.returncode == 2
    assert "no display found" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_flag():
    result = subprocess.run(
        [sys.executable, "-m", "orbita_gui", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("orbita-gui 0.1.0")

"""Rendering the window to a PNG with no one in front of it: `orbita-gui --screenshot`
and `orbita-gui replay --screenshot`. Qt is imported only when a picture is made, so
that the command line starts fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SCREENSHOT_SIZE = (1440, 900)


def has_display() -> bool:
    """Whether Qt has somewhere to show a window (or was told to render offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def screenshot_of_machine(machine, path: Path) -> int:
    """The window showing a machine (as a replay left it), saved as a PNG."""
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from orbita_gui.model import MachineModel

    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    return save_screenshot(MainWindow(MachineModel(machine), headless=True), path)


def save_screenshot(window, path: Path) -> int:
    """Show the window at a fixed size, let it paint, and save it as a PNG."""
    from PySide6.QtCore import QEventLoop, QTimer

    window.resize(*SCREENSHOT_SIZE)
    window.show()
    loop = QEventLoop()
    QTimer.singleShot(300, loop.quit)  # the coalesced repaint comes within a frame or two
    loop.exec()
    if not window.grab().save(str(path)):
        print(f"orbita-gui: cannot write {path}", file=sys.stderr)
        return 1
    print(f"orbita-gui: saved {path}")
    return 0

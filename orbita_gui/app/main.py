"""Command line entry point: `orbita-gui` and `python -m orbita_gui`."""

from __future__ import annotations

import argparse
import os
import sys

from orbita_gui import __version__


def has_display() -> bool:
    """Whether Qt has somewhere to show a window (or was told to render offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orbita-gui",
        description="Watch the Orbita OS frame and heap allocators work, live and exact.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    parse_args(sys.argv[1:] if argv is None else argv)
    if not has_display():
        print(
            "orbita-gui: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
            "Run it from a desktop session, or set QT_QPA_PLATFORM=offscreen to render "
            "without a screen.",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("orbita-gui")
    app.setOrganizationName("orbita")
    window = MainWindow()
    window.show()
    return app.exec()

"""Rendering the window to a PNG with no one in front of it: `orbita-gui --screenshot`
and `orbita-gui replay --screenshot`, at a size (`--size 1024x768`) and, with
`--lecture`, in lecture mode. Qt is imported only when a picture is made, so that
the command line starts fast."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import NamedTuple

SCREENSHOT_SIZE = (1440, 900)
SETTLE_MS = 1700
"""Long enough for every flash (the grid's fade, the chosen frame's outline) to end."""


THEMES = ("light", "dark", "high-contrast")


class Shot(NamedTuple):
    """Where to save the window, at what size, in which theme, and whether in lecture
    mode."""

    path: Path
    size: tuple[int, int] = SCREENSHOT_SIZE
    lecture: bool = False
    theme: str = "light"


def window_size(text: str) -> tuple[int, int]:
    """`WxH` (as `1024x768`) as a pair; argparse's error otherwise."""
    match = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1024x768, found {text!r}")
    width, height = int(match[1]), int(match[2])
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{text}: from 320x240 to 7680x4320")
    return width, height


def add_screenshot_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--screenshot", type=Path, metavar="PATH", help=f"render {what} to a PNG")
    parser.add_argument(
        "--size",
        type=window_size,
        default=SCREENSHOT_SIZE,
        metavar="WxH",
        help="the window's size in the screenshot (default: %(default)s), e.g. 1024x768",
    )
    parser.add_argument(
        "--lecture", action="store_true", help="the screenshot in lecture mode (large type)"
    )
    parser.add_argument(
        "--theme", choices=THEMES, default="light", help="the screenshot's colours (default: light)"
    )


def shot_of(args: argparse.Namespace) -> Shot | None:
    """The screenshot the options ask for, if any."""
    if args.screenshot is None:
        return None
    return Shot(args.screenshot, tuple(args.size), args.lecture, args.theme)


def has_display() -> bool:
    """Whether Qt has somewhere to show a window (or was told to render offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def screenshot_of_machine(machine, shot: Shot) -> int:
    """The window showing a machine (as a replay left it), saved as a PNG."""
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from orbita_gui.model import MachineModel

    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    return save_screenshot(MainWindow(MachineModel(machine), headless=True), shot)


def save_screenshot(window, shot: Shot) -> int:
    """Show the window at the shot's size, let it paint and its flashes fade, and save
    it as a PNG."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    window.resize(*shot.size)
    window.show()
    window.theme.choose(shot.theme)
    if shot.lecture:
        window.lecture.set_lecture(True)
    loop = QEventLoop()
    QTimer.singleShot(SETTLE_MS, loop.quit)
    loop.exec()
    saved = window.grab().save(str(shot.path))
    # Closed here, timers and all, not by the interpreter's exit, whose order of
    # destruction Qt's objects do not always survive.
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if not saved:
        print(f"orbita-gui: cannot write {shot.path}", file=sys.stderr)
        return 1
    print(f"orbita-gui: saved {shot.path}")
    return 0

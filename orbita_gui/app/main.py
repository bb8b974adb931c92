"""Command line entry point: `orbita-gui` and `python -m orbita_gui`."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from orbita_gui import __version__

from .output_paths import unwritable
from .screenshot import Shot, add_screenshot_options, has_display, save_screenshot, shot_of


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orbita-gui",
        description="Watch the Orbita OS frame and heap allocators work, live and exact.",
        epilog="orbita-gui replay TRACE [--heap-size SIZE] [--report] [--csv PATH] "
        "[--screenshot PATH] replays a trace without a window; "
        "orbita-gui replay TRACE --narrate tells it step by step; "
        "orbita-gui compare TRACE --heap A --heap B [--gui] compares heap allocators; "
        "orbita-gui ostep [malloc.py's options] runs OSTEP's homework.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "trace", nargs="?", type=Path, help="a trace to open in the player instead of the demo"
    )
    parser.add_argument(
        "--at",
        type=int,
        default=0,
        metavar="N",
        help="open the trace after its first N operations, the Nth explained",
    )
    add_screenshot_options(parser, "the main window (the demo, or the trace at --at)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["replay"]:
        from .cli import replay_command  # here: only a replay needs numpy and the traces

        return replay_command(argv[1:])
    if argv[:1] == ["compare"]:
        from .compare_cli import compare_command

        return compare_command(argv[1:])
    if argv[:1] == ["ostep"]:  # OSTEP's malloc.py, printed; with --gui, then in the window
        from orbita_gui.traces.ostep_homework import main as ostep_main

        return ostep_main(argv[1:], show=lambda run: open_window(run.trace(), "malloc.py run"))
    args = parse_args(argv)
    why = args.screenshot and unwritable(args.screenshot)
    if why:
        print(f"orbita-gui: cannot write {args.screenshot}: {why}", file=sys.stderr)
        return 1
    if args.screenshot and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if no_display():
        return 2
    from orbita_gui.core import OrbitaError
    from orbita_gui.traces import read_trace

    trace, problem = None, None
    if args.trace is not None:
        try:
            trace = read_trace(args.trace)
        except OrbitaError as error:
            problem = str(error)
            print(f"orbita-gui: {problem}", file=sys.stderr)
            if args.screenshot:
                return 1
    name = args.trace.name if args.trace is not None else ""
    return open_window(trace, name, problem, shot_of(args), args.at)


def no_display() -> bool:
    """Whether there is no screen to open a window on; if so, says what to do instead."""
    if has_display():
        return False
    print(
        "orbita-gui: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
        "Run it from a desktop session, set QT_QPA_PLATFORM=offscreen to render "
        "without a screen, or use --screenshot PATH.",
        file=sys.stderr,
    )
    return True


def open_window(
    trace,
    name: str,
    problem: str | None = None,
    screenshot: Shot | None = None,
    at: int = 0,
    then=None,
):
    """The main window on `trace` (paused at its first operation), or on the demo if
    there is none or it cannot be loaded; with `screenshot`, saved as a PNG instead.
    `then(window)`, if given, once the window shows (a comparison opens its own)."""
    if screenshot is None and no_display():
        return 2
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from .demo import load_demo
    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("orbita-gui")
    app.setOrganizationName("orbita")
    headless = screenshot is not None
    window = MainWindow(settings=None if headless else QSettings(), headless=headless)
    sys.excepthook = unexpected_error_hook(window)
    if trace is None or not window.traces.load_trace(trace, name):
        if headless and trace is not None:
            return 1  # the reason is printed already
        load_demo(window.model)
    elif at > 0:
        window.traces.go_to(at)
    if headless:
        return save_screenshot(window, screenshot)
    window.show()
    if problem:  # said on stderr; now to the person in front of the window too
        window.report_problem("Cannot open the trace", problem)
    if then is not None:
        then(window)
    return app.exec()


def unexpected_error_hook(window):
    """Show a bug as a message, not a traceback; the terminal keeps the details. With no
    one to close a message box (headless), the terminal is all."""
    from PySide6.QtWidgets import QMessageBox

    def hook(kind, value, trace) -> None:
        traceback.print_exception(kind, value, trace)
        if window.headless:
            return
        QMessageBox.critical(
            window,
            "Unexpected error",
            f"{kind.__name__}: {value}\n\nThis is a bug in orbita-gui, not in what you did. "
            "The details are in the terminal.",
        )

    return hook

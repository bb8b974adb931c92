"""Test-wide set-up: Qt renders offscreen unless a display is there to use, and the run
ends without the interpreter's teardown."""

import os
import sys

import pytest

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_status = {"exit": 0}


def pytest_sessionfinish(session, exitstatus) -> None:
    _status["exit"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    """Leave once every report is written, before the interpreter tears down: Qt's
    objects destroyed in whatever order it picks can hang at exit, past every test's
    timeout, and a CI run once never finished."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_status["exit"])

"""A long GUI soak: the seeded monkey of `tests/qt/gui_monkey.py` drives the real main
window offscreen, by keys and clicks, for tens of thousands of actions, then says what
it did and what it found.

    bash dev.sh soak [ACTIONS] [SEED]     (20,000 actions and a random seed by default)

Exits 1 if an invariant failed or an exception escaped into Qt.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from orbita_gui.app.window import MainWindow
from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from tests.qt.gui_monkey import ESCAPED, Defect, Monkey
from tests.qt.scripted_dialogs import ScriptedDialogs

ACTIONS = 20_000
TRACEBACKS_SHOWN = 3
OFFSCREEN_NOISE = (
    "This plugin does not support raise()",
    "This plugin does not support propagateSizeHints()",
)
"""What the offscreen platform says at every window activation: not a finding."""


class QtMessages:
    """Qt's warnings, counted; the offscreen platform's noise left out."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, kind: QtMsgType, context, message: str) -> None:
        if message not in OFFSCREEN_NOISE:
            if not self.counts[message]:
                print(f"Qt says: {message}", file=sys.stderr)
            self.counts[message] += 1


def soak(actions: int, seed: int) -> int:
    """Run the monkey; print what it did and found; the exit status."""
    QApplication.instance() or QApplication([])
    messages = QtMessages()
    qInstallMessageHandler(messages)
    escaped: list = []
    sys.excepthook = lambda *info: escaped.append(info)
    try:
        return _soak(actions, seed, messages, escaped)
    finally:  # an error of the soak itself is printed, not taken for one escaped into Qt
        sys.excepthook = sys.__excepthook__


def _soak(actions: int, seed: int, messages, escaped: list) -> int:
    with tempfile.TemporaryDirectory() as folder, ScriptedDialogs() as dialogs:
        settings = QSettings(str(Path(folder, "orbita.ini")), QSettings.Format.IniFormat)
        window = MainWindow(MachineModel(Machine(4 << 20)), settings)
        window.show()
        QTest.qWaitForWindowExposed(window)
        monkey = Monkey(window, dialogs, seed, Path(folder), escaped)
        start = time.perf_counter()
        broken = _run(monkey, actions)
        elapsed = time.perf_counter() - start
        dialogs_kept = len(window.findChildren(QDialog))
        window.traces.player.pause()
        window.model.mark_saved()
        window.close()
    _report(monkey, seed, elapsed, broken, escaped, messages, dialogs_kept)
    return 1 if broken or escaped else 0


def _run(monkey: Monkey, actions: int) -> Counter[str]:
    """The actions, then the last history check: the invariants broken, each counted.
    The run goes on after a failure, to find more; the first failure of each kind is
    printed, and the first few exceptions that escaped into Qt."""
    broken: Counter[str] = Counter()
    for act in [monkey.step] * actions + [monkey.finish]:
        try:
            act()
        except Defect as defect:
            new = [kind for kind in defect.kinds if not broken[kind]]
            broken.update(defect.kinds)
            if new or (ESCAPED in defect.kinds and broken[ESCAPED] <= TRACEBACKS_SHOWN):
                print(f"\n{defect}\n", file=sys.stderr)
    return broken


def _report(monkey, seed, elapsed, broken, escaped, messages, dialogs_kept) -> None:
    done = len(monkey.actions)
    print(
        f"Soak with seed {seed}: {done:,} actions in {elapsed:.1f} s, {done / elapsed:.0f} a second"
    )
    _table("Actions", monkey.counts)
    _table("Invariant checks passed", monkey.checks)
    _table("Invariant checks FAILED", broken)
    print(f"Exceptions escaped into Qt: {len(escaped):,}")
    print(f"Qt warnings: {sum(messages.counts.values()):,} ({len(messages.counts)} different)")
    print(f"Dialogs still alive as children of the window at the end: {dialogs_kept:,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory: {peak:,.0f} MiB")
    print("Result:", "FAILED" if broken else "passed")


def _table(title: str, counts: Counter[str]) -> None:
    print(f"{title}:" if counts else f"{title}: none")
    for name, count in counts.most_common():
        print(f"  {name:<30} {count:>8,}")


def main(argv: list[str]) -> int:
    actions = int(argv[0]) if argv else ACTIONS
    seed = int(argv[1]) if len(argv) > 1 else random.randrange(1 << 31)
    return soak(actions, seed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Crashes seen with PySide6-Essentials 6.12.0, kept as regression tests for the pin.

6.12.0 on Python 3.11 dropped a reference to `True` on every `Signal.emit()`
and killed the interpreter after about 570 emits ("bool_dealloc"); pyqtgraph
0.14.0 on it died with "none_dealloc" drawing bars or square symbols with a
brush per item. A fatal error kills the test process, so each case runs in a
child interpreter and the test reads how it ended.
"""

import os
import subprocess
import sys
import textwrap

import pytest

EMITS = """
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Source(QObject):
    sig_value_changed = Signal(bool)

app = QCoreApplication([])
source = Source()
seen = []
source.sig_value_changed.connect(seen.append)
for i in range(100_000):
    source.sig_value_changed.emit(i % 2 == 0)
assert len(seen) == 100_000 and seen[:2] == [True, False]
print("emitted", len(seen))
"""

# Each draw on 6.12.0 dropped about 5 (bars) or 8 (square symbols) references to
# None, which ends in "none_dealloc" after a few thousand repaints; on 6.11 the
# count stays flat. Checking the count after 100 draws catches the leak in a second.
BRUSHES = """
import sys
import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

app = QApplication([])
n = 100
colours = [(224, 164, 88), (79, 109, 122)]
brushes = [pg.mkBrush(*colours[i % 2]) for i in range(n)]
plot = pg.PlotWidget(background="w")
plot.resize(500, 300)
if "{kind}" == "bars":
    item = pg.BarGraphItem(x=np.arange(n), height=np.ones(n), width=1.0, brushes=brushes, pen=None)
else:
    item = pg.ScatterPlotItem(x=np.arange(n), y=np.zeros(n), symbol="s", size=12, brush=brushes,
                              pen=None)
plot.addItem(item)
plot.show()
for _ in range(10):
    plot.grab()
before = sys.getrefcount(None)
for _ in range(100):
    image = plot.grab().toImage()
dropped = before - sys.getrefcount(None)
assert dropped < 50, f"each draw leaks a reference to None: {{dropped}} in 100 draws"
seen = {{image.pixelColor(x, y).getRgb()[:3] for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)}}
assert all(colour in seen for colour in colours), "the per-item brushes were not drawn"
print("drawn", "{kind}", dropped)
"""


def run_child(code):
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (EMITS, "emitted 100000"),
        (BRUSHES.format(kind="bars"), "drawn bars"),
        (BRUSHES.format(kind="squares"), "drawn squares"),
    ],
    ids=["signal-emits", "bar-brushes", "square-symbol-brushes"],
)
def test_known_pyside_crash_does_not_happen(code, expected):
    result = run_child(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in result.stdout

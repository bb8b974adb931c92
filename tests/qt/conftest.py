"""Fixtures for the Qt tests: a small machine, its model, settings in a temp file, and
dialogs answered as a person would (any other dialog fails its test)."""

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QMessageBox,
)

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


class Dialogs:
    """Answers for the dialogs a test expects, in order. Offscreen nobody can close a
    modal dialog, and one left open ends the whole test run: so a dialog with no answer
    waiting fails its test at once, saying what it asked."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.files: list[str] = []
        self.asked: list[str] = []

    def click(self, button_text: str) -> None:
        """The next modal dialog is answered by clicking the button with this text."""
        self.answers.append(button_text)

    def choose_file(self, path) -> None:
        """The next file dialog returns this path."""
        self.files.append(str(path))

    def _exec(self, original, dialog) -> int:
        self.asked.append(_words(dialog))
        if not self.answers:
            pytest.fail(f"an unexpected dialog asked: {_words(dialog)}")
        text = self.answers.pop(0)
        QTimer.singleShot(0, lambda: _click(text))
        return original(dialog)

    def _file(self, *args, **kwargs) -> tuple[str, str]:
        if not self.files:
            pytest.fail(f"an unexpected file dialog: {args[1:2]}")
        return self.files.pop(0), ""


def _words(dialog) -> str:
    text = dialog.text() if isinstance(dialog, QMessageBox) else ""
    return f"{dialog.windowTitle()}: {text}"


def _click(text: str) -> None:
    dialog = QApplication.activeModalWidget()
    assert dialog is not None, f"no dialog to click {text!r} in"
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            button.click()
            return
    dialog.reject()
    pytest.fail(f"no button {text!r} in {_words(dialog)}")


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    answers = Dialogs()
    originals = {kind: kind.exec for kind in (QDialog, QMessageBox)}  # before either is patched
    for kind, original in originals.items():
        monkeypatch.setattr(kind, "exec", lambda d, o=original: answers._exec(o, d))
    for name in ("about", "critical", "information", "question", "warning"):
        monkeypatch.setattr(
            QMessageBox, name, lambda *a, n=name: pytest.fail(f"unexpected QMessageBox.{n}{a}")
        )
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, answers._file)
    return answers


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

"""Dialogs answered as a person would, for the tests and the soak. Offscreen nobody can
close a modal dialog, and one left open ends the whole run: so a dialog with no answer
waiting raises at once, saying what it asked."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QDialog, QFileDialog, QMessageBox

_INHERITED = object()
"""Saved for an attribute a class did not define itself."""


class UnexpectedDialog(Exception):
    """A dialog the monkey queued no answer for: raised instead of showing it."""


class ScriptedDialogs:
    """The tests' `dialogs` fixture without pytest: each modal dialog is answered by
    clicking the next queued button, each file dialog by the next queued path; one
    with no answer queued raises at once (offscreen, nobody could close it)."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.files: list[str] = []
        self.asked: list[str] = []
        """What each modal dialog said, `title: text`, oldest first."""
        self.file_dialogs: list[tuple] = []
        """Each file dialog's caption and starting folder (or file), oldest first."""
        self._saved: dict[tuple[type, str], object] = {}

    def click(self, button_text: str) -> None:
        """The next modal dialog is answered by clicking the button with this text."""
        self.answers.append(button_text)

    def choose_file(self, path) -> None:
        """The next file dialog returns this path."""
        self.files.append(str(path))

    def __enter__(self) -> ScriptedDialogs:
        originals = {kind: kind.exec for kind in (QDialog, QMessageBox)}  # before either is
        for kind, original in originals.items():  # patched: one may be the other's
            self._patch(kind, "exec", lambda dialog, o=original: self._exec(o, dialog))
        for name in ("about", "critical", "information", "question", "warning"):
            self._patch(QMessageBox, name, _refuse(f"QMessageBox.{name}"))
        for name in ("getOpenFileName", "getSaveFileName"):
            self._patch(QFileDialog, name, self._file)
        return self

    def __exit__(self, *exc) -> None:
        for (kind, name), original in self._saved.items():
            if original is _INHERITED:
                delattr(kind, name)
            else:
                setattr(kind, name, original)

    def _patch(self, kind: type, name: str, replacement) -> None:
        """Replace `kind.name`, keeping what `kind` itself defined: QMessageBox inherits
        QDialog's exec, and putting that back on QMessageBox would pin the patch."""
        self._saved[(kind, name)] = vars(kind).get(name, _INHERITED)
        setattr(kind, name, replacement)

    def _exec(self, original, dialog) -> int:
        self.asked.append(_words(dialog))
        if not self.answers:
            raise UnexpectedDialog(f"an unexpected dialog: {_words(dialog)}")
        text = self.answers.pop(0)
        QTimer.singleShot(0, dialog, lambda: _click(dialog, text))
        return original(dialog)

    def _file(self, *args, **kwargs) -> tuple[str, str]:
        self.file_dialogs.append(tuple(args[1:3]))
        if not self.files:
            raise UnexpectedDialog(f"an unexpected file dialog: {args[1:2]}")
        return self.files.pop(0), ""


def _refuse(what: str):
    def refuse(*args, **kwargs):
        raise UnexpectedDialog(f"an unexpected {what}{args[1:3]}")

    return refuse


def _words(dialog) -> str:
    text = dialog.text() if isinstance(dialog, QMessageBox) else ""
    return f"{dialog.windowTitle()}: {text}"


def _click(dialog: QDialog, text: str) -> None:
    """Click the button with this text in the dialog shown (or close it, and say): the
    dialog itself, not whichever is the active modal one, which offscreen may be none
    yet, and a dialog left open waits for a click forever."""
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text and button.isEnabled():
            button.click()
            return
    dialog.reject()
    raise UnexpectedDialog(f"no button {text!r} to click in {_words(dialog)}")

"""`orbita-gui ostep ... --gui`: malloc.py's run printed, then open in the window,
paused at its first operation, on malloc.py's heap and policy."""

import PySide6.QtCore
import PySide6.QtWidgets
import pytest

from orbita_gui.app.main import main
from orbita_gui.app.window import MainWindow


@pytest.fixture
def opened(monkeypatch, settings):
    """What the window held when the event loop would have started (it is closed then)."""
    seen = {}

    def exec_(self=None) -> int:
        (window,) = [
            w
            for w in PySide6.QtWidgets.QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible()
        ]
        player, machine = window.traces.player, window.model.machine
        seen.update(
            position=player.position,
            length=player.length,
            playing=player.playing,
            heap=(machine.heap_kind, machine.heap.heap_start, machine.heap.heap_size),
            rules=machine.heap.rules,
        )
        window.model.mark_saved()
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(PySide6.QtWidgets.QApplication, "exec", exec_)
    monkeypatch.setattr(PySide6.QtCore, "QSettings", lambda: settings)
    return seen


def test_a_run_opens_paused_at_its_first_operation(qtbot, opened, capsys):
    status = main(["ostep", "-A", "+10,+20,-0,+5", "-p", "FIRST", "-l", "INSERT-FRONT", "--gui"])
    assert status == 0
    assert "ptr[0] = Alloc(10) returned ?" in capsys.readouterr().out
    assert opened["position"] == 0 and opened["length"] == 4 and not opened["playing"]
    assert opened["heap"] == ("ostep", 1000, 100)
    assert (opened["rules"].fit, opened["rules"].order) == ("first", "insert-front")

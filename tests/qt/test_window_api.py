"""The window's public API: a feature adds its dock, its menu items and its status
messages by name, never through private members or positions."""

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

import orbita_gui.app
from orbita_gui.views import palette

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


def texts(menu):
    """A menu's items as read, sections apart: `|` for each separator shown."""
    shown = []
    for action in menu.actions():
        if action.isSeparator():
            if shown and shown[-1] != "|":  # Qt hides a leading or doubled separator
                shown.append("|")
        else:
            shown.append(action.text().replace("&", ""))
    return shown[:-1] if shown and shown[-1] == "|" else shown


def menu_titles(window):
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


class Ruler:
    """A feature as small as one can be: a dock, a File item, a word in the status bar."""

    def __init__(self, window) -> None:
        self.seen = 0
        self.label = QLabel("ruler")
        self.dock = window.add_dock("ruler", "Ruler", self.label, BOTTOM, tabify_with="log")
        self.action = window.make_action("&Measure…", self.measure, "Ctrl+M", "Measure a block")
        window.add_action("file", self.action, section="ruler", before="machine")
        self.window = window

    def measure(self) -> None:
        self.seen += 1
        self.window.say(f"measured {self.seen} time(s)")


def test_a_feature_adds_a_dock_found_by_its_id(qtbot, window):
    ruler = Ruler(window)
    assert window.dock("ruler") is ruler.dock and ruler.dock.widget() is ruler.label
    assert ruler.dock.objectName() == "ruler"  # the remembered layout finds it by this
    qtbot.waitUntil(lambda: ruler.dock in window.tabifiedDockWidgets(window.dock("log")))
    qtbot.waitUntil(lambda: ruler.dock.visibleRegion().isEmpty())  # behind the log's tab
    assert not window.dock("log").visibleRegion().isEmpty()
    docks = texts(window.menuBar().actions()[2].menu())  # View
    assert docks[-9:] == [
        "Controls",
        "Statistics",
        "Operation log",
        "Player",
        "Statistics plots",
        "Blocks over time",
        "Narration and code",
        "Predict, then check",
        "Ruler",
    ]


def test_dock_ids_are_unique_and_checked(window):
    with pytest.raises(ValueError, match="'log'"):
        window.add_dock("log", "Another log", QLabel(), BOTTOM)
    with pytest.raises(KeyError):
        window.dock("no such dock")


def test_a_feature_puts_its_action_in_a_named_section(window):
    ruler = Ruler(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert texts(file_menu) == [
        "Open trace…",
        "Save session…",
        "Export",
        "|",
        "Measure…",
        "|",
        "New machine…",
        "|",
        "Quit",
    ]
    ruler.action.trigger()
    assert window.status.text() == "measured 1 time(s)"
    assert ruler.action.toolTip() == "Measure a block (Ctrl+M)"
    assert ruler.action.statusTip() == "Measure a block"


def test_order_is_by_section_name_not_by_when_or_where(window):
    """Items added late still land in their own section, and a section named `before`
    another goes in front of it whatever was added first."""
    window.add_menu("tools", "&Tools", before="help")
    assert menu_titles(window)[-3:] == ["Player", "Tools", "Help"]

    def add(name, section, before=None):
        window.add_action("tools", window.make_action(name, lambda: None), section, before)

    add("b1", "b")
    add("a1", "a", before="b")
    add("c1", "c")
    add("b2", "b")
    add("a2", "a", before="c")  # `before` places a new section only: "a" is placed already
    add("none", None)
    tools = window.menuBar().actions()[-2].menu()
    assert texts(tools) == ["a1", "a2", "|", "b1", "b2", "|", "c1", "|", "none"]
    add("late", "trace")  # a name another menu uses is this menu's own section
    assert texts(tools)[-1] == "late"


def test_unknown_names_are_errors_not_a_guess(window):
    action = window.make_action("x", lambda: None)
    with pytest.raises(KeyError):
        window.add_action("no such menu", action)
    with pytest.raises(KeyError, match="'nowhere'"):
        window.add_action("file", action, section="new", before="nowhere")
    with pytest.raises(ValueError):
        window.add_menu("file", "&File again")


def test_say_shows_failures_in_red(window):
    window.say("all well")
    assert window.status.text() == "all well"
    assert palette.ERROR.name() not in window.status.styleSheet()
    window.say("refused", failed=True)
    assert window.status.text() == "refused"
    assert palette.ERROR.name() in window.status.styleSheet()


def test_the_app_reaches_into_no_other_objects_private_members():
    """`other._name` in orbita_gui/app: only `self` and `cls` have their own privates."""
    reaching = []
    for path in sorted(Path(orbita_gui.app.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                reaching.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert reaching == []

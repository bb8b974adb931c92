"""File > New machine chooses the heap allocator: the registry's presets, or the free-list
heap with a fit, an order, coalescing and a header, each choice explained."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from orbita_gui.app.reset_dialog import ResetDialog
from orbita_gui.core import registry
from orbita_gui.core.allocators.heap_rules import GUIDE, OSTEP, HeapRules


def choose(box, value):
    """Pick an entry of a combo box as a person does: open it, click the entry."""
    index = box.findData(value)
    assert index >= 0, value
    box.showPopup()
    view = box.view()
    view.setCurrentIndex(view.model().index(index, 0))
    box.setCurrentIndex(index)  # what the click on the entry does
    box.hidePopup()


def type_into(qtbot, spin, text):
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def new_machine(qtbot, window, dialogs, fill, button="OK"):
    """File > New machine, the dialog filled in by `fill(dialog)`, then `button`."""
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = dialog
        fill(dialog)

    QTimer.singleShot(0, answer)  # before the scripted click, queued by exec
    dialogs.click(button)
    window.new_machine()
    return seen["dialog"]


@pytest.mark.parametrize("name", list(registry.kinds(registry.HEAP)))
def test_each_heap_allocator_of_the_registry_can_be_chosen(qtbot, window, dialogs, name):
    new_machine(qtbot, window, dialogs, lambda d: choose(d.allocator_box, name))
    machine = window.model.machine
    assert machine.heap_kind == name
    assert f"Allocator: {name}:" in window._allocator_labels[0].text()


def test_the_ostep_preset_shows_its_rules_and_makes_its_heap(qtbot, window, dialogs):
    def fill(dialog):
        choose(dialog.allocator_box, "ostep")
        assert dialog.fields["fit"].currentData() == "best"
        assert dialog.fields["order"].currentData() == "addrsort"
        assert dialog.fields["leftover"].currentData() == "in-place"
        assert not dialog.fields["node_rules"].isChecked()

    new_machine(qtbot, window, dialogs, fill)
    assert window.model.machine.heap.rules == OSTEP
    words = window._allocator_labels[0].text()
    assert "ostep: best fit, addrsort, no coalescing" in words


def test_a_custom_policy_of_fit_order_coalescing_and_header(qtbot, window, dialogs):
    def fill(dialog):
        choose(dialog.allocator_box, "free-list")
        choose(dialog.fields["fit"], "next")
        choose(dialog.fields["order"], "sizesort+")
        qtbot.mouseClick(dialog.fields["coalesce"], Qt.MouseButton.LeftButton)
        type_into(qtbot, dialog.fields["header"], "16")

    new_machine(qtbot, window, dialogs, fill)
    rules = window.model.machine.heap.rules
    assert rules == HeapRules(fit="next", order="sizesort+", coalesce=True, header=16)
    assert window.model.machine.heap_kind == "free-list"


def test_changing_a_presets_rule_makes_it_a_free_list_heap_with_that_rule(qtbot):
    dialog = shown(qtbot, ResetDialog(1 << 30, 100 << 10, heap="ostep"))
    qtbot.mouseClick(dialog.fields["coalesce"], Qt.MouseButton.LeftButton)
    name, params = dialog.allocator()
    assert name == "free-list"
    assert HeapRules(**params) == HeapRules(
        fit="best", order="addrsort", coalesce=True, node_rules=False, leftover="in-place"
    )


def test_the_dialog_opens_on_the_allocator_in_use(qtbot):
    params = {"fit": "worst", "order": "insert-back", "header": 8}
    dialog = ResetDialog(1 << 30, 100 << 10, heap="free-list", heap_params=params)
    qtbot.addWidget(dialog)
    assert dialog.allocator() == ("free-list", {**create_params(GUIDE), **params})


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def create_params(rules):
    return {p.name: getattr(rules, p.name) for p in registry.kind("free-list").params}


def test_a_header_the_listnode_rules_refuse_is_explained_and_not_accepted(qtbot):
    dialog = shown(qtbot, ResetDialog(1 << 30, 100 << 10, heap="free-list"))
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    type_into(qtbot, dialog.fields["header"], "4")
    assert not ok.isEnabled() and "multiple of 8" in dialog.error.text()
    qtbot.mouseClick(dialog.fields["node_rules"], Qt.MouseButton.LeftButton)  # rules off
    assert ok.isEnabled() and dialog.error.text() == ""


def test_every_choice_says_what_it_does(qtbot):
    dialog = ResetDialog(1 << 30, 100 << 10)
    qtbot.addWidget(dialog)
    tip = Qt.ItemDataRole.ToolTipRole
    fit, order = dialog.fields["fit"], dialog.fields["order"]
    assert "smallest" in fit.itemData(fit.findData("best"), tip)
    assert "where the last search ended" in fit.itemData(fit.findData("next"), tip)
    assert "address order" in order.itemData(order.findData("addrsort"), tip)
    assert "neighbours" in dialog.fields["coalesce"].toolTip()
    assert "in front of each block" in dialog.fields["header"].toolTip()
    box = dialog.allocator_box
    for index in range(box.count()):
        assert box.itemData(index, tip) == registry.kind(box.itemData(index)).help
    for name, field in dialog.fields.items():
        assert field.toolTip(), name


def test_cancel_keeps_the_machine(qtbot, window, dialogs):
    before = window.model.machine
    new_machine(qtbot, window, dialogs, lambda d: choose(d.allocator_box, "ostep"), "Cancel")
    assert window.model.machine is before

"""Undo commands alone: on a History, with the announcements and bugs collected."""

import pytest
from PySide6.QtGui import QUndoStack

from orbita_gui.core import Machine
from orbita_gui.model.commands import Batch, OpsCommand, ResetCommand
from orbita_gui.model.history import History
from orbita_gui.traces import Op

from ..machine_state import machine_state


@pytest.fixture
def told():
    return {"announced": [], "bugs": []}


def command(history, ops, told):
    _, events = history.run(ops, 0, len(ops))
    return OpsCommand(
        "step",
        history,
        ops,
        events,
        lambda events, undone: told["announced"].append((len(events), undone)),
        told["bugs"].append,
    )


def test_undo_and_redo_take_back_and_apply_the_same_operations(qapp, told):
    history = History(Machine(1 << 20, heap_size=4096))
    before = machine_state(history.machine)
    ops = (Op("alloc-frame", "f1"), Op("malloc", "b1", 24, 8), Op("free", "nobody"))
    stack = QUndoStack()
    stack.push(command(history, ops, told))  # pushed after the first run: not run again
    after = machine_state(history.machine)
    assert told["announced"] == [] and history.position == 3
    stack.undo()
    assert machine_state(history.machine) == before and told["announced"] == [(2, True)]
    stack.redo()
    assert machine_state(history.machine) == after and told["announced"][-1] == (2, False)
    assert list(history.ops) == list(ops) and not told["bugs"]


def test_an_undo_out_of_order_is_a_bug_reported_not_raised(qapp, told):
    history = History(Machine(1 << 20, heap_size=4096))
    step = command(history, (Op("alloc-frame", "f1"),), told)
    history.apply(Op("alloc-frame", "f2"))  # a second writer would do this
    step.undo()  # as Qt calls it: nothing may escape
    assert "out of order" in str(told["bugs"][0][1]) and history.position == 2


def test_a_reset_swaps_machines_with_their_histories(qapp, told):
    old = Machine(1 << 20)
    swapped = []
    reset = ResetCommand(
        (old, History(old)),
        Machine(1 << 22),
        lambda *pair: swapped.append(pair),
        told["bugs"].append,
    )
    reset.redo()
    reset.undo()
    reset.redo()
    assert [machine.frames.total_frames for machine, _ in swapped] == [1024, 256, 1024]
    assert swapped[0][1] is swapped[2][1]  # the new machine keeps its one history


def test_a_batch_is_one_undo_step(qapp, told):
    history, stack = History(Machine(1 << 20)), QUndoStack()
    with Batch(stack, "both"):
        stack.push(command(history, (Op("alloc-frame", "a"),), told))
        stack.push(command(history, (Op("alloc-frame", "b"),), told))
    assert stack.count() == 1
    stack.undo()
    assert history.position == 0

"""The model attacked at random: hand operations valid and not, New machine, undo, redo,
traces loaded, stepped and sought, sessions saved. After every step the bytes add up,
the saved session replays to exactly this state, and undoing everything returns the
state the undo history starts from."""

import sys

import shiboken6
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtWidgets import QApplication

from orbita_gui.core import Machine
from orbita_gui.model import MachineModel, TracePlayer
from orbita_gui.resources import resource_path
from orbita_gui.traces import Op, Replayer, format_native, machine_for, parse_native, read_trace

from ..machine_state import machine_state

SAMPLES = sorted(resource_path("traces").glob("*.trace"))
SIZES = st.integers(0, 6000) | st.sampled_from([1 << 20, 1 << 40, 2**63, 2**64])
ALIGNS = st.sampled_from([1, 2, 8, 16, 64, 256, 4096, 0, 3, 24])
NAMES = st.sampled_from(["a", "b", "f1", "b1", "b2", "0", ""])
"""Names of operations applied by hand: some the hand actions give too."""
OPS = st.one_of(
    st.builds(Op, st.just("alloc-frame"), NAMES),
    st.builds(Op, st.just("free-frame"), NAMES),
    st.builds(Op, st.just("malloc"), NAMES, SIZES, ALIGNS),
    st.builds(Op, st.just("free"), NAMES),
    st.builds(Op, st.just("realloc"), NAMES, SIZES, new_name=st.none() | NAMES),
)


def replayed(trace):
    """The machine a trace leaves, replayed on its own fresh machine."""
    replayer = Replayer(trace, machine_for(trace))
    while not replayer.at_end:
        replayer.step()
    return replayer.machine


class ModelAttack(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = QApplication.instance() or QApplication([])
        self.model = MachineModel(Machine(1 << 20, heap_size=8192))
        self.player = TracePlayer(self.model)
        self.base = machine_state(self.model.machine)
        """What undoing everything must return to: the state the undo history starts at."""
        self.escaped: list[BaseException] = []
        self._hook, sys.excepthook = (
            sys.excepthook,
            lambda kind, value, tb: self.escaped.append(value),
        )

    def teardown(self) -> None:
        self.player.pause()
        # The player first, so that Qt disconnects it before the model's undo stack goes.
        shiboken6.delete(self.player)
        shiboken6.delete(self.model)
        self.app.processEvents()
        sys.excepthook = self._hook
        assert not self.escaped

    def state(self):
        return machine_state(self.model.machine)

    def _after_player(self) -> None:
        """Player steps are not undoable: with no undo history, they move the base."""
        if self.model.undo_stack.count() == 0:
            self.base = self.state()

    # Hand operations

    @rule(memory=st.sampled_from([64 << 10, 256 << 10, 1 << 20, 1 << 22]), heap=SIZES)
    def new_machine(self, memory, heap):
        before = self.state()
        if not self.model.reset(memory, heap):
            assert self.state() == before

    @rule()
    def allocate_frame(self):
        self.model.allocate_frame()

    @rule(count=st.integers(1, 300))
    def allocate_frames(self, count):
        self.model.allocate_frames(count)

    @rule(data=st.data())
    def free_frame(self, data):
        used = self.model.machine.frames.bitmap().nonzero()[0].tolist()
        any_frame = st.integers(0, 1 << 21)  # none is used on a slab machine yet
        number = data.draw(st.sampled_from(used) | any_frame if used else any_frame, "frame")
        self.model.free_frame(number)

    @rule(size=SIZES, align=ALIGNS)
    def allocate(self, size, align):
        self.model.allocate(size, align)

    def _pointer(self, data):
        live = sorted(self.model.machine.heap.allocations())
        junk = st.integers(0, 2**64 - 1)
        return data.draw(st.sampled_from(live) | junk if live else junk, "pointer")

    @rule(data=st.data())
    def free_block(self, data):
        self.model.free_block(self._pointer(data))

    @rule(data=st.data(), size=SIZES)
    def realloc(self, data, size):
        self.model.realloc(self._pointer(data), size)

    @rule(op=OPS)
    def apply(self, op):
        """Any operation, as the one way in takes it: by name, undoable."""
        before, ops = self.state(), len(self.model.ops)
        outcome = self.model.apply(op)
        if outcome.failure or outcome.event is None:
            assert self.state() == before and len(self.model.ops) == ops

    @rule()
    def undo(self):
        self.model.undo_stack.undo()

    @rule()
    def redo(self):
        self.model.undo_stack.redo()

    @rule(back=st.integers(1, 6), forward=st.integers(0, 6))
    def undo_and_redo_a_few(self, back, forward):
        for _ in range(back):
            self.model.undo_stack.undo()
        for _ in range(forward):
            self.model.undo_stack.redo()

    # The trace player

    @rule(path=st.sampled_from(SAMPLES))
    def load_trace(self, path):
        assert self.player.load(read_trace(path))
        self.base = self.state()

    @precondition(lambda self: self.player.loaded)
    @rule(steps=st.integers(1, 5), back=st.booleans())
    def step(self, steps, back):
        for _ in range(steps):
            (self.player.step_back if back else self.player.step_forward)()
        self._after_player()

    @precondition(lambda self: self.player.loaded)
    @rule(data=st.data())
    def seek(self, data):
        self.player.seek(data.draw(st.integers(-2, self.player.length + 2), "target"))
        self._after_player()

    # What must hold

    @rule()
    def undo_everything_then_redo_it(self):
        stack, now, index = self.model.undo_stack, self.state(), self.model.undo_stack.index()
        while stack.canUndo():
            stack.undo()
        assert self.state() == self.base
        while stack.index() < index:
            stack.redo()
        assert self.state() == now

    @invariant()
    def bytes_add_up(self):
        stats = self.model.machine.heap.stats()
        assert stats.allocated + stats.free + stats.lost + stats.unmapped == stats.total

    @invariant()
    def the_saved_session_replays_to_this_state(self):
        text = format_native(self.model.session())
        assert machine_state(replayed(parse_native(text, "session"))) == self.state()

    @invariant()
    def nothing_escaped_into_qt(self):
        self.app.processEvents()  # a command's error is reported on the next turn
        assert not self.escaped


ModelAttack.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
test_the_model_under_attack = ModelAttack.TestCase

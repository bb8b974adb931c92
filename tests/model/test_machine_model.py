"""The model: one signal per operation, exact undo and redo, errors reported not raised."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbita_gui.core import HEAP_START, FrameAllocation, HeapAllocation, Layout, Machine
from orbita_gui.model import MachineModel, machine_model
from orbita_gui.traces import Op, Replayer, Trace, format_native, machine_for, parse_native

from ..machine_state import machine_state


@pytest.fixture
def model(qtbot):
    return MachineModel(Machine(1 << 20))  # 256 frames; the heap takes the first 25


def state(model):
    m = model.machine
    return (
        m.frames.bitmap().tobytes(),
        m.frames.next_free,
        m.heap.free_regions(),
        dict(m.heap.allocations()),
        m.heap.stats(),
    )


def test_an_operation_emits_its_event_once(qtbot, model):
    applied, allocated = [], []
    model.sig_event_applied.connect(applied.append)
    model.sig_frame_allocated.connect(allocated.append)
    with qtbot.waitSignal(model.sig_changed, timeout=1000):
        event = model.allocate_frame()
    assert applied == [event] and isinstance(event, FrameAllocation)
    assert allocated == [25]
    assert "allocate_frame() -> Frame(0x19000)" in model.frame_note(25)


def test_heap_operations_emit_block_signals(qtbot, model):
    allocated, freed = [], []
    model.sig_block_allocated.connect(allocated.append)
    model.sig_block_freed.connect(freed.append)
    event = model.allocate(24, 8)
    assert isinstance(event, HeapAllocation) and event.ptr == HEAP_START
    assert model.last_heap_event is event
    model.free_block(event.ptr)
    assert [b.ptr for b in allocated] == [HEAP_START] and [b.ptr for b in freed] == [HEAP_START]


def test_undo_and_redo_restore_the_exact_state(qtbot, model):
    forward = [state(model)]
    for step in (
        lambda: model.allocate_frame(),
        lambda: model.allocate(24, 8),
        lambda: model.allocate(100, 64),
        lambda: model.allocate_frames(5),
        lambda: model.free_block(HEAP_START),
        lambda: model.free_frame(27),
        lambda: model.realloc(HEAP_START + 64, 300),
        lambda: model.allocate(16, 8),
    ):
        step()
        forward.append(state(model))
    assert model.undo_stack.count() == 8
    for expected in reversed(forward[:-1]):
        model.undo_stack.undo()
        assert state(model) == expected
    assert not model.undo_stack.canUndo()
    for expected in forward[1:]:
        model.undo_stack.redo()
        assert state(model) == expected


def test_redo_brings_back_the_same_addresses(qtbot, model):
    first = [model.allocate(size, 8).ptr for size in (24, 40, 8)]
    for _ in first:
        model.undo_stack.undo()
    assert model.machine.heap.allocations() == {}
    redone = []
    model.sig_block_allocated.connect(lambda block: redone.append(block.ptr))
    for _ in first:
        model.undo_stack.redo()
    assert redone == first


def test_undo_emits_the_reverse_signals(qtbot, model):
    model.allocate_frame()
    reverted, freed = [], []
    model.sig_event_reverted.connect(reverted.append)
    model.sig_frame_freed.connect(freed.append)
    model.undo_stack.undo()
    assert len(reverted) == 1 and freed == [25]
    assert model.frame_note(25).startswith("undone: allocate_frame()")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (lambda m: m.free_frame(100), "is not allocated: double free"),
        (lambda m: m.free_frame(3), "backs heap page"),
        (lambda m: m.free_frame(100_000), "beyond the end of memory"),
        (lambda m: m.free_block(0x1234), "0x1234 is not a live allocation"),
        (lambda m: m.allocate(24, 3), "alignment 3 is not a power of two"),
        (lambda m: m.allocate(-1, 8), "size -1 is negative"),
        (lambda m: m.allocate(1 << 20, 8), "null: out of memory"),
        (lambda m: m.reset(0, 1024), "memory size 0"),
    ],
)
def test_bad_requests_are_reported_and_change_nothing(qtbot, model, request_, message):
    model.allocate(24, 8)
    before, depth = state(model), model.undo_stack.count()
    with qtbot.waitSignal(model.sig_operation_failed, timeout=1000) as failure:
        request_(model)
    assert message in failure.args[0]
    assert state(model) == before
    assert model.undo_stack.count() == depth


def test_many_operations_repaint_once(qtbot, model):
    changes = []
    model.sig_changed.connect(lambda: changes.append(1))
    applied = []
    model.sig_event_applied.connect(applied.append)
    with qtbot.waitSignal(model.sig_changed, timeout=1000):
        for _ in range(200):
            model.allocate_frame()
    assert len(applied) == 200
    qtbot.wait(50)  # the timer has nothing more to say
    assert changes == [1]


def test_allocate_frames_is_one_undo_step(qtbot, model):
    assert model.allocate_frames(1000) == 231  # only 231 are free
    assert model.machine.frames.stats().free_frames == 0
    assert model.undo_stack.count() == 1
    assert model.undo_stack.undoText() == "allocate 231 frames"
    model.undo_stack.undo()
    assert model.machine.frames.stats().used_frames == 25
    with qtbot.waitSignal(model.sig_operation_failed):
        model.allocate_frames(1000)
        model.allocate_frames(1)


def test_many_frames_report_progress_and_cancel_takes_all_back(qtbot, monkeypatch):
    monkeypatch.setattr(machine_model, "FRAMES_AT_ONCE", 1000)
    model = MachineModel(Machine(16 << 20))  # 4,096 frames, 25 for the heap
    seen = []
    applied = []
    model.sig_events_applied.connect(applied.append)
    assert model.allocate_frames(3500, lambda done, total: seen.append((done, total))) == 3500
    assert seen == [(1000, 3500), (2000, 3500), (3000, 3500), (3500, 3500)]
    assert len(applied) == 1 and len(applied[0]) == 3500  # one announcement at the end
    assert model.undo_stack.count() == 1 and model.undo_stack.undoText() == "allocate 3,500 frames"
    model.undo_stack.undo()
    before = model.machine.frames.bitmap().copy()
    assert model.allocate_frames(3500, lambda done, total: done < 2000) == 0  # Cancel at 2,000
    assert (model.machine.frames.bitmap() == before).all() and len(model.history) == 0
    assert model.undo_stack.index() == 0 and model.undo_stack.count() == 1  # the redo remains


def test_reset_is_undoable(qtbot, model):
    old = model.machine
    model.allocate_frame()
    with qtbot.waitSignal(model.sig_machine_reset):
        assert model.reset(1 << 22, 8192)
    assert model.machine.frames.total_frames == 1024
    assert model.machine.heap.heap_size == 8192
    model.undo_stack.undo()
    assert model.machine is old and old.frames.is_frame_used(25)


def test_free_selection_frees_frames_and_blocks_in_one_step(qtbot, model):
    model.allocate_frames(3)
    ptr = model.allocate(64, 8).ptr
    model.toggle_frame_selection(26)
    model.toggle_frame_selection(27)
    model.toggle_frame_selection(27)  # toggled off again
    model.toggle_block_selection(ptr)
    model.free_selection()
    assert not model.machine.frames.is_frame_used(26)
    assert model.machine.frames.is_frame_used(27)
    assert ptr not in model.machine.heap.allocations()
    assert model.selected_frames == set() and model.selected_blocks == set()
    assert model.undo_stack.undoText() == "free 2 selected"


_names = st.sampled_from(["a", "b", "c", "f", "g"])
_ops = st.one_of(
    st.builds(Op, st.just("alloc-frame"), _names),
    st.builds(Op, st.just("free-frame"), _names),
    st.builds(Op, st.just("malloc"), _names, st.integers(0, 300), st.sampled_from([8, 64])),
    st.builds(Op, st.just("free"), _names),
    st.builds(Op, st.just("realloc"), _names, st.integers(0, 300)),
)


def _bookkeeping(model):
    """What the model keeps, in words: the same on two machines that did the same."""
    notes = {n: (e.describe(), undone) for n, (e, undone) in model.notes.frame_changes.items()}
    last = model.last_heap_event
    return (
        [event.describe() for event in model.history],
        list(model.ops),
        None if last is None else last.describe(),
        notes,
        machine_state(model.machine),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(_ops, max_size=30), st.integers(0, 30))
def test_a_batch_is_recorded_as_its_operations_one_by_one(qapp, ops, undo_count):
    trace = Trace("generated", tuple(ops), 1 << 20, 0x1000, 4096)
    batched, single = MachineModel(machine_for(trace)), MachineModel(machine_for(trace))
    batches, singles = [], []
    batched.sig_events_applied.connect(batches.append)
    single.sig_event_applied.connect(singles.append)
    batched.apply_many(trace.ops)
    for op in trace.ops:
        single.apply(op, undoable=False)
    assert _bookkeeping(batched) == _bookkeeping(single)
    assert len(batches) == (1 if batched.history else 0)  # a batch notifies once
    undo_count = min(undo_count, len(ops))
    batched.take_back(undo_count)
    for _ in range(undo_count):
        single.take_back()
    assert _bookkeeping(batched) == _bookkeeping(single)
    assert batched.undo_stack.count() == single.undo_stack.count() == 0


def test_a_hand_action_is_an_operation_named_and_the_history_is_the_operations(qtbot, model):
    model.allocate_frames(2)
    ptr = model.allocate(24, 8).ptr
    model.realloc(ptr, 100)
    model.free_frame(25)
    model.allocate(1 << 30, 8)  # null: refused, and not kept
    assert list(model.ops) == [
        Op("alloc-frame", "f1"),
        Op("alloc-frame", "f2"),
        Op("malloc", "b1", 24, 8),
        Op("realloc", "b1", 100),
        Op("free-frame", "f1"),
    ]
    assert [op.kind for op in model.session().ops] == [op.kind for op in model.ops]
    model.undo_stack.undo()
    assert len(model.ops) == 4 and model.machine.frames.is_frame_used(25)


def test_apply_is_the_one_way_in_for_any_operation(qtbot, model):
    outcome = model.apply(Op("malloc", "x", 40, 16))
    assert outcome.failure is None and model.undo_stack.undoText() == "malloc x"
    with qtbot.waitSignal(model.sig_operation_failed) as failure:
        model.apply(Op("free-frame", "x"))
    assert "x is a heap block" in failure.args[0]
    assert list(model.ops) == [Op("malloc", "x", 40, 16)]  # the refusal left nothing
    model.apply(Op("free", "x"))
    model.undo_stack.undo()
    assert model.machine.heap.allocations()[outcome.event.ptr].layout == Layout(40, 16)


def test_a_frame_or_block_whose_name_was_bound_again_cannot_be_freed_by_hand(qtbot, model):
    model.apply(Op("alloc-frame", "x"))
    model.apply(Op("alloc-frame", "x"))  # frame 25 keeps no name, as in C a leaked pointer
    with qtbot.waitSignal(model.sig_operation_failed) as failure:
        model.free_frame(25)
    assert "no name" in failure.args[0]
    assert model.machine.frames.is_frame_used(25)
    model.free_frame(26)
    assert not model.machine.frames.is_frame_used(26)


def test_a_session_after_undo_holds_what_is_applied(qtbot, model):
    model.allocate_frame()
    model.allocate(24, 8)
    model.undo_stack.undo()
    trace = parse_native(format_native(model.session()))
    replayed = Replayer(trace, machine_for(trace))
    while not replayed.at_end:
        replayed.step()
    assert machine_state(replayed.machine) == machine_state(model.machine)

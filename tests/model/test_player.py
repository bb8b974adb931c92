"""The trace player: exact steps both ways, seeking, playing, letting go."""

import dataclasses
import gc
import math

import pytest

from orbita_gui.core import Machine, OrbitaError
from orbita_gui.model import MachineModel, TracePlayer
from orbita_gui.traces import Replayer, machine_for, parse_native

from ..machine_state import machine_state

TRACE = parse_native(
    """frames 1MiB
heap 0x444444440000 8KiB
alloc-frame f1
malloc a 100
malloc b 40 16
alloc-frame f2
free a
malloc c 24
realloc b 300
free-frame f1
malloc huge 100000
free nobody
malloc d 16 64
"""
)


@pytest.fixture
def player(qtbot):
    model = MachineModel(Machine(4 << 20))
    p = TracePlayer(model)
    assert p.load(TRACE)
    return p


def fresh_state(count):
    replayer = Replayer(TRACE, machine_for(TRACE))
    for _ in range(count):
        replayer.step()
    return machine_state(replayer.machine)


def test_loading_puts_a_fresh_machine_at_operation_zero(player):
    machine = player.model.machine
    assert machine.frames.total_frames == 256 and machine.heap.heap_size == 8192
    assert player.position == 0 and player.length == 11
    assert len(player.series["heap_allocated"]) == 11
    assert player.model.undo_stack.count() == 0


def test_steps_both_ways_give_the_exact_states(player):
    for count in range(1, 12):
        assert player.step_forward()
        assert machine_state(player.model.machine) == fresh_state(count)
    assert not player.step_forward()
    for count in range(10, -1, -1):
        assert player.step_back()
        assert machine_state(player.model.machine) == fresh_state(count)
    assert not player.step_back()


def test_seeking_anywhere_equals_a_fresh_replay(player):
    for target in (7, 2, 11, 0, 5):
        assert player.seek(target) == target
        assert machine_state(player.model.machine) == fresh_state(target)


def test_steps_emit_one_event_each_and_seeks_one_batch(qtbot, player):
    applied, batches, failed = [], [], []
    player.model.sig_event_applied.connect(applied.append)
    player.model.sig_events_applied.connect(batches.append)
    player.model.sig_operation_failed.connect(failed.append)
    player.step_forward()
    assert len(applied) == 1 and not batches
    player.seek(11)
    assert len(batches) == 1 and len(batches[0]) == 8  # ten operations, two failed
    assert len(player.model.history) == 9
    assert any("out of memory" in f for f in failed)
    assert any("free nobody" in f for f in failed)


def test_playing_reaches_the_end_and_stops(qtbot, player):
    player.set_speed(math.inf)
    with qtbot.waitSignal(player.sig_playing_changed) as stopped:
        player.play()
        qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert stopped.args == [True] or player.position == player.length
    assert player.position == player.length


def test_playing_slowly_advances_a_few_operations(qtbot, player):
    player.set_speed(30)
    player.play()
    qtbot.waitUntil(lambda: player.position >= 3, timeout=5000)
    player.pause()
    assert 3 <= player.position < player.length


def test_changing_the_machine_by_hand_lets_the_trace_go(qtbot, player):
    player.seek(4)
    with qtbot.waitSignal(player.sig_detached):
        player.model.allocate_frame()
    assert not player.loaded and player.position == 0


def test_a_trace_whose_machine_cannot_be_built_changes_nothing(qtbot):
    model = MachineModel(Machine(4 << 20))
    player = TracePlayer(model)
    fine = parse_native("frames 1MiB\nheap 0x1000 64KiB\nmalloc a 16\n")
    impossible = dataclasses.replace(fine, heap_size=1 << 40)  # more than memory holds
    before = model.machine
    with pytest.raises(OrbitaError):
        player.load(impossible)
    assert model.machine is before and not player.loaded


def test_a_session_saved_mid_trace_replays_to_the_same_state(player):
    player.seek(8)
    saved = player.model.session()
    again = machine_for(saved)
    replayer = Replayer(saved, again)
    while not replayer.at_end:
        replayer.step()
    assert machine_state(again) == machine_state(player.model.machine)


def test_the_cycle_collector_rests_only_while_playing_at_full_speed(qtbot):
    long = parse_native("heap 0x1000 64KiB\n" + "malloc a 16\nfree a\n" * 50_000)
    player = TracePlayer(MachineModel(Machine(4 << 20)))
    player.load(long)
    player.set_speed(math.inf)
    player.play()
    assert not gc.isenabled()  # resting before the first tick, which would pay otherwise
    player._tick()  # one screen frame: far from the end of 100,000 operations
    assert player.playing and not gc.isenabled()
    player.set_speed(30)
    player._tick()
    assert gc.isenabled()
    player.set_speed(math.inf)
    player._tick()
    player.pause()
    assert gc.isenabled()


@pytest.mark.parametrize(("speed", "ticks", "expected"), [(30, 10, 5), (600, 3, 30), (1, 59, 0)])
def test_each_tick_applies_what_the_speed_asks(qtbot, speed, ticks, expected):
    long = parse_native("heap 0x1000 64KiB\n" + "malloc a 16\nfree a\n" * 100)
    player = TracePlayer(MachineModel(Machine(4 << 20)))
    player.load(long)
    player.set_speed(speed)
    for _ in range(ticks):  # a screen frame each, at 60 a second
        player._tick()
    assert player.position == expected


def test_the_player_changes_the_machine_only_through_the_model(qtbot, player, monkeypatch):
    model, calls = player.model, []
    for name in ("apply", "apply_many", "take_back", "resume"):
        original = getattr(model, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            revision, before = model.revision, machine_state(model.machine)
            result = _original(*args, **kwargs)
            changed = machine_state(model.machine) != before
            calls.append((_name, changed, model.revision > revision or not changed))
            return result

        monkeypatch.setattr(model, name, spy)
    assert not any(isinstance(value, Replayer) for value in vars(player).values())
    for count in range(1, 4):
        state = machine_state(model.machine)
        player.step_forward()
        assert len(model.ops) == count and list(model.ops) == list(TRACE.ops[:count])
        assert machine_state(model.machine) != state  # the first three all change it
    assert [name for name, _, _ in calls] == ["apply"] * 3
    assert len(model.history) == 3 and model.history[-1] is player.animation.current
    player.step_back()
    player.seek(11)
    player.seek(2)  # from the checkpoint at the start: nine steps back cost more
    assert [name for name, _, _ in calls[3:]] == ["take_back", "apply_many", "resume", "apply_many"]
    assert all(revised for _, _, revised in calls)  # each change moved the revision
    assert list(model.ops) == list(TRACE.ops[:2])
    assert machine_state(model.machine) == fresh_state(2)


def test_undo_by_hand_after_player_steps_undoes_only_what_was_done_by_hand(qtbot, player):
    model = player.model
    player.seek(3)
    assert not model.undo_stack.canUndo()  # trace steps are not undo steps
    model.undo_stack.undo()  # so undo does nothing, and the player keeps the trace
    assert player.loaded and player.position == 3
    assert machine_state(model.machine) == fresh_state(3)
    with qtbot.waitSignal(player.sig_detached):
        model.allocate(64, 8)  # by hand: the player lets go
    assert list(model.ops)[:3] == list(TRACE.ops[:3]) and len(model.ops) == 4
    model.undo_stack.undo()
    assert machine_state(model.machine) == fresh_state(3)
    assert list(model.ops) == list(TRACE.ops[:3])  # the trace's operations stay
    assert not model.undo_stack.canUndo()

"""One machine's history alone (no Qt): operations by name, taken back, sessions."""

from orbita_gui.core import Machine
from orbita_gui.model.history import FrameAllocations, History
from orbita_gui.traces import Op, format_native, machine_for, parse_native, replay

from ..machine_state import machine_state


def history() -> History:
    return History(Machine(1 << 20, heap_size=4096))  # the heap takes frame 0


def test_operations_and_events_are_kept_and_taken_back_exactly():
    h = history()
    start = machine_state(h.machine)
    h.apply(Op("alloc-frame", "f"))
    middle = machine_state(h.machine)
    h.apply(Op("malloc", "a", 24, 8))
    h.apply(Op("free", "nobody"))  # a failure: an operation, but no event
    assert [op.name for op in h.ops] == ["f", "a", "nobody"] and len(h.events) == 2
    assert h.take_back() is None  # the failure changed nothing
    assert h.take_back() is not None
    assert machine_state(h.machine) == middle and len(h.events) == 1
    h.take_back()
    assert machine_state(h.machine) == start and h.position == 0 and not h.ops


def test_a_run_keeps_its_operations_without_copying_them():
    h = history()
    ops = tuple(Op("malloc", f"a{i}", 16, 8) for i in range(40))
    outcomes, events = h.run(ops, 10, 30)
    assert len(outcomes) == len(events) == 20 and h.position == 20
    assert list(h.ops) == list(ops[10:30])


def test_fresh_names_pass_over_the_names_held():
    h = history()
    h.apply(Op("alloc-frame", "f2"))
    assert h.fresh_name("f") == "f1"
    assert h.fresh_name("f") == "f3"  # f2 is held
    assert h.fresh_name("b") == "b1"
    h.apply(Op("alloc-frame", "f5"))
    allocations = h.frame_allocations(3)
    assert [op.name for op in allocations] == ["f6", "f7", "f8"]  # f4 to f6 would meet f5
    h.run(allocations, 0, 3)
    assert [h.name_of_frame(number) for number in range(1, 7)] == [
        "f2",
        "f5",
        "f6",
        "f7",
        "f8",
        None,
    ]


def test_frame_allocations_are_made_when_read():
    ops = FrameAllocations(7, 1_000_000)
    assert len(ops) == 1_000_000 and ops[0] == Op("alloc-frame", "f7")
    assert ops[-1] == Op("alloc-frame", "f1000006")


def test_a_session_replays_to_the_same_state():
    h = history()
    for op in (
        Op("alloc-frame", "f1"),
        Op("malloc", "b1", 100, 64),
        Op("malloc", "b2", 24, 8),
        Op("realloc", "b1", 300),
        Op("free", "b2"),
        Op("free-frame", "f1"),
    ):
        h.apply(op)
    trace = parse_native(format_native(h.session()))
    again = machine_for(trace)
    replay(trace, again)
    assert machine_state(again) == machine_state(h.machine)


def test_the_name_holding_a_frame_or_block_follows_binds_and_takebacks():
    h = history()
    a = h.apply(Op("malloc", "a", 24, 8)).event.ptr
    h.apply(Op("free", "a"))
    assert h.name_of_block(a) is None
    h.apply(Op("malloc", "b", 24, 8))  # the same address, another name
    assert h.name_of_block(a) == "b"
    h.apply(Op("malloc", "b", 24, 8))  # b bound again: the first block keeps no name
    assert h.name_of_block(a) is None
    h.take_back()
    h.take_back()
    assert h.name_of_block(a) is None
    h.take_back()  # a's free taken back: a holds it again
    assert h.name_of_block(a) == "a" and h.name_of_frame(1) is None
    h.apply(Op("malloc", "a", 8, 8))  # a bound again: its block has no name now
    h.apply(Op("alloc-frame", "a"))  # refused: a holds a block
    h.apply(Op("free", "a"))
    h.apply(Op("alloc-frame", "a"))
    assert h.name_of_frame(1) == "a" and h.name_of_block(a) is None

"""Jumping anywhere in a trace: from the checkpoints the pass behind it keeps, the
state is exactly the one stepping there one operation at a time gives, on every
allocator of the family; stepping back from a jump is exact too; and the report the
pass ends with says what the player saw at the end."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbita_gui.core import Machine, registry
from orbita_gui.model import MachineModel, TracePlayer
from orbita_gui.model import player as player_module
from orbita_gui.traces import Recording, Replayer, machine_for, parse_native
from orbita_gui.traces.checkpoints import Checkpoints

from ..machine_state import machine_state

HEAPS = list(registry.kinds("heap"))
VARIANTS = [
    "free-list fit=next order=addrsort coalesce=yes",
    "free-list fit=worst order=sizesort+ coalesce=yes leftover=in-place",
    "segregated coalesce=yes",
    "slab keep_empty=yes caches=task:1856",
]
"""Allocators whose state differs in kind from their defaults' (address-ordered trees,
coalescing indexes, kept slabs, named caches)."""
FRAMES = list(registry.kinds("frames"))
NAMES = [f"n{number}" for number in range(6)]
SIZES = st.sampled_from([8, 24, 100, 500, 2000, 5000, 20000])


def _line(kind: str, name: str, size: int) -> str:
    if kind in ("malloc", "realloc"):
        return f"{kind} {name} {size}"
    if kind == "alloc-frames":
        return f"alloc-frames {name} {size % 5 + 1}"
    return f"{kind} {name}"


OPS = st.lists(
    st.builds(
        _line,
        st.sampled_from(
            ["malloc"] * 4 + ["free"] * 3 + ["realloc", "alloc-frame", "free-frame", "alloc-frames"]
        ),
        st.sampled_from(NAMES),
        SIZES,
    ),
    min_size=1,
    max_size=60,
)


def trace_on(heap: str, frames: str, lines: list[str]):
    text = f"frames 1MiB {frames}\nheap 0x444444440000 64KiB\nallocator {heap}\n"
    return parse_native(text + "\n".join(lines) + "\n")


def stepped_to(trace, count: int):
    replayer = Replayer(trace, machine_for(trace))
    for _ in range(count):
        replayer.step()
    return machine_state(replayer.machine)


@pytest.fixture
def often(monkeypatch):
    """Checkpoints every 5 operations, always worth resuming from: small traces jump."""
    monkeypatch.setattr(player_module, "CHECKPOINT_EVERY", 5)
    monkeypatch.setattr(player_module, "RESUME_COST", 0)


def recorded_player(trace) -> TracePlayer:
    player = TracePlayer(MachineModel(Machine(4 << 20)))
    assert player.load(trace)
    assert player.finish_recording()
    return player


@pytest.mark.parametrize("frames", FRAMES)
@pytest.mark.parametrize("heap", HEAPS + VARIANTS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=OPS, targets=st.lists(st.integers(0, 60), min_size=1, max_size=6))
def test_a_jump_gives_the_state_stepping_gives(qtbot, often, heap, frames, lines, targets):
    trace = trace_on(heap, frames, lines)
    player = recorded_player(trace)
    for target in targets:
        position = player.seek(target)
        assert position == min(target, len(lines))
        assert machine_state(player.model.machine) == stepped_to(trace, position)
        if position and player.step_back():  # back from a jump: exact too
            assert machine_state(player.model.machine) == stepped_to(trace, position - 1)


def test_a_far_jump_resumes_from_a_checkpoint_and_steps_back_across_it(qtbot, often):
    trace = trace_on("guide", "bitmap", ["malloc a 24", "free a"] * 10)
    player = recorded_player(trace)
    assert player.seek(17) == 17
    assert player.model.kept_operations == 2  # resumed at 15: nothing older to take back
    for position in (16, 15, 14, 13):
        assert player.step_back()
        assert player.position == position
        assert machine_state(player.model.machine) == stepped_to(trace, position)
    assert len(player.model.ops) == 13  # a session saved now holds the whole way here


def test_without_checkpoints_a_jump_replays_from_where_it_is(qtbot, monkeypatch):
    monkeypatch.setattr(player_module, "RESUME_COST", 10**9)
    trace = trace_on("guide", "bitmap", ["malloc a 24", "free a"] * 10)
    player = recorded_player(trace)
    player.seek(17)
    assert player.model.kept_operations == 17


def test_a_trace_plays_at_once_and_its_statistics_fill_in_behind(qtbot):
    trace = parse_native("heap 0x1000 64KiB\n" + "malloc a 16\nfree a\n" * 20_000)
    player = TracePlayer(MachineModel(Machine(4 << 20)))
    seen = []
    player.sig_recorded.connect(seen.append)
    assert player.load(trace)
    assert player.recorded < player.length and player.report is None  # not replayed first
    assert player.step_forward()  # playable now
    qtbot.waitUntil(lambda: player.report is not None, timeout=20_000)
    assert seen == sorted(seen) and len(seen) > 1 and seen[-1] == 40_000
    assert player.report.operations == 40_000


@pytest.mark.parametrize("heap", HEAPS)
def test_the_report_says_what_the_player_sees_at_the_end(qtbot, monkeypatch, heap):
    monkeypatch.setattr(player_module, "RESUME_COST", 10**9)  # every operation, told
    lines = [f"malloc n{i % 7} {(i * 37) % 30000 + 8}" for i in range(120)]
    lines += [f"free n{i % 9}" for i in range(0, 120, 3)]
    trace = trace_on(heap, "bitmap", lines)
    player = recorded_player(trace)
    failures = []
    player.model.sig_operation_failed.connect(failures.append)
    player.seek(player.length)
    report, machine = player.report, player.model.machine
    stats = machine.heap.stats()
    assert report.operations == player.position == len(lines)
    assert report.failures == len(failures) > 0
    assert report.free_list_length == stats.free_regions
    assert report.fragmentation == stats.external_fragmentation
    assert player.series["heap_allocated"][-1] == stats.allocated
    assert player.series["frames_used"][-1] == machine.frames.used_frames


def test_a_long_trace_keeps_a_bounded_history_and_steps_back_exactly(qtbot, often, monkeypatch):
    monkeypatch.setattr(player_module, "HISTORY_KEPT", 8)
    lines = [f"malloc n{i % 5} {i % 7 * 8 + 8}" if i % 3 else f"free n{i % 5}" for i in range(60)]
    trace = trace_on("guide", "bitmap", lines)
    player = recorded_player(trace)
    for _ in range(60):
        player.step_forward()
    assert player.model.kept_operations <= 8 + 8 // 4  # the oldest let go
    assert len(player.model.ops) == 60  # a session still holds every operation
    for position in range(59, 40, -1):
        assert player.step_back()
        assert machine_state(player.model.machine) == stepped_to(trace, position)


def test_states_past_their_budget_are_thinned_out_and_still_exact():
    lines = [f"malloc n{i % 5} {i % 7 * 8 + 8}" if i % 3 else f"free n{i % 5}" for i in range(90)]
    trace = trace_on("guide", "bitmap", lines)
    roomy = Recording(trace, checkpoints=Checkpoints(every=3))
    roomy.advance()
    budget = roomy.checkpoints.nbytes // 4
    tight = Recording(trace, checkpoints=Checkpoints(every=3, budget=budget))
    tight.advance()
    kept = tight.checkpoints
    assert len(kept) < len(roomy.checkpoints) // 2 and kept.nbytes <= budget
    assert kept.least > 3 and kept.before(0).position == 0
    for target in range(0, 91, 7):
        checkpoint = kept.before(target)
        replayer = Replayer.resumed(trace, checkpoint.state(), checkpoint.position, tight.effects)
        replayer.run(trace.ops, checkpoint.position, target)
        assert machine_state(replayer.machine) == stepped_to(trace, target)

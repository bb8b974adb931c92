"""The sample traces teach what their headers say they do."""

from orbita_gui.core import HEAP_START
from orbita_gui.resources import resource_path
from orbita_gui.traces import Replayer, machine_for, read_trace


def run(name, stop_after=None):
    trace = read_trace(resource_path("traces", name))
    replayer = Replayer(trace, machine_for(trace))
    outcomes = []
    while not replayer.at_end and (stop_after is None or replayer.position < stop_after):
        outcomes.append(replayer.step())
    return replayer, outcomes


def test_next_free_hint():
    replayer, _ = run("1-next-free-hint.trace", stop_after=8)
    assert replayer.machine.frames.next_free == 6  # free-frame c pulled it back
    replayer.step()  # free-frame f, above the hint
    assert replayer.machine.frames.next_free == 6
    while not replayer.at_end:
        replayer.step()
    assert [replayer.binding(n) for n in "hij"] == [6, 9, 11]


def test_no_coalescing():
    replayer, outcomes = run("2-no-coalescing.trace")
    regions = dict(replayer.machine.heap.free_regions())
    b = HEAP_START + 128
    assert regions[b] == 128 and regions[b + 128] == 128  # neighbours, two nodes
    failures = [o.failure for o in outcomes if o.failure]
    assert len(failures) == 1 and "size: 200" in failures[0]
    assert replayer.binding("small")[0] == HEAP_START + 6 * 128  # g's place
    assert replayer.binding("big") is None


def test_alignment_padding():
    replayer, _ = run("3-alignment-padding.trace")
    heap = replayer.machine.heap
    assert heap.stats().lost == 48 + 128
    assert replayer.binding("c")[0] == HEAP_START + 0x100
    assert replayer.binding("d")[0] == HEAP_START + 0x40  # b's place


def test_out_of_memory_with_free_bytes():
    replayer, outcomes = run("4-out-of-memory-with-free-bytes.trace")
    stats = replayer.machine.heap.stats()
    assert stats.free >= 1024 and stats.largest_free == 128
    assert outcomes[-1].event.failed and outcomes[-1].event.passed_over == 8

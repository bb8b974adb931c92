"""Repaint coalescing alone: one emit a screen frame, however many marks."""

import time

from orbita_gui.model.repaint import RepaintCoalescer


def test_many_marks_emit_once_within_a_frame(qtbot):
    emitted = []
    coalescer = RepaintCoalescer(lambda: emitted.append(1), interval_ms=5)
    for _ in range(1000):
        coalescer.mark()
    assert coalescer.dirty and emitted == []
    qtbot.waitUntil(lambda: emitted == [1], timeout=1000)
    qtbot.wait(30)
    assert emitted == [1] and not coalescer.dirty


def test_flush_emits_a_pending_repaint_now_and_only_then(qtbot):
    emitted = []
    coalescer = RepaintCoalescer(lambda: emitted.append(1), interval_ms=5)
    coalescer.flush()
    assert emitted == []  # nothing pending
    coalescer.mark()
    coalescer.flush()
    assert emitted == [1]
    qtbot.wait(30)
    assert emitted == [1]  # the timer was stopped


def test_a_mark_while_emitting_asks_for_the_next_frame(qtbot):
    emitted = []

    def emit():
        emitted.append(1)
        if len(emitted) == 1:
            coalescer.mark()  # a view changing the model as it repaints

    coalescer = RepaintCoalescer(emit, interval_ms=5)
    coalescer.mark()
    qtbot.waitUntil(lambda: len(emitted) == 2, timeout=1000)


def test_a_stream_of_marks_does_not_put_the_repaint_off(qtbot):
    emitted = []
    coalescer = RepaintCoalescer(lambda: emitted.append(1), interval_ms=10)
    deadline = time.monotonic() + 0.1
    while time.monotonic() < deadline:  # a change every 2 ms, for 100 ms
        coalescer.mark()
        qtbot.wait(2)
    assert len(emitted) >= 3

"""The throttle: a burst of requests runs once now and once at the end, never more."""

from PySide6.QtCore import QObject

from orbita_gui.views.throttle import Throttle


def test_a_burst_runs_first_and_last_and_nothing_between(qtbot):
    owner, runs = QObject(), []
    throttle = Throttle(lambda: runs.append(len(requests)), per_second=10, parent=owner)
    requests = []
    for _ in range(50):
        requests.append(None)
        throttle.request()
    assert runs == [1]  # the first ran at once, the rest wait for one deferred run
    assert throttle.pending
    qtbot.waitUntil(lambda: not throttle.pending, timeout=1000)
    assert runs == [1, 50]  # the deferred run saw the last request's state
    qtbot.wait(150)
    assert runs == [1, 50]


def test_stop_forgets_a_waiting_request(qtbot):
    owner, runs = QObject(), []
    throttle = Throttle(lambda: runs.append(1), per_second=10, parent=owner)
    throttle.request()
    throttle.request()
    throttle.stop()
    qtbot.wait(200)
    assert runs == [1] and not throttle.pending

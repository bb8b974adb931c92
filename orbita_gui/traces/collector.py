"""Python's cycle collector at rest while a replay makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_resting() -> Iterator[None]:
    """Python's cycle collector off for a replay, then back as it was.

    Operations make no reference cycles, yet each makes objects the collector
    tracks, and it would scan them (in the window's player, the whole growing
    history, again and again: a third of the time of a long replay).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

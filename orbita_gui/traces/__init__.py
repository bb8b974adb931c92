"""Trace file formats: readers, writers and headless replay. Pure Python, no Qt."""

from .errors import TraceSyntaxError
from .malloclab import MallocLabTrace, TraceOp, parse_malloclab, read_malloclab
from .replay import ReplayStats, replay_malloclab

__all__ = [
    "MallocLabTrace",
    "ReplayStats",
    "TraceOp",
    "TraceSyntaxError",
    "parse_malloclab",
    "read_malloclab",
    "replay_malloclab",
]

"""Trace file formats: readers, a writer, and replay. Pure Python, no Qt."""

from .errors import TraceSyntaxError, trace_warning
from .formats import FILE_FILTER, guess_format, parse_trace, read_trace
from .ltrace import parse_ltrace
from .malloclab import MallocLabTrace, TraceOp, malloclab_to_trace, parse_malloclab, read_malloclab
from .native import format_native, parse_native
from .ostep import parse_ostep
from .recording import Recording, ReplayReport, replay
from .replay import Outcome, Replayer, machine_for
from .session import session_trace
from .trace import Op, Ops, Trace

__all__ = [
    "FILE_FILTER",
    "MallocLabTrace",
    "Op",
    "Ops",
    "Outcome",
    "Recording",
    "ReplayReport",
    "Replayer",
    "Trace",
    "TraceOp",
    "TraceSyntaxError",
    "format_native",
    "guess_format",
    "machine_for",
    "malloclab_to_trace",
    "parse_ltrace",
    "parse_malloclab",
    "parse_native",
    "parse_ostep",
    "parse_trace",
    "read_malloclab",
    "read_trace",
    "replay",
    "session_trace",
    "trace_warning",
]

"""A session as a trace: the operations applied to a machine, with the machine's header.

A session is the operations as they were applied, so that it replays to the
same state on a fresh machine of the same header (memory, heap, allocator and
its parameters). Names are written `f1, f2, ...` for frames and `b1, b2, ...`
for blocks, in order of first use, whatever the trace called them (a malloc-lab
id, an ltrace pointer: not all are native names). What the native format
cannot say is written otherwise, with the same effect: an allocation too large
for the address space, which leaves its name NULL, becomes one larger than the
heap, which does too; and a realloc that the native `realloc NAME SIZE` would
not repeat (one that names the block anew, as ltrace's do, one with an
alignment of its own, or one too large) is written as what it did, which the
replay recorded (`Replayer.effects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.errors import LayoutError
from ..core.layout import Layout
from ..core.machine import Machine
from .trace import (
    ALLOC_FRAMES,
    FRAME_KINDS,
    FREE,
    FREE_FRAME,
    MALLOC,
    NULL,
    REALLOC,
    Op,
    Ops,
    Trace,
)

UNCHANGED, ALLOCATED, REALLOCATED = 0, 1, 2
"""What a realloc did, as `Replayer.effects` records it for those a session writes
otherwise: nothing; an allocation under the name it binds (the old name held no
block); the block reallocated, under the name it binds."""


def session_trace(
    machine: Machine,
    ops: Sequence[Op],
    effects: Mapping[int, int] | None = None,
    source: str = "session",
) -> Trace:
    """The operations applied to `machine` (from its boot) as a trace with its header,
    written so that the native format can hold them (see the module's docstring);
    `effects` are the replay's records of the reallocs it must write otherwise."""
    effects = effects or {}
    names = _SessionNames()
    heap = machine.heap
    never_fits = (heap.heap_size + 4096) & ~7  # larger than the heap: always NULL
    out = Ops()
    append = out.appender()

    def malloc(name: str, size: int, align: int) -> None:
        if _writable(size, align):
            append(MALLOC, name, size, align)
        else:  # too large: NULL, and nothing changed
            append(MALLOC, name, never_fits, 8)

    for index, op in enumerate(ops):
        kind = op.kind
        if not op.name and kind in (FREE, FREE_FRAME):
            if kind == FREE:
                append(FREE, NULL)  # free(NULL): does nothing, but it was asked
            continue
        if kind == MALLOC:
            malloc(names.now(op.name), op.size, op.align)
        elif kind == ALLOC_FRAMES:
            append(kind, names.now(op.name, FRAME), op.size)
        elif kind != REALLOC:
            append(kind, names.now(op.name, FRAME if kind in FRAME_KINDS else BLOCK))
        else:
            new = op.name if op.new_name is None else op.new_name
            if op.align == 8 and op.name and new == op.name and _writable(op.size, 8):
                append(REALLOC, names.now(op.name), op.size)
                continue
            effect = effects.get(index, UNCHANGED)
            if effect == ALLOCATED:
                malloc(names.now(new), op.size, op.align)
            elif effect == REALLOCATED:
                append(REALLOC, names.now(op.name), op.size)
                if new != op.name:
                    names.move(op.name, new)
    return Trace(
        source,
        out,
        memory_size=machine.frames.total_frames * 4096,
        heap_start=heap.heap_start,
        heap_size=heap.heap_size,
        heap_kind=machine.heap_kind,
        heap_params=tuple(heap.params.items()),
        frames_kind=machine.frames_kind,
    )


def _writable(size: int, align: int) -> bool:
    """Whether the native format can say this size and alignment (it checks them)."""
    try:
        Layout(size, align)
    except LayoutError:
        return False
    return True


FRAME, BLOCK = "f", "b"


class _SessionNames:
    """The name each name of the operations goes by in a session: `f1, f2, ...` or
    `b1, b2, ...` (as its first operation is a frame's or a block's), in order of first
    use; always native names, and one for each. NULL, which is bound but never read,
    gets a new one each time. After a realloc that moved a block to a new name, the
    new name goes by the old one's (which holds the block in the replay), and the old
    name by a new one when it is next used."""

    def __init__(self) -> None:
        self._given: dict[str, str] = {}
        self._counts = {FRAME: 0, BLOCK: 0}

    def now(self, name: str, prefix: str = BLOCK) -> str:
        given = self._given.get(name) if name else None
        if given is None:
            self._counts[prefix] += 1
            given = f"{prefix}{self._counts[prefix]}"
            if name:
                self._given[name] = given
        return given

    def move(self, old: str, new: str) -> None:
        held = self.now(old)
        del self._given[old]
        if new:
            self._given[new] = held

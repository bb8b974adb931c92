"""Two to four machines, each with its own heap allocator, playing one trace together:
the first machine's player leads, the others follow it to the same operation, so that
a class sees where the allocators part."""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QObject

from orbita_gui.traces import machine_for
from orbita_gui.traces.compare import Comparison as Compared
from orbita_gui.traces.compare import on_heap

from .frame_budget import FrameBudget
from .machine_model import MachineModel
from .player import TracePlayer


class Comparison(QObject):
    """`models` and `players`, one per allocator of `compared` (a recorded
    `traces.compare.compare`); `lead` is the first player. Moving the lead (step,
    seek, play) moves the others to its position. `divergences`: the operations (0 is
    the first) where the allocators answered differently."""

    def __init__(self, compared: Compared, parent: QObject | None = None) -> None:
        super().__init__(parent)
        trace = self.trace = compared.trace
        self.specs = tuple(column.spec for column in compared.columns)
        self._reports = [column.report for column in compared.columns]
        self.divergences = compared.divergences
        specs = self.specs
        self.models = [MachineModel(machine_for(on_heap(trace, spec)), self) for spec in specs]
        budget = FrameBudget(workers=len(specs))
        self.lead = TracePlayer(self.models[0], self, budget)
        self.players = [self.lead, *(TracePlayer(model, self) for model in self.models[1:])]
        # Playing, the others catch up within the lead's tick, so that its frame budget
        # counts their work as work, not as drawing; stepping and seeking, after it.
        self.lead.sig_ticked.connect(self._follow)
        self.lead.sig_position_changed.connect(self._follow)

    def start(self) -> None:
        """Load the trace in every player, at its first operation (once the views that
        show the players are listening)."""
        for player, spec, report in zip(self.players, self.specs, self._reports, strict=True):
            player.load(on_heap(self.trace, spec), report=report)  # replayed once, not again

    def _follow(self, position: int) -> None:
        for player in self.players[1:]:
            if player.position != position:
                player.seek(position)

    def around(self) -> tuple[int | None, int | None, int | None]:
        """Where the lead is among the divergences: `(number of the one just applied,
        from 1, or None; the next one's operation; the previous one's)`."""
        divergences, last = self.divergences, self.lead.position - 1
        at = bisect_left(divergences, last)
        here = at < len(divergences) and divergences[at] == last
        after = at + 1 if here else at
        return (
            at + 1 if here else None,
            divergences[after] if after < len(divergences) else None,
            divergences[at - 1] if at > 0 else None,
        )

    def next_divergence(self) -> bool:
        """To just after the next operation where the allocators part; False if none."""
        return self._to(self.around()[1])

    def previous_divergence(self) -> bool:
        """To just after the previous operation where they parted; False if none."""
        return self._to(self.around()[2])

    def _to(self, divergence: int | None) -> bool:
        if divergence is None:
            return False
        self.lead.seek(divergence + 1)
        return True

"""The operation log: every event in words, failures in red, undos in grey."""

from __future__ import annotations

from itertools import repeat
from typing import NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from orbita_gui.model import MachineModel
from orbita_gui.traces.narration import op_text

from . import palette, type_scale
from .throttle import TEXT_PER_SECOND, Throttle

APPLIED, UNDONE, FAILED, NOTE = range(4)


class Line(NamedTuple):
    """One line of the log: an event (or words), its kind, the number of its operation
    and the operation itself (when it was applied alone, with its trace line and names)."""

    item: object
    kind: int
    number: int | None
    op: object


COLOURS = {
    APPLIED: palette.INK,
    UNDONE: palette.MUTED,
    FAILED: palette.ERROR,
    NOTE: palette.WARNING,
}
_ROOT = QModelIndex()
MAX_LINES = 100_000
"""The log keeps the newest lines only: each line holds its event, and a morning of
large traces would otherwise keep every event of every trace alive."""


class LogModel(QAbstractListModel):
    """Log lines; new ones are gathered and inserted in one go after model changes, at
    most `TEXT_PER_SECOND` times a second."""

    def __init__(self, model: MachineModel) -> None:
        super().__init__()
        self.lines: list[Line] = []
        """Events are put in words only when a row is drawn."""
        self.dropped = 0
        """Lines let go from the front, beyond `MAX_LINES`: row numbers go on from them."""
        self._pending: list[Line] = []
        self._held: tuple[object, str] | None = None
        """An event whose result is not told yet, and the words told instead."""
        self.model = model
        model.sig_event_applied.connect(self._on_event_applied)
        model.sig_event_reverted.connect(lambda event: self._add(event, UNDONE))
        model.sig_events_applied.connect(self._on_events_applied)
        model.sig_events_reverted.connect(lambda events: self._add_all(events, UNDONE))
        model.sig_operation_failed.connect(
            lambda message: self._add(message, FAILED, model.last_number)
        )
        model.sig_machine_reset.connect(lambda: self._add("reset: a new machine", APPLIED))
        model.sig_history_restarted.connect(self.clear)
        self.updates = Throttle(self.flush, TEXT_PER_SECOND, self)
        model.sig_changed.connect(self.updates.request)

    def text(self, row: int) -> str:
        """Line `row` in words: the operation as the trace wrote it (its line, its names)
        when known, then what it did."""
        item, kind, _, op = self.lines[row]
        if self._held is not None and item is self._held[0]:
            text = self._held[1]
        else:
            text = item if isinstance(item, str) else item.describe()
        if op is not None:
            text = f"{op_text(op)} → {text}"
        return "undo: " + text if kind == UNDONE and not isinstance(item, str) else text

    def number(self, row: int) -> int | None:
        """The number of the operation of line `row` (1 is the first the machine ran),
        None for a line that is no operation (a reset, a warning, an undo)."""
        return self.lines[row][2]

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else 1

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            number = self.number(index.row())
            return f"{'' if number is None else f'{number:,}':>7}  {self.text(index.row())}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return COLOURS[self.lines[index.row()][1]]
        return None

    def hold(self, event: object | None, words: str = "") -> None:
        """Tell `event`'s line in these `words` instead of its result (a student walks
        the steps before its last), until `hold(None)`."""
        before, self._held = self._held, (event, words) if event is not None else None
        for held in (before, self._held):
            row = self._row_of(held[0]) if held is not None else None
            if row is not None:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)

    def _row_of(self, item: object, near_the_end: int = 64) -> int | None:
        """The row of `item` among the newest lines, None if it is not one of them."""
        lines = self.lines
        first = max(len(lines) - near_the_end, 0)
        rows = range(len(lines) - 1, first - 1, -1)
        return next((row for row in rows if lines[row].item is item), None)

    def clear(self) -> None:
        """Start over: a new trace's log, and the old lines' events let go."""
        self.beginResetModel()
        self.lines, self._pending, self.dropped = [], [], 0
        self.endResetModel()

    def flush(self) -> None:
        """Insert the lines gathered since the last change, in one go."""
        if not self._pending:
            return
        excess = len(self.lines) + len(self._pending) - MAX_LINES
        if excess > 0:  # let go of a tenth at least, so that this happens seldom
            self._drop(min(len(self.lines), max(excess, MAX_LINES // 10)))
            if len(self._pending) > MAX_LINES:
                self.dropped += len(self._pending) - MAX_LINES
                self._pending = self._pending[-MAX_LINES:]
        first = len(self.lines)
        self.beginInsertRows(QModelIndex(), first, first + len(self._pending) - 1)
        self.lines.extend(self._pending)
        self._pending = []
        self.endInsertRows()

    def _drop(self, count: int) -> None:
        if count <= 0:
            return
        self.beginRemoveRows(QModelIndex(), 0, count - 1)
        del self.lines[:count]
        self.dropped += count
        self.endRemoveRows()

    def add_note(self, text: str) -> None:
        """A line about the machine's input rather than an operation: a trace's warning."""
        self._add(text, NOTE)
        self.updates.request()

    def _on_event_applied(self, event) -> None:
        if not event.failed:  # failures arrive as sig_operation_failed, with their words
            model = self.model
            self._add(event, APPLIED, model.last_number, model.last_op)

    def _on_events_applied(self, events: list) -> None:
        numbers = self.model.event_numbers[-len(events) :]
        self._pending.extend(map(Line, events, repeat(APPLIED), numbers, repeat(None)))

    def _add(self, item: object, kind: int, number: int | None = None, op=None) -> None:
        self._pending.append(Line(item, kind, number, op))

    def _add_all(self, events: list, kind: int) -> None:
        self._pending.extend(Line(event, kind, None, None) for event in events)


class LogView(QTableView):
    """Follows the newest line, unless the reader has scrolled up to look at an older one.

    A one-column table rather than a list: a QListView lays every row out again as rows
    arrive, asking the model about each one (millions of Python calls in a long replay),
    while a table's header keeps fixed-height rows in C++.
    """

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = LogModel(model)
        self.setModel(self.log)
        type_scale.styled(self, 11)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 4)
        bar = self.verticalScrollBar()
        self._following = True
        bar.valueChanged.connect(lambda value: setattr(self, "_following", value == bar.maximum()))
        # Follow when Qt lays the new rows out: scrolling at once would force that layout
        # for every batch of lines (milliseconds each during a fast replay).
        bar.rangeChanged.connect(lambda _, top: bar.setValue(top) if self._following else None)

    def add_note(self, text: str) -> None:
        self.log.add_note(text)

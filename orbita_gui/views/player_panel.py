"""The player's controls: start, back, play or pause, forward, end; speed; timeline."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from orbita_gui.model import SPEEDS, TracePlayer
from orbita_gui.traces.narration import op_text

from . import type_scale
from .elided_label import ElidedLabel
from .throttle import TEXT_PER_SECOND, Throttle

NO_TRACE = "No trace loaded: File > Open trace… (Ctrl+O)"
ICON_SIZE = 20
"""The transport buttons' icons at zoom 1, in pixels."""
TIMELINE_WIDTH = 120
"""The timeline's least width: in lecture mode's large type the speed and the position
would take the whole row."""


def _tinted(icon: QIcon, colour: QColor, side: int) -> QIcon:
    """`icon`'s shape, filled with `colour`."""
    image = icon.pixmap(side, side).toImage()
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(image.rect(), colour)
    painter.end()
    return QIcon(QPixmap.fromImage(image))


class PlayerPanel(QWidget):
    """Buttons and a timeline; moves that jump far are asked for with `sig_seek_requested`,
    so that the window can show progress."""

    sig_seek_requested = Signal(int)
    """Go to the state after this many operations."""

    def __init__(self, player: TracePlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        type_scale.styled(self, 12)
        self._icons: dict[QToolButton, QStyle.StandardPixmap] = {}

        def button(icon, tip: str, slot) -> QToolButton:
            b = QToolButton()
            self._icons[b] = icon
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            return b

        pixmap = QStyle.StandardPixmap
        self.start_button = button(pixmap.SP_MediaSkipBackward, "Start (Home)", self._to_start)
        self.back_button = button(pixmap.SP_MediaSeekBackward, "Step back (Left)", player.step_back)
        self.play_button = button(pixmap.SP_MediaPlay, "Play or pause (Space)", player.toggle)
        self.forward_button = button(
            pixmap.SP_MediaSeekForward, "Step forward (Right)", player.step_forward
        )
        self.end_button = button(pixmap.SP_MediaSkipForward, "End (End)", self._to_end)
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem("full speed" if math.isinf(speed) else f"{speed:,}/s", speed)
        self.speed.setCurrentIndex(SPEEDS.index(10))
        self.speed.setToolTip("Operations a second")
        self.speed.currentIndexChanged.connect(lambda _: player.set_speed(self.speed.currentData()))
        self.label = ElidedLabel(NO_TRACE)
        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setToolTip("Drag to any operation")
        self.timeline.setMinimumWidth(TIMELINE_WIDTH)
        self.timeline.sliderReleased.connect(
            lambda: self.sig_seek_requested.emit(self.timeline.value())
        )
        self.timeline.actionTriggered.connect(self._on_timeline_action)

        self._transport = (
            self.start_button,
            self.back_button,
            self.play_button,
            self.forward_button,
            self.end_button,
        )
        row = QHBoxLayout(self)  # one row, so the dock takes little height
        for widget in (*self._transport, self.speed):
            row.addWidget(widget)
        row.addWidget(self.timeline, 3)
        row.addWidget(self.label, 2)
        self.label_updates = Throttle(self._show_position, TEXT_PER_SECOND, self)

        self._paint_icons()
        type_scale.changes().sig_scale_changed.connect(self._paint_icons)
        player.sig_trace_loaded.connect(self._on_trace_loaded)
        player.sig_position_changed.connect(self._on_position_changed)
        player.sig_playing_changed.connect(self._on_playing_changed)
        player.sig_detached.connect(self._on_detached)
        self._set_enabled(False)

    def _to_start(self) -> None:
        self.sig_seek_requested.emit(0)

    def _to_end(self) -> None:
        self.sig_seek_requested.emit(self.player.length)

    def _on_timeline_action(self, action: int) -> None:
        if action != QSlider.SliderAction.SliderMove:  # clicks on the groove, keys
            self.sig_seek_requested.emit(self.timeline.sliderPosition())

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (*self._transport, self.timeline):
            widget.setEnabled(enabled)

    def _on_trace_loaded(self, trace) -> None:
        self.timeline.setRange(0, len(trace.ops))
        self._set_enabled(True)
        self._on_position_changed(0)

    def _on_position_changed(self, position: int) -> None:
        # The timeline moves every screen frame, the smooth sign that playing goes on;
        # the words beside it change only as often as anybody can read them.
        if not self.timeline.isSliderDown():
            self.timeline.blockSignals(True)
            self.timeline.setValue(position)
            self.timeline.blockSignals(False)
        self.label_updates.request()

    def _show_position(self) -> None:
        trace, position = self.player.trace, self.player.position
        if trace is None:
            return
        last = f": {op_text(trace.ops[position - 1])}" if position else ": at the start"
        self.label.setText(f"operation {position:,} of {len(trace.ops):,}{last}")

    def _on_playing_changed(self, playing: bool) -> None:
        pixmap = QStyle.StandardPixmap
        self._icons[self.play_button] = pixmap.SP_MediaPause if playing else pixmap.SP_MediaPlay
        self._paint_icons()

    def _paint_icons(self, *_) -> None:
        """The buttons' icons in the text's colour, as large as the text: the style's own
        are dark grey on any theme, and small on a projector."""
        side = round(ICON_SIZE * type_scale.scale())
        ink = self.palette().windowText().color()
        for button, icon in self._icons.items():
            button.setIconSize(QSize(side, side))
            button.setIcon(_tinted(self.style().standardIcon(icon), ink, side))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_icons"):
            self._paint_icons()

    def _on_detached(self, why: str) -> None:
        self._set_enabled(False)
        self.label.setText(NO_TRACE)

"""A panel beside the frame grid (a buddy's free sets, its split tree): a frames view as
the window expects one (see `registry`), though it draws no cells to hover or pick."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from orbita_gui.model import MachineModel


class FramesPanel(QWidget):
    """Hovers and picks no frame; keeps the animation it is given to follow (a panel has
    no search to animate); lights no frame unless a panel draws them."""

    sig_frame_hovered = Signal(int)
    sig_frame_picked = Signal(int)
    picking = False

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.animation = None

    def follow(self, animation) -> None:
        self.animation = animation

    def highlight_frames(self, frames) -> None:
        """Nothing to light."""

"""Pictures of the window: a PNG of any widget, an animated GIF of a range of operations."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

GIF_WIDTH = 1280
"""Wider GIF frames (a whole window on a big screen) are scaled to this width: larger
files share badly, and smaller ones cannot be read."""


def save_png(widget: QWidget, path: Path) -> bool:
    return widget.grab().save(str(path))


def _frame(widget: QWidget) -> Image.Image:
    picture = widget.grab().toImage()
    if picture.width() > GIF_WIDTH:
        picture = picture.scaledToWidth(GIF_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return _pil(picture).quantize(colors=255)


def _pil(image: QImage) -> Image.Image:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(image.constBits())[: image.sizeInBytes()]
    return Image.frombuffer(
        "RGB", (image.width(), image.height()), data, "raw", "RGB", image.bytesPerLine(), 1
    )


def save_gif(
    player,
    widget: QWidget,
    first: int,
    last: int,
    delay_ms: int,
    path: Path,
    progress=None,
    explanation=None,
) -> int:
    """One frame per operation from `first` to `last`, and with an `Explanation`, one
    per step of each (the pictures hold the search there); returns the frames written.
    The player ends where it was."""
    start = player.position
    frames = []
    player.seek(first)
    for index, position in enumerate(range(first, last + 1)):
        if position > first:
            player.step_forward()  # alone: explained even if it failed, as a step by hand is
        player.animation.stop()
        steps = range(len(explanation.steps)) if explanation is not None and position else [0]
        for step in steps:
            if explanation is not None:
                explanation.go_to(step)
            QApplication.processEvents()
            frames.append(_frame(widget))
        if explanation is not None:
            explanation.go_to(len(explanation.steps) - 1)
        if progress and progress(index + 1, last - first + 1) is False:
            break
    player.seek(start)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=delay_ms, loop=0)
    return len(frames)

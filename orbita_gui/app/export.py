"""Pictures of the window: a PNG of any widget, an animated GIF of a range of operations."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

GIF_WIDTH = 960
"""GIF frames are scaled to this width: a whole window at full size makes huge files."""


def save_png(widget: QWidget, path: Path) -> bool:
    return widget.grab().save(str(path))


def _pil(image: QImage) -> Image.Image:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(image.constBits())[: image.sizeInBytes()]
    return Image.frombuffer(
        "RGB", (image.width(), image.height()), data, "raw", "RGB", image.bytesPerLine(), 1
    )


def save_gif(
    player, widget: QWidget, first: int, last: int, delay_ms: int, path: Path, progress=None
) -> int:
    """One frame per operation from `first` to `last`; returns the frames written.
    The player ends where it was."""
    start = player.position
    frames = []
    player.seek(first)
    for index, position in enumerate(range(first, last + 1)):
        player.seek(position)
        QApplication.processEvents()
        picture = widget.grab().toImage()
        if picture.width() > GIF_WIDTH:
            picture = picture.scaledToWidth(GIF_WIDTH, Qt.TransformationMode.SmoothTransformation)
        frames.append(_pil(picture).quantize(colors=255))
        if progress and progress(index + 1, last - first + 1) is False:
            break
    player.seek(start)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=delay_ms, loop=0)
    return len(frames)

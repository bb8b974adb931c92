"""Live statistics of both allocators, in large type."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from orbita_gui.core import HeapStats, MemoryStats
from orbita_gui.core.units import format_size
from orbita_gui.model import MachineModel

from . import type_scale
from .throttle import TEXT_PER_SECOND, Throttle

ROWS = (
    ("frames_total", "Frames", "every 4 KiB frame of physical memory"),
    ("frames_used", "used", "allocated frames, the heap's included"),
    ("frames_free", "free", "frames the allocator can still hand out"),
    ("heap_allocated", "Heap allocated", "bytes in live blocks, after rounding"),
    ("heap_free", "free", "bytes in the free list"),
    ("heap_lost", "lost", "alignment padding the allocator never gives back"),
    ("heap_unmapped", "not mapped", "pages of the heap no frame backs yet (a slab heap grows)"),
    ("largest", "largest free region", "the biggest block that could still be allocated"),
    ("regions", "free-list length", "nodes in the free list: first fit walks them"),
    ("fragmentation", "external fragmentation", "1 - largest free region / free bytes"),
)


WIDEST_FIGURE = "99,999,999 B"


class StatsPanel(QWidget):
    """Frames total, used, free; heap allocated, free, lost; largest free region;
    free-list length; external fragmentation. Updated after model changes, at most
    `TEXT_PER_SECOND` times a second."""

    def __init__(self, model: MachineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.values: dict[str, QLabel] = {}
        self.held: tuple[MemoryStats, HeapStats] | None = None
        """Figures shown instead of the machine's own: the state before an operation
        whose last step a student has not reached yet."""
        form = self._form = QFormLayout(self)
        form.setVerticalSpacing(6)
        # On a projector a long name puts its figure on the next line: a name wrapped in
        # a form is squeezed into one line's height (Qt lays the form out at the wrong
        # width).
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.caption = QLabel(wordWrap=True)
        type_scale.styled(self.caption, 11, bold=True)
        self.caption.hide()
        form.addRow(self.caption)
        for key, title, tip in ROWS:
            name, value = QLabel(title), QLabel()
            type_scale.styled(name, 12, bold=title[0].isupper())
            type_scale.styled(value, 13, bold=True)
            # Room for byte counts up to 100 MB (a malloc-lab heap is 20 MiB) unclipped, in a
            # window that still fits a 1024-wide projector.
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance(WIDEST_FIGURE))
            name.setToolTip(tip)
            value.setToolTip(tip)
            form.addRow(name, value)
            self.values[key] = value
        self.updates = Throttle(self.refresh, TEXT_PER_SECOND, self)
        model.sig_changed.connect(self.updates.request)
        self.refresh()

    def hold(self, stats: tuple[MemoryStats, HeapStats] | None, caption: str = "") -> None:
        """Show these figures, under `caption`, until `hold(None)`."""
        self.held = stats
        self.caption.setText(caption)
        self.caption.setVisible(stats is not None)
        self.refresh()

    def refresh(self) -> None:
        machine = self.model.machine
        frames, heap = self.held or (machine.frames.stats(), machine.heap.stats())
        figures = {
            "frames_total": f"{frames.total_frames:,}",
            "frames_used": f"{frames.used_frames:,}",
            "frames_free": f"{frames.free_frames:,}",
            "heap_allocated": f"{heap.allocated:,} B",
            "heap_free": f"{heap.free:,} B",
            "heap_lost": f"{heap.lost:,} B",
            "heap_unmapped": f"{heap.unmapped:,} B",
            "largest": f"{heap.largest_free:,} B",
            "regions": f"{heap.free_regions:,}",
            "fragmentation": f"{heap.external_fragmentation:.1%}",
        }
        for key, text in figures.items():
            self.values[key].setText(text)
        self._form.setRowVisible(self.values["heap_unmapped"], machine.heap_grows)
        self.values["frames_total"].setToolTip(
            f"{format_size(frames.total_frames * 4096)} of physical memory"
        )

    def cleanup(self) -> None:
        self.model.sig_changed.disconnect(self.updates.request)
        self.updates.stop()

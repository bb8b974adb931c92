"""Controls: allocate frames, allocate on the heap (checked as typed), free the selection."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orbita_gui.core import Layout, OrbitaError
from orbita_gui.core.units import parse_size
from orbita_gui.model import MachineModel

from . import type_scale

HUGE_PAGES = (("2 MiB page", 512), ("1 GiB page", 262_144))
"""x86-64's huge pages, in 4 KiB frames: a buddy's blocks of order 9 and 18."""


def parse_layout(size_text: str, align_text: str) -> Layout:
    """The layout two fields describe; ValueError (or LayoutError) with the reason."""
    return Layout(parse_size(size_text), parse_size(align_text))


class ControlsPanel(QWidget):
    """Buttons and fields that call the model; errors appear beside the fields."""

    def __init__(
        self, model: MachineModel, allocate_frames=None, parent: QWidget | None = None
    ) -> None:
        """`allocate_frames(count)` does what the button asks (the model's, unless the
        window gives one that shows progress)."""
        super().__init__(parent)
        self.model = model
        type_scale.styled(self, 12)
        layout = QVBoxLayout(self)

        frames = QGroupBox("Frames")
        row = QVBoxLayout(frames)  # one above the other: narrow enough for a projector
        self.frame_count = QSpinBox(minimum=1, maximum=4_194_304, value=1)
        self.frame_count.setToolTip(
            "How many frames to allocate, one by one, as one undo step (a buddy allocator: "
            "one block of that many contiguous frames)"
        )
        self.allocate_frames_button = QPushButton("Allocate frames")
        allocate_frames = allocate_frames or model.allocate_frames
        self.allocate_frames_button.clicked.connect(
            lambda: allocate_frames(self.frame_count.value())
        )
        row.addWidget(self.frame_count)
        row.addWidget(self.allocate_frames_button)
        pages = QHBoxLayout()
        self.page_buttons = []
        for title, frame_count in HUGE_PAGES:
            button = QPushButton(title)
            button.setToolTip(
                f"One block of {frame_count:,} contiguous frames, a huge page (a frame "
                "allocator that hands out blocks: a buddy)"
            )
            button.clicked.connect(lambda _=False, n=frame_count: allocate_frames(n))
            pages.addWidget(button)
            self.page_buttons.append(button)
        row.addLayout(pages)
        layout.addWidget(frames)

        heap = QGroupBox("Heap")
        form = QVBoxLayout(heap)
        self.size_field = QLineEdit("24", placeholderText="24, 0x18, 4K")
        self.align_field = QLineEdit("8", placeholderText="power of 2")
        self.size_field.setToolTip("Bytes to allocate: 24, 0x18, 4K or 4 KiB")
        self.align_field.setToolTip("Alignment in bytes: a power of two; the heap uses at least 8")
        self.heap_error = QLabel(wordWrap=True)
        self.heap_error.setProperty("role", "error")  # in ERROR: see palette.style_sheet
        self.allocate_button = QPushButton("Allocate on the heap")
        fields = QHBoxLayout()
        fields.addWidget(QLabel("Size"))
        fields.addWidget(self.size_field, 3)
        fields.addWidget(QLabel("Align"))
        fields.addWidget(self.align_field, 2)
        form.addLayout(fields)
        form.addWidget(self.heap_error)
        form.addWidget(self.allocate_button)
        for field in (self.size_field, self.align_field):
            field.textChanged.connect(self._check_layout)
            field.returnPressed.connect(self.allocate)
        self.allocate_button.clicked.connect(self.allocate)
        layout.addWidget(heap)

        self.free_button = QPushButton("Free selection")
        self.free_button.setToolTip("Ctrl+click frames or heap blocks to select them")
        self.free_button.clicked.connect(model.free_selection)
        layout.addWidget(self.free_button)
        self._check_layout()
        model.sig_machine_reset.connect(self._offer_pages)
        self._offer_pages()

    def _offer_pages(self) -> None:
        """Huge pages where the frame allocator hands out blocks, and large enough."""
        frames = self.model.machine.frames
        blocks = self.model.machine.hands_out_blocks
        for button, (_, count) in zip(self.page_buttons, HUGE_PAGES, strict=True):
            button.setEnabled(blocks and count <= frames.total_frames)

    def _check_layout(self) -> Layout | None:
        try:
            layout = parse_layout(self.size_field.text(), self.align_field.text())
        except (ValueError, OrbitaError) as error:
            self._show_error(str(error))
            return None
        self._show_error("")
        return layout

    def _show_error(self, text: str) -> None:
        """The reason beside the fields (the line takes no room when all is well)."""
        self.heap_error.setText(text)
        self.heap_error.setVisible(bool(text))
        self.allocate_button.setEnabled(not text)

    def allocate(self) -> None:
        """Allocate the size and alignment in the fields, if they make a layout."""
        layout = self._check_layout()
        if layout is not None:
            self.model.allocate(layout.size, layout.align)

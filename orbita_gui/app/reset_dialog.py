"""New machine: choose the memory and heap sizes, checked before anything changes."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from orbita_gui.core import FRAME_SIZE, HEAP_START, OrbitaError
from orbita_gui.core.machine import MAX_MEMORY, MIN_MEMORY, check_machine
from orbita_gui.core.units import format_size, parse_size

MEMORY_SIZES = [1 << shift for shift in range(MIN_MEMORY.bit_length() - 1, MAX_MEMORY.bit_length())]


def check_sizes(memory_size: int, heap_text: str) -> tuple[int | None, str]:
    """The heap size the text names and '' if the machine is one the core supports,
    or None and why not (the core's own limits, `check_machine`)."""
    try:
        heap_size = parse_size(heap_text)
        check_machine(memory_size, HEAP_START, heap_size)
    except (ValueError, OrbitaError) as error:
        return None, str(error)
    return heap_size, ""


class ResetDialog(QDialog):
    """Memory from 64 KiB to 16 GiB; a heap that fits in it, mapped at 0x4444_4444_0000."""

    def __init__(self, memory_size: int, heap_size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New machine")
        form = QFormLayout(self)
        self.memory = QComboBox()
        for size in MEMORY_SIZES:
            self.memory.addItem(f"{format_size(size)}  ({size // FRAME_SIZE:,} frames)", size)
        self.memory.setCurrentIndex(max(0, self.memory.findData(memory_size)))
        self.heap = QLineEdit(format_size(heap_size).replace(",", ""))
        self.heap.setToolTip("Bytes: 100K, 100 KiB, 0x19000 ...")
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #b23a2b;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow("Physical memory", self.memory)
        form.addRow(f"Kernel heap at {HEAP_START:#_x}", self.heap)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.memory.currentIndexChanged.connect(self._check)
        self.heap.textChanged.connect(self._check)
        self._check()

    def sizes(self) -> tuple[int, int | None]:
        memory = self.memory.currentData()
        return memory, check_sizes(memory, self.heap.text())[0]

    def _check(self) -> None:
        heap_size, problem = check_sizes(self.memory.currentData(), self.heap.text())
        self.error.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(heap_size is not None)

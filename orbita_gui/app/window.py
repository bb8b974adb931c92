"""The main window. For now it introduces the default machine the views will draw."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from orbita_gui import __version__
from orbita_gui.core import HEAP_SIZE, HEAP_START, FrameAllocator, LinkedListAllocator
from orbita_gui.resources import resource_path

DEFAULT_MEMORY = 1 << 30
"""1 GiB of physical memory, as in the guide's example."""

STYLE = """
QMainWindow, #page { background: #f5f3ef; }
QLabel { color: #263238; }
#title { font-size: 30px; font-weight: 600; }
#card { background: #ffffff; border: 1px solid #d8d4cc; border-radius: 10px; }
#cardTitle { font-size: 20px; font-weight: 600; color: #4f6d7a; }
#cardBody { font-size: 18px; }
#note { font-size: 16px; color: #6b7780; }
"""


def _card(title: str, body: str) -> QFrame:
    card = QFrame(objectName="card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.addWidget(QLabel(title, objectName="cardTitle"))
    text = QLabel(body, objectName="cardBody")
    text.setWordWrap(True)
    layout.addWidget(text)
    return card


class MainWindow(QMainWindow):
    """The application window: menus, and a summary of the machine being shown."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Orbita OS memory")
        self.setWindowIcon(QIcon(str(resource_path("icons", "orbita.svg"))))
        self.setStyleSheet(STYLE)
        self.resize(900, 560)

        frames = FrameAllocator(DEFAULT_MEMORY).stats()
        heap = LinkedListAllocator()
        heap.init(HEAP_START, HEAP_SIZE)
        region_start, region_size = heap.free_regions()[0]

        page = QWidget(objectName="page")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(18)
        layout.addWidget(QLabel("Orbita OS memory", objectName="title"))
        layout.addWidget(
            _card(
                "Physical memory",
                f"{DEFAULT_MEMORY >> 30} GiB in {frames.total_frames:,} frames of 4 KiB, "
                f"all {frames.free_frames:,} free. The bitmap allocator hands them out "
                "first-fit from its next_free hint.",
            )
        )
        layout.addWidget(
            _card(
                "Kernel heap",
                f"{HEAP_SIZE // 1024} KiB at {region_start:#_x}, for now one free region of "
                f"{region_size:,} bytes. The linked-list allocator takes the first region "
                "that fits and never merges what is freed.",
            )
        )
        note = QLabel("Coming next: the live frame grid and the heap free list.", objectName="note")
        layout.addWidget(note)
        layout.addStretch(1)
        self.setCentralWidget(page)
        self._build_menus()

    def _build_menus(self) -> None:
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)
        about = QAction("&About Orbita", self)
        about.triggered.connect(self._about)
        self.menuBar().addMenu("&Help").addAction(about)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Orbita",
            f"<b>orbita-gui {__version__}</b><p>Watch the Orbita OS frame and heap "
            "allocators work, live and exact.</p>",
        )

"""A slab heap in the window: chosen in File > New machine with its named caches; its
slabs' frames painted as the heap's in the grid as they are taken, its unmapped pages
labelled, its caches listed; undo gives the frames back."""

import time

from PySide6.QtCore import QPoint, Qt

from orbita_gui.views import palette
from orbita_gui.views.frame_codes import CODE_HEAP, CODE_USED, FADE_SECONDS
from orbita_gui.views.heap_map import MARGIN, ROW_HEIGHT
from orbita_gui.views.heap_segments import UNMAPPED

from .conftest import pixel
from .test_new_machine_dialog import choose, new_machine


def slab_machine(qtbot, window, dialogs, caches=""):
    def fill(dialog):
        choose(dialog.allocator_box, "slab")
        qtbot.keyClicks(dialog.fields["caches"], caches)

    new_machine(qtbot, window, dialogs, fill)
    assert window.model.machine.heap_kind == "slab"
    return window.model


def allocate(qtbot, window, size):
    field = window.controls.size_field
    field.selectAll()
    qtbot.keyClicks(field, str(size))
    qtbot.mouseClick(window.controls.allocate_button, Qt.MouseButton.LeftButton)


def cell(window, frame):
    """A grid cell's code once the flashes of the latest operation have faded."""
    codes, bitmap, now = window.grid.codes, window.model.machine.frames.bitmap(), time.monotonic()
    codes.refresh(bitmap, now=now)
    return int(codes.refresh(bitmap, now=now + 2 * FADE_SECONDS).flat[frame])


def test_a_slab_takes_its_frames_as_the_heap_needs_them(qtbot, window, dialogs):
    model = slab_machine(qtbot, window, dialogs, "task_struct:1856")
    machine = model.machine
    assert machine.frames.used_frames == 0 and machine.pages.mapped == 0
    qtbot.mouseClick(window.controls.allocate_frames_button, Qt.MouseButton.LeftButton)
    allocate(qtbot, window, 1856)
    assert machine.heap_frames[:2].tolist() == [1, 2]  # frame 0 was taken by hand first
    assert cell(window, 0) == CODE_USED and cell(window, 1) == cell(window, 2) == CODE_HEAP
    assert "Holds task_struct's slab" in window.grid.describe_frame(2)
    assert "1 of 4 objects in use" in window.grid.describe_frame(2)
    rows = [c.label for c in window.views["size_classes"].classes]
    assert rows == ["task_struct · 1 slab of 8 KiB"]
    model.undo_stack.undo()
    assert machine.frames.used_frames == 1 and cell(window, 1) != CODE_HEAP


def test_the_heap_map_says_which_pages_are_not_mapped(qtbot, window, dialogs):
    model = slab_machine(qtbot, window, dialogs)
    allocate(qtbot, window, 24)
    heap_map = window.views["heap_map"]
    segments = heap_map.segments
    assert segments.kinds.tolist()[-1] == UNMAPPED
    start = int(segments.starts[-1])
    assert start == model.machine.page_address(1)
    assert "not mapped" in heap_map.describe(start, int(segments.ends[-1]), UNMAPPED)
    page_one = QPoint(MARGIN + 2, MARGIN + ROW_HEIGHT + ROW_HEIGHT // 2)  # its label
    assert "is not mapped" in heap_map.label_hit(page_one)[2]


def test_the_statistics_count_the_pages_not_mapped_on_a_slab_machine_alone(qtbot, window, dialogs):
    stats = window.stats
    stats.refresh()
    assert not stats.values["heap_unmapped"].isVisibleTo(stats)
    slab_machine(qtbot, window, dialogs)
    allocate(qtbot, window, 24)
    stats.refresh()
    assert stats.values["heap_unmapped"].isVisibleTo(stats)
    heap = window.model.machine.heap
    assert stats.values["heap_unmapped"].text() == f"{heap.heap_size - 4096:,} B"


def test_the_heap_map_outlines_the_object_just_handed_out(qtbot, window, dialogs):
    model = slab_machine(qtbot, window, dialogs)
    allocate(qtbot, window, 24)
    allocate(qtbot, window, 24)
    heap_map = window.views["heap_map"]
    block = model.history[-1].blocks_made[0]
    box = heap_map._rects(block.start, block.end)[0]
    edge = QPoint(int(box.left() * heap_map.zoom) + 1, int(box.center().y() * heap_map.zoom))
    assert pixel(heap_map, edge) == palette.MADE.name()

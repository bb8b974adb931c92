"""A heap with a free list per size class, drawn a row per class: a freed block shows in
its class's row, head first; hovering it lights its frames, a click picks it."""

from PySide6.QtCore import QPoint, Qt

from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from orbita_gui.views.size_classes_view import SizeClassesView


def shown(qtbot, heap):
    model = MachineModel(Machine(1 << 22, heap_size=8192, heap=heap))
    view = SizeClassesView(model)
    qtbot.addWidget(view)
    view.resize(640, 700)
    view.show()
    qtbot.waitExposed(view)
    return model, view


def centre(view, row, column):
    return (view._box(row, column).center() * view.zoom).toPoint()


def test_a_freed_block_waits_in_its_class_row_and_a_click_picks_it(qtbot):
    model, view = shown(qtbot, "fixed-blocks")
    first = model.allocate(100, 8).block  # a 128-byte block, from the fallback
    model.allocate(100, 8)
    model.free_block(first.ptr)  # back to the front of the 128-byte list
    model.flush_changes()
    labels = [size_class.label for size_class in view.classes]
    row = labels.index("128 B")
    assert list(view.classes[row].starts) == [first.ptr]
    start, end, tip = view.hit(view._box(row, 0).center().toPoint())
    assert (start, end) == (first.ptr, first.ptr + 128) and "128 B: number 1 of 1" in tip
    with qtbot.waitSignal(view.sig_region_picked) as picked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, row, 0))
    assert picked.args == [first.ptr]
    assert view.hit(QPoint(2, 2))[0] == -1  # a class's name is no block
    view.cleanup()

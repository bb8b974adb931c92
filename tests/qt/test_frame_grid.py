"""The frame grid: clicks allocate and free, pixels show the right colours."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from orbita_gui.views import palette
from orbita_gui.views.frame_codes import CODE_FREE
from orbita_gui.views.frame_grid import FrameGridView

from .conftest import pixel


@pytest.fixture
def grid(qtbot, model):
    view = FrameGridView(model)
    qtbot.addWidget(view)
    view.resize(640, 640)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    yield view
    view.cleanup()


def settle(qtbot, grid):
    """Wait until every flash has faded, then draw."""
    qtbot.waitUntil(lambda: not grid.codes.animating, timeout=5000)
    grid.refresh()


def click(qtbot, grid, frame, modifier=Qt.KeyboardModifier.NoModifier):
    point = grid.mapFromScene(grid.center_on(frame))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, modifier, point)


def colour_of(grid, frame):
    return pixel(grid.viewport(), grid.mapFromScene(grid.center_on(frame)))


def test_clicking_a_free_cell_allocates_where_the_allocator_chooses(qtbot, grid, model):
    with qtbot.waitSignal(model.sig_event_applied) as applied:
        click(qtbot, grid, 700)  # free, far from next_free
    assert applied.args[0].frame_number == 25  # next_free, not the cell clicked
    assert model.machine.frames.is_frame_used(25) and not model.machine.frames.is_frame_used(700)
    xs, _ = grid._choice.getData()  # the dashed line from the click to the choice
    assert len(xs) == 2


def test_clicking_a_used_cell_frees_it(qtbot, grid, model):
    model.allocate_frames(3)  # 25, 26, 27
    with qtbot.waitSignal(model.sig_frame_freed) as freed:
        click(qtbot, grid, 26)
    assert freed.args == [26]
    assert model.machine.frames.next_free == 26


def test_clicking_a_heap_frame_explains_and_changes_nothing(qtbot, grid, model):
    with qtbot.waitSignal(model.sig_operation_failed) as failure:
        click(qtbot, grid, 3)
    assert "backs heap page" in failure.args[0]
    assert model.machine.frames.is_frame_used(3)


def test_ctrl_click_selects_a_used_frame(qtbot, grid, model):
    model.allocate_frames(2)
    click(qtbot, grid, 26, Qt.KeyboardModifier.ControlModifier)
    assert model.selected_frames == {26}
    assert model.machine.frames.is_frame_used(26)


def test_pixels_show_each_state(qtbot, grid, model):
    model.allocate_frames(10)  # 25..34
    model.free_frame(30)
    settle(qtbot, grid)
    assert colour_of(grid, 3) == palette.HEAP.name()
    assert colour_of(grid, 27) == palette.USED.name()
    assert colour_of(grid, 30) == palette.FREE.name()
    assert colour_of(grid, 900) == palette.FREE.name()


def test_a_new_allocation_flashes(qtbot, grid, model):
    settle(qtbot, grid)
    model.allocate_frame()
    qtbot.waitSignal(model.sig_changed).wait()
    assert colour_of(grid, 25) != palette.USED.name()  # still teal-ish
    settle(qtbot, grid)
    assert colour_of(grid, 25) == palette.USED.name()


def test_linked_frames_are_highlighted(qtbot, grid, model):
    settle(qtbot, grid)
    grid.highlight_frames(np.array([5, 6]))
    assert colour_of(grid, 5) == palette.LINKED.name()
    grid.highlight_frames(None)
    assert colour_of(grid, 5) == palette.HEAP.name()


def test_tooltip_names_the_frame_and_its_heap_page(grid, model):
    text = grid.describe_frame(3)
    assert "Frame 3: 0x3000 – 0x3fff" in text
    assert "heap page 0x4444_4444_3000" in text
    model.allocate_frame()
    assert "allocate_frame() -> Frame(0x19000)" in grid.describe_frame(25)


def test_reset_rebuilds_the_grid(qtbot, grid, model):
    model.reset(1 << 30, 100 * 1024)
    assert (grid.codes.rows, grid.codes.cols) == (512, 512)
    assert grid.image.image.shape == (512, 512)


def test_a_closed_grid_ignores_the_model(qtbot, model):
    view = FrameGridView(model)
    view.show()
    view.close()  # pyqtgraph deletes the image item here
    model.allocate_frames(2)
    with qtbot.captureExceptions() as exceptions:
        model.flush_changes()
        qtbot.wait(50)
    assert exceptions == []
    view.cleanup()  # a second call is harmless


def test_the_image_is_uploaded_only_when_a_cell_changes(qtbot, grid, model):
    settle(qtbot, grid)
    uploads = []
    grid.image.sigImageChanged.connect(lambda: uploads.append(1))
    model.allocate(64, 8)  # heap pages are mapped already: no frame changes
    grid.refresh()
    assert uploads == []
    model.allocate_frame()
    grid.refresh()
    assert uploads == [1]


def test_a_frame_scan_shows_the_grid_as_the_scan_sees_it(qtbot, window, model):
    """While the scan runs, the frame it will find is still free and next_free is where
    the scan began; at its last step the frame is taken and next_free moves on."""
    from orbita_gui.views.frame_codes import CODE_FREE, CODE_MADE, CODE_SCANNED

    for _ in range(5):
        model.allocate_frame()  # frames 25..29
    model.free_frame(26)  # next_free back to 26, 27..29 still used
    model.allocate_frame()  # 26 again: next_free 27
    event = model.allocate_frame()  # scans 27, 28, 29, finds 30
    animation = window.traces.player.animation
    animation.start(event)
    grid = window.grid
    grid.refresh()
    codes = grid.codes.codes
    assert codes[30] == CODE_FREE and codes[27] == CODE_SCANNED
    assert grid._marker.rect().topLeft().toTuple() == grid.cell_of(27)
    while not animation.done:
        animation._advance()
    grid.refresh()
    assert codes[30] == CODE_MADE and codes[29] == CODE_SCANNED
    assert grid._marker.rect().topLeft().toTuple() == grid.cell_of(31)


@pytest.fixture
def big_grid(qtbot):
    """16 GiB, 200,000 frames used but one far out: 2,048 columns, more than pixels."""
    model = MachineModel(Machine(16 << 30))
    model.allocate_frames(200_000)
    model.free_frame(150_000)  # next_free falls back to it
    view = FrameGridView(model)
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.cleanup()


def test_from_afar_a_lone_free_frame_is_still_drawn(qtbot, big_grid):
    big_grid.fit()
    qtbot.waitUntil(lambda: big_grid.image.cells_per_pixel > 1)
    k = big_grid.image.cells_per_pixel
    col, row = big_grid.cell_of(150_000)
    assert big_grid.image.image[row // k, col // k] == CODE_FREE
    hovered = []
    big_grid.sig_frame_hovered.connect(hovered.append)
    big_grid._on_cell_hovered(col, row)  # what the image reports, from its block's pixels
    assert hovered == [150_000]


def test_an_arrow_points_to_next_free_when_it_is_off_screen(qtbot, big_grid):
    assert big_grid._arrow.isVisible()  # the home view: the first rows only
    big_grid.fit()
    qtbot.waitUntil(lambda: not big_grid._arrow.isVisible())

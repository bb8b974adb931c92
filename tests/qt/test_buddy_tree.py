"""The split tree of a buddy machine's latest block: drawn from the model as operations
come, its node of the step the student walks to ringed, and said to be an earlier
operation's when another one is explained."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetricsF

from orbita_gui.core import Machine
from orbita_gui.model import MachineModel
from orbita_gui.views import palette, type_scale
from orbita_gui.views.buddy_tree import FILLS, MARGIN, PAD, BuddyTreeView, ink_on
from orbita_gui.views.buddy_tree_state import FREE, MADE, SPLIT
from tests.colour_vision import contrast

from .conftest import pixel

TRACE = """frames 1MiB buddy
alloc-frames x 1
alloc-frames y 2
alloc-frames z 4
alloc-frames w 32
alloc-frames v 64
alloc-frames t 1
malloc m 24
"""
"""Blocks of 1, 2, 4, 32 and 64 frames take what the heap's 25 frames left split; then
one frame splits the block of frames 128-255 down to order 0."""


@pytest.fixture
def view(qtbot):
    """The tree of a 1 MiB buddy machine with nothing mapped: all its memory one block."""
    made = BuddyTreeView(MachineModel(Machine(1 << 20, frames="buddy", boot=False)))
    qtbot.addWidget(made)
    made.resize(900, 100)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.cleanup()


def drawn(view) -> None:
    """Redrawn now (not when the throttle says), at the height it asks for."""
    view.redraw()
    view.resize(view.width(), view.sizeHint().height())


def frames_of(node) -> np.ndarray:
    return np.arange(node.start, node.start + (1 << node.order))


def point_in(view, node, x_inset: float = 3) -> QPoint:
    """A pixel inside a node's box, near its left edge (clear of its words)."""
    box = view._box(node)
    zoom = type_scale.scale()
    return QPoint(round((box.left() + x_inset) * zoom), round(box.center().y() * zoom))


def in_sight(view, area, node) -> bool:
    """Whether a node's box is whole in the scroll area's sight."""
    seen = area.viewport().rect().translated(0, area.verticalScrollBar().value())
    box = view._box(node)
    return seen.contains(QRect(*(round(v * type_scale.scale()) for v in box.getRect())))


def test_one_frame_on_fresh_memory_shows_the_split_chain_from_the_top_order_to_0(view):
    assert view.tree is None and view.caption() is None
    view.model.allocate_frame()
    drawn(view)
    tree = view.tree
    chain = [(n.order, n.role) for n in tree.nodes if n.start == 0]
    assert chain == [(order, SPLIT) for order in range(8, 0, -1)] + [(0, MADE)]
    assert [n.start for n in tree.nodes if n.role == FREE] == [128, 64, 32, 16, 8, 4, 2, 1]
    assert view.text_of(tree.nodes[0]) == "order 8 · frames 0-255 · 1 MiB — split"
    assert view.height() > 9 * view._box_height()  # room for every row
    leaf, upper = tree.nodes[-2:]
    assert pixel(view, point_in(view, leaf)) == palette.MADE.name()
    assert pixel(view, point_in(view, upper)) == palette.FREE.name()


def test_the_node_pointed_at_is_ringed_while_its_operation_is_explained(view):
    model = view.model
    model.allocate_frame()
    drawn(view)
    order_1 = next(i for i, n in enumerate(view.tree.nodes) if (n.start, n.order) == (0, 1))
    node = view.tree.nodes[order_1]
    ring = point_in(view, node, x_inset=-4)  # on the ring, just outside the box
    before = pixel(view, ring)
    view.highlight_frames(frames_of(node))
    assert view.lit == order_1
    assert pixel(view, ring) == palette.MARKER.name() != before
    view.highlight_frames(np.array([0, 2]))  # not a block's frames
    assert view.lit is None
    view.highlight_frames(frames_of(node))
    model.allocate(24, 8)  # a heap operation is explained now: the tree is an earlier one's
    view.redraw()
    assert view.lit is None
    assert view.caption() == (
        "The latest block operation: allocate_frame() -> frame 0 (order 0, split from order 8)"
    )
    model.undo_stack.undo()  # the heap's, taken back: its block operation is explained no more
    assert view.lit is None and view.caption() is not None
    model.allocate_frame()  # frame 1, from order 0's free set: a tree of one node
    assert [(n.start, n.order, n.role) for n in view.tree.nodes] == [(1, 0, MADE)]
    view.highlight_frames(np.array([1]))
    assert view.lit == 0 and view.caption() is None


def test_the_words_shorten_as_the_view_narrows_and_still_fit(view):
    view.model.allocate_frame()
    drawn(view)
    upper = view.tree.nodes[2]
    assert view.text_of(upper) == "order 7 · frames 128-255 · 512 KiB — free"
    metrics = QFontMetricsF(view._font)
    for width in (420, 300, 200):
        view.resize(width, view.height())
        for node in view.tree.nodes:
            texts, room = node.texts(), view._box(node).width() - 2 * PAD
            shown = view.text_of(node)
            assert metrics.horizontalAdvance(shown) <= room
            assert view._box(node).right() <= width - MARGIN
            longer = texts[: texts.index(shown)] if shown in texts else texts
            assert all(metrics.horizontalAdvance(text) > room for text in longer)
        if width == 300:  # cut short, naming the order and first frame still
            assert view.text_of(upper) in upper.texts()[1:] and "128" in view.text_of(upper)


@pytest.mark.parametrize("theme", palette.THEMES)
def test_the_words_on_every_fill_are_legible(theme):
    palette.use(theme)
    try:
        for fill in (*FILLS.values(), palette.PAPER):
            ink = ink_on(fill)
            rgb = [(c.red(), c.green(), c.blue()) for c in (ink, fill)]
            assert contrast(*rgb) >= 4.5, (theme, fill.name())
    finally:
        palette.use("light")


def test_walking_a_traces_steps_lights_each_node_in_turn(qtbot, window, tmp_path):
    trace = tmp_path / "split.trace"
    trace.write_text(TRACE)
    window.traces.load(trace)
    view = window.views["split_tree"]
    assert view.tree is None
    for _ in range(6):
        window.traces.player.step_forward()
    explanation = window.explain.explanation
    assert explanation.steps[-1].kind == "take"
    tree = view.tree
    assert (tree.nodes[0].start, tree.nodes[0].order) == (128, 7)
    qtbot.waitUntil(lambda: view.height() == view.sizeHint().height())  # redrawn, laid out
    area = view.parentWidget().parentWidget()
    assert in_sight(view, area, tree.nodes[tree.outcome])  # the last step's: handed out
    assert not in_sight(view, area, tree.nodes[0])  # (the tree is taller than its room)
    lit = []
    for _ in range(len(explanation.steps) - 1):
        window.explain.previous_action.trigger()  # what Up does
        node = None if view.lit is None else tree.nodes[view.lit]
        lit.append(None if node is None else (node.start, node.order))
    # the splits of orders 1 to 7, the block found; the empty free sets looked at and
    # the size asked point at no block
    assert lit == [(128, order) for order in range(1, 8)] + [(128, 7)] + [None] * 8
    assert in_sight(view, area, tree.nodes[0])  # walked up to the root, scrolled up to it
    for _ in range(len(explanation.steps) - 1):
        window.explain.next_action.trigger()
    assert tree.nodes[view.lit].role == MADE and in_sight(view, area, tree.nodes[view.lit])
    window.traces.player.step_forward()  # malloc m 24
    qtbot.waitUntil(lambda: view.caption() is not None)
    assert view.tree is tree and view.lit is None


def test_after_a_seek_the_tree_is_of_the_last_block_played(qtbot, window, tmp_path):
    trace = tmp_path / "split.trace"
    trace.write_text(TRACE)
    window.traces.load(trace)
    view = window.views["split_tree"]
    window.traces.seek(7)  # played at once: the heap's malloc is explained
    assert view.tree.event.describe().startswith("allocate_frame() -> frame 128")
    assert view.caption() is not None
    window.traces.seek(0)
    assert view.tree is None
    window.traces.seek(6)
    assert view.caption() is None
    view.highlight_frames(np.arange(128, 256))  # the block split, as its step points
    assert view.lit == 0

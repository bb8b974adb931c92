"""The views are chosen by what the machine holds, from the table in views/registry.py."""

import pytest
from shiboken6 import isValid

from orbita_gui.core import Machine, registry
from orbita_gui.core.allocators.free_list_heap import FreeListHeap
from orbita_gui.model import MachineModel
from orbita_gui.model.search_animation import SearchAnimation
from orbita_gui.views import registry as view_table
from orbita_gui.views.heap_map import HeapMapView

ALL_SPECS = [spec for specs in view_table.VIEWS.values() for spec in specs]


def test_every_view_kind_of_the_registry_has_views():
    for kind in registry.kinds().values():
        assert view_table.VIEWS[kind.view], kind.name


def kind_shown_by(spec) -> registry.Kind:
    """An allocator of the registry one of whose views is `spec`."""
    return next(
        kind for kind in registry.kinds().values() if spec in view_table.VIEWS.get(kind.view, ())
    )


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.view_id)
def test_each_view_of_the_table_shows_its_layer(qtbot, spec):
    kind = kind_shown_by(spec)
    layer = kind.layer
    model = MachineModel(Machine(1 << 22, heap_size=8192, **{layer: kind.name}))
    view = spec.factory(model)
    qtbot.addWidget(view)
    if layer == registry.FRAMES:  # what the window links the layers with
        assert hasattr(view, "sig_frame_hovered") and hasattr(view, "highlight_frames")
    else:
        assert hasattr(view, "sig_range_hovered") and hasattr(view, "highlight_range")
    animation = SearchAnimation()
    view.follow(animation)
    assert view.animation is animation
    model.allocate(24, 8)  # it follows the model, and lets go of it
    view.cleanup()


@pytest.mark.parametrize("layer", [registry.FRAMES, registry.HEAP], ids=["frames", "heap"])
def test_the_window_builds_the_views_its_machine_needs(window, layer):
    allocator = view_table.layer_allocators(window.model.machine)[layer]
    specs = view_table.views_for(allocator)
    assert [type(v) for v in window.layer_views(layer)] == [spec.factory for spec in specs]
    for spec in specs:
        assert window.views[spec.view_id].isVisible()


class _OtherHeap(FreeListHeap):
    kind = "other-heap"


@pytest.fixture
def other_view_kind(monkeypatch):
    """A heap allocator shown by another kind of view (one map, no list), registered for
    the test only."""
    kind = registry.Kind(
        "other-heap", registry.HEAP, lambda **params: _OtherHeap(**params), view="one-map"
    )
    monkeypatch.setitem(registry._KINDS, "other-heap", kind)
    spec = view_table.ViewSpec("other_map", "Another heap picture", HeapMapView, scrolled=True)
    monkeypatch.setitem(view_table.VIEWS, "one-map", (spec,))


def test_a_reset_to_another_view_kind_builds_its_views(qtbot, window, other_view_kind):
    model, old_list = window.model, window.free_list
    animation = window.heap_map.animation
    assert model.reset(1 << 22, 8192, heap="other-heap")
    assert set(window.views) == {"grid", "other_map"}
    new = window.views["other_map"]
    qtbot.waitExposed(new)
    assert window.free_list is None and window.layer_views(registry.HEAP) == [new]
    assert new.animation is animation  # the player's search animation, followed still
    window.grid.sig_frame_hovered.emit(1)  # the layers are linked
    assert new.linked == (model.machine.page_base + 0x1000, model.machine.page_base + 0x2000)
    qtbot.waitUntil(lambda: not isValid(old_list))  # the old views are gone
    model.allocate(24, 8)
    assert model.reset(1 << 22, 8192, heap="guide")  # and back
    assert set(window.views) == {"grid", "heap_map", "free_list"}


def test_the_heap_allocator_in_use_is_shown_under_the_heap_heading(window):
    (label,) = window._allocator_labels
    words = "guide: first fit, insert-front, no coalescing, ListNode rules"
    assert label.text() == f"Allocator: {words}"
    window.model.reset(1 << 22, 8192, heap="ostep")
    assert label.text().startswith("Allocator: ostep: best fit, addrsort")
    assert label.toolTip() == registry.kind("ostep").help


def test_the_heap_legend_shows_only_the_marks_its_policy_draws(window):
    """On a small screen every row counts: next fit's mark only for next fit, the merge's
    only for a heap that coalesces."""
    from PySide6.QtWidgets import QLabel

    def shown() -> set[str]:
        return {label.text() for label in window.findChildren(QLabel) if label.isVisible()}

    assert {"passed over", "leftover"} <= shown()
    assert not {"next fit starts here", "joined by a free"} & shown()
    window.model.reset(4 << 20, 16 << 10, heap="free-list", heap_params={"fit": "next"})
    assert "next fit starts here" in shown() and "joined by a free" not in shown()
    window.model.reset(4 << 20, 16 << 10, heap="free-list", heap_params={"coalesce": True})
    assert "joined by a free" in shown() and "next fit starts here" not in shown()

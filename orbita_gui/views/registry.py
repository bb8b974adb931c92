"""Which views show which allocator: a table from the core registry's view kinds
(`Kind.view`) to the pictures that draw them, as napari maps each layer type to
its visual.

The window builds, for each layer of its machine, the views its allocator's
view kind names here, and builds them anew when a reset brings an allocator of
another view kind. A new kind of allocator with a new kind of picture is one
entry here and its view module; the window does not change.

What the window expects of the views of each layer, to link the two layers:
a frames view has `sig_frame_hovered(frame)` and `highlight_frames(frames)`;
a heap view has `sig_range_hovered(start, end)` and `highlight_range(start, end)`.
Every view has `follow(animation)` and `cleanup()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from orbita_gui.core import registry
from orbita_gui.model import MachineModel

from . import palette
from .buddy_sets import BuddySetsView
from .buddy_tree import BuddyTreeView
from .frame_grid import FrameGridView
from .free_list_view import FreeListView
from .heap_map import HeapMapView
from .legend import Mark
from .size_classes_view import SizeClassesView

FRAMES, HEAP = registry.FRAMES, registry.HEAP
"""The layers of a machine, in the order the window puts their views (left to right)."""


@dataclass(frozen=True)
class ViewSpec:
    """One view of a view kind: the window's name for it, its heading, how to make it,
    its legend, and whether it scrolls (a tall picture) or fills its place (the grid
    zooms and pans itself)."""

    view_id: str
    title: str
    factory: Callable[[MachineModel], QWidget]
    legend: tuple = ()
    scrolled: bool = False
    stretch: int = 1
    """Its share of the layer's height, beside the other views of the same kind."""
    with_allocator: bool = False
    """Its heading names the allocator in use (the rules it follows)."""


GRID_LEGEND = (
    (palette.FREE, "free"),
    (palette.USED, "used"),
    (palette.HEAP, "backs the heap"),
    (palette.MADE, "just allocated"),
    (palette.FREED, "just freed"),
    (palette.MARKER, "next_free"),  # and what Ctrl+click selected: the same outline
    (palette.PASSED, "searched"),
    (palette.LINKED, "hovered bytes"),
    (palette.OUTSIDE, "past the end"),
)
BUDDY_GRID_LEGEND = (
    (palette.FREE, "free"),
    (palette.USED, "used"),
    (palette.HEAP, "backs the heap"),
    (palette.MADE, "just allocated"),
    (palette.FREED, "just freed"),
    (palette.LINKED, "hovered bytes"),
    (Mark(line=palette.MARKER), "a live block"),
    (Mark(line=palette.MARKER, line_style=Qt.PenStyle.DashLine), "a free block"),
    (palette.OUTSIDE, "past the end"),
)
HEAP_LEGEND = (  # two columns: the left one takes the even entries
    (Mark(fill=palette.USED, header=True), "block, header"),
    (palette.FREE, "free region"),
    (palette.LOST, "lost (padding)"),
    (Mark(line=palette.PASSED_LINE, line_style=Qt.PenStyle.DotLine), "passed over"),
    (Mark(line=palette.MADE), "last block"),
    (Mark(triangle=True), "next fit starts here"),
    (Mark(line=palette.MADE, line_style=Qt.PenStyle.DashLine), "leftover"),
    (Mark(hatch=Qt.BrushStyle.FDiagPattern, line=palette.MARKER, double=True), "joined by a free"),
)
"""The free list view shares these marks (its nodes passed over are also sand)."""

POLICY_MARKS = {
    "next fit starts here": lambda rules: rules.fit == "next",
    "joined by a free": lambda rules: rules.coalesce,
}
"""Marks only some policies draw: a legend shows them for those alone."""


def marks_drawn(heap) -> Callable[[str], bool]:
    """Which legend entries apply to a heap: all but the marks its policy never draws."""
    rules = getattr(heap, "rules", None)

    def applies(text: str) -> bool:
        when = POLICY_MARKS.get(text)
        return when is None or (rules is not None and when(rules))

    return applies


HEAP_MAP = ViewSpec(
    "heap_map",
    "Kernel heap, page by page",
    HeapMapView,
    HEAP_LEGEND,
    scrolled=True,
    stretch=520,
    with_allocator=True,
)
"""Every heap's bytes, page by page, whatever keeps its free blocks."""

SLAB_LEGEND = (  # two columns, as the heap's
    (Mark(fill=palette.USED), "object or large block"),
    (palette.FREE, "free object"),
    (palette.LOST, "slab's leftover"),
    (palette.OUTSIDE, "not mapped"),
    (Mark(line=palette.MADE), "last object"),
)

VIEWS: dict[str, tuple[ViewSpec, ...]] = {
    "bitmap": (
        ViewSpec("grid", "Physical memory: one cell per 4 KiB frame", FrameGridView, GRID_LEGEND),
    ),
    "buddy": (
        ViewSpec(
            "grid",
            "Physical memory: blocks of 2^k frames",
            FrameGridView,
            BUDDY_GRID_LEGEND,
            stretch=640,
        ),
        ViewSpec(
            "split_tree",
            "Split tree of the latest block",
            BuddyTreeView,
            scrolled=True,
            stretch=200,
        ),
        ViewSpec(
            "free_sets", "Free blocks, order by order", BuddySetsView, scrolled=True, stretch=160
        ),
    ),
    "free-list": (
        HEAP_MAP,
        ViewSpec("free_list", "Free list, in list order", FreeListView, scrolled=True, stretch=300),
    ),
    "size-classes": (
        HEAP_MAP,
        ViewSpec(
            "size_classes",
            "Free lists, one per size class",
            SizeClassesView,
            scrolled=True,
            stretch=300,
        ),
    ),
    "slab": (
        ViewSpec(
            "heap_map",
            "Kernel heap: slabs on pages mapped as needed",
            HeapMapView,
            SLAB_LEGEND,
            scrolled=True,
            stretch=520,
            with_allocator=True,
        ),
        ViewSpec(
            "size_classes",
            "Caches and their free objects, slab by slab",
            SizeClassesView,
            scrolled=True,
            stretch=300,
        ),
    ),
}
"""View kind (the core registry's `Kind.view`) -> the views that show it, top to bottom."""


def view_kind(allocator) -> str:
    """The view kind of an allocator, as the core registry names it for its kind."""
    return registry.kind(allocator.kind).view


def views_for(allocator) -> tuple[ViewSpec, ...]:
    """The views that show this allocator (KeyError naming the kind if none do)."""
    kind = view_kind(allocator)
    try:
        return VIEWS[kind]
    except KeyError:
        raise KeyError(f"no view shows allocators of view kind {kind!r}") from None


def layer_allocators(machine) -> dict[str, object]:
    """A machine's allocators by layer, in the order their views are laid out."""
    return {FRAMES: machine.frames, HEAP: machine.heap}

import pytest

from orbita_gui.core import Layout, LayoutError, LinkedListAllocator


def test_layout_mirrors_rust():
    layout = Layout.from_size_align(24, 8)
    assert (layout.size, layout.align) == (24, 8)
    assert str(layout) == "Layout { size: 24, align: 8 }"
    assert Layout(5, 2).align_to(8) == Layout(5, 8)
    assert Layout(5, 8).pad_to_align() == Layout(8, 8)
    assert Layout(0, 1).pad_to_align() == Layout(0, 1)


@pytest.mark.parametrize(
    ("size", "align", "message"),
    [
        (8, 3, "not a power of two"),
        (8, 0, "not a power of two"),
        (8, -8, "not a power of two"),
        (-1, 8, "negative"),
        ((1 << 63) - 8, 16, "overflows"),
        (1.5, 8, "integers"),
        (8, True, "integers"),
    ],
)
def test_invalid_layouts_are_refused(size, align, message):
    with pytest.raises(LayoutError, match=message):
        Layout(size, align)


def test_largest_layout_is_accepted():
    assert Layout((1 << 63) - 16, 16).size == (1 << 63) - 16


@pytest.mark.parametrize(
    ("size", "align", "expected"),
    [
        (1, 1, (16, 8)),  # at least one ListNode
        (0, 1, (16, 8)),
        (16, 8, (16, 8)),
        (17, 8, (24, 8)),  # padded to the alignment
        (24, 8, (24, 8)),
        (24, 32, (32, 32)),
        (100, 64, (128, 64)),
    ],
)
def test_size_align(size, align, expected):
    assert LinkedListAllocator().size_align(Layout(size, align)) == expected

import pytest

from orbita_gui.core.units import format_size, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4096", 4096),
        ("0x1000", 4096),
        ("4K", 4096),
        ("4 KiB", 4096),
        ("4kb", 4096),
        ("100KiB", 102_400),
        ("1GiB", 1 << 30),
        (" 16 GiB ", 16 << 30),
        ("1_000", 1000),
        ("0", 0),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-4", "4 XB", "1.5K", "0x", "K"])
def test_parse_size_refuses_what_is_not_a_size(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("size", "text"), [(1 << 30, "1 GiB"), (102_400, "100 KiB"), (24, "24 B"), (1500, "1,500 B")]
)
def test_format_size(size, text):
    assert format_size(size) == text

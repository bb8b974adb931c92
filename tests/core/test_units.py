import pytest

from orbita_gui.core.units import MAX_DIGITS, format_size, parse_size, whole_number


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4096", 4096),
        ("0x1000", 4096),
        ("0X1000", 4096),
        ("4K", 4096),
        ("4k", 4096),
        ("4KiB", 4096),
        ("4 KiB", 4096),
        ("4kb", 4096),
        ("4 KB", 4096),
        ("24B", 24),
        ("24 b", 24),
        ("100KiB", 102_400),
        ("1GiB", 1 << 30),
        (" 16 GiB ", 16 << 30),
        ("1_000", 1000),
        ("0x_1000", 4096),
        ("010", 10),  # leading zeros are still decimal
        ("0", 0),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-4",
        "4 XB",
        "1.5K",
        "0x",
        "K",
        "10iB",  # `iB` only after a unit letter
        "iB",
        "4 iB",
        "4KK",
        "1__000",
        "1000_",
        "4\u212a",  # KELVIN SIGN, which re.IGNORECASE alone would take for k
        "\u00b2",  # superscript two
        "4\u00b2K",
        "\u24ff",  # negative circled digit zero
        "\u0663",  # Arabic-Indic three
        "1" * (MAX_DIGITS + 1),
    ],
)
def test_parse_size_refuses_what_is_not_a_size(text):
    with pytest.raises(ValueError, match="is not a size: write 4096, 0x1000, 24B, 4K, 4KiB"):
        parse_size(text)


def test_parse_size_messages_stay_short():
    with pytest.raises(ValueError) as caught:
        parse_size("9" * 1_000_000 + "x")
    assert len(str(caught.value)) < 200 and "\u2026" in str(caught.value)


@pytest.mark.timeout(10)  # the regex backtracked for seconds: a hang, not a speed
def test_parse_size_costs_the_length_of_the_text_not_its_square():
    with pytest.raises(ValueError):
        parse_size("1" + " " * 100_000 + "x")


@pytest.mark.parametrize(
    ("token", "hexadecimal", "value"),
    [
        ("24", False, 24),
        ("010", True, 10),
        ("0x10", True, 16),
        ("0x10", False, None),
        ("0x", True, None),
        ("\u0663", False, None),
        ("\u00b2", True, None),
        ("0x\u0663", True, None),
        ("-1", False, None),
        ("9" * MAX_DIGITS, False, int("9" * MAX_DIGITS)),
        ("9" * (MAX_DIGITS + 1), False, None),
    ],
)
def test_whole_number_takes_ascii_digits_only(token, hexadecimal, value):
    assert whole_number(token, hexadecimal) == value


@pytest.mark.parametrize(
    ("size", "text"), [(1 << 30, "1 GiB"), (102_400, "100 KiB"), (24, "24 B"), (1500, "1,500 B")]
)
def test_format_size(size, text):
    assert format_size(size) == text

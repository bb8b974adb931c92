"""The palette, as every eye sees it: states apart under simulated colour vision
deficiencies, text readable, in every theme."""

from itertools import combinations

import numpy as np
import pytest

from orbita_gui.views import palette
from tests.colour_vision import VISIONS, ciede2000, contrast, difference

TEXT = [
    ("INK", "PAPER"),
    ("INK", "BASE"),
    ("INK", "ALTERNATE"),
    ("INK", "BUTTON"),
    ("INK", "TOOLTIP"),
    ("MUTED", "PAPER"),
    ("MUTED", "BASE"),
    ("MUTED", "ALTERNATE"),
    ("ERROR", "PAPER"),
    ("ERROR", "BASE"),
    ("ERROR", "ALTERNATE"),
    ("WARNING", "BASE"),
    ("WARNING", "ALTERNATE"),
    ("MARKER", "PAPER"),  # notes in the free list, next_free, highlighted text
    ("INK", "FREE"),  # free regions' and free-list nodes' words
    ("INK", "PASSED"),
    ("#ffffff", "USED"),  # the heap map writes blocks' words in white
    ("#ffffff", "HEADER"),
    ("#ffffff", "LOST"),
    ("#ffffff", "MADE"),  # the free list's node just made
]
"""Text colour, and what it is written on."""
LINES = [("PASSED_LINE", "PAPER"), ("PASSED_LINE", "FREE"), ("MUTED", "FREE"), ("EDGE", "PAPER")]
"""Outlines, and what they are drawn on: 3:1, as WCAG asks of graphics."""


def rgb(theme: str, name: str) -> np.ndarray:
    value = name if name.startswith("#") else palette.THEMES[theme][name]
    return np.array([int(value[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def together(names=palette.STATES) -> list[tuple[str, str]]:
    """The pairs of states some view shows side by side: they must stay apart."""
    return [
        pair
        for pair in combinations(names, 2)
        if pair not in palette.NEVER_TOGETHER and pair[::-1] not in palette.NEVER_TOGETHER
    ]


@pytest.mark.parametrize("theme", palette.THEMES)
@pytest.mark.parametrize("vision", VISIONS)
def test_the_states_stay_apart_with_every_colour_vision(theme, vision):
    close = []
    for a, b in together():
        apart = float(difference(rgb(theme, a), rgb(theme, b), vision))
        if apart < palette.APART:
            close.append(f"{a}-{b} {apart:.1f}")
    assert not close, f"{theme}, {vision}: {close}"


@pytest.mark.parametrize("theme", palette.THEMES)
def test_text_and_lines_stand_out_from_their_ground(theme):
    low = [
        f"{fg} on {bg} {ratio:.2f}"
        for pairs, need in ((TEXT, 4.5), (LINES, 3.0))
        for fg, bg in pairs
        if (ratio := contrast(rgb(theme, fg), rgb(theme, bg))) < need
    ]
    assert not low, f"{theme}: {low}"


def test_every_theme_gives_every_colour_a_value():
    names = {name for name, value in vars(palette).items() if type(value) is palette.QColor}
    for theme, colours in palette.THEMES.items():
        assert set(colours) == names, theme


def test_use_changes_the_colours_in_place():
    """A legend's swatch keeps its colour object: it must follow the theme."""
    used = palette.USED
    try:
        palette.use("dark")
        assert palette.USED is used and used.name() == palette.THEMES["dark"]["USED"]
        assert palette.current() == "dark"
    finally:
        palette.use("light")
    assert used.name() == palette.THEMES["light"]["USED"]


SHARMA = [  # Sharma, Wu and Dalal (2005), table 1: L1 a1 b1, L2 a2 b2, difference
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]
"""Pairs that test the hue's wrap-around and the grey axis."""


def test_ciede2000_matches_the_published_pairs():
    data = np.array(SHARMA)
    lab1, lab2, expected = data[:, :3], data[:, 3:6], data[:, 6]
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_the_simulations_confuse_what_each_deficiency_confuses():
    """Red and green look alike to protanopes and deuteranopes, not to tritanopes;
    blue and green the other way round."""
    red, green, blue = (210, 60, 50), (60, 150, 60), (40, 90, 200)
    assert difference(red, green, "deuteranopia") < difference(red, green) / 2
    assert difference(red, green, "protanopia") < difference(red, green) / 2
    assert difference(red, green, "tritanopia") > difference(red, green) / 2
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21)
    assert difference(blue, green, "tritanopia") < difference(blue, green, "deuteranopia")

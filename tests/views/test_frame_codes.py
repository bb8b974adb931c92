"""The frame grid's codes, without a display."""

import numpy as np

from orbita_gui.views import frame_codes
from orbita_gui.views.frame_codes import FADE_SECONDS, FrameCodes, grid_shape


def test_grid_shape_is_a_power_of_two_wide_and_about_square():
    assert grid_shape(262_144) == (512, 512)
    assert grid_shape(4_194_304) == (2048, 2048)
    assert grid_shape(16) == (4, 4)
    assert grid_shape(100) == (7, 16)
    assert grid_shape(1) == (1, 1)


def test_flashes_fade_to_the_plain_colour_and_expire():
    codes = FrameCodes(64, lambda: np.arange(4))
    bitmap = np.zeros(64, dtype=np.uint8)
    bitmap[:6] = 1
    codes.flash(5, made=True)
    codes.flash(9, made=False)
    image = codes.refresh(bitmap, now=100.0).ravel()
    assert image[5] == frame_codes.CODE_MADE and image[9] == frame_codes.CODE_FREED
    assert image[0] == frame_codes.CODE_HEAP and image[20] == frame_codes.CODE_FREE
    image = codes.refresh(bitmap, now=100.0 + FADE_SECONDS * 0.99).ravel()
    assert image[5] == frame_codes.CODE_MADE + frame_codes.FLASH_STEPS - 1
    image = codes.refresh(bitmap, now=100.0 + FADE_SECONDS).ravel()
    assert image[5] == frame_codes.CODE_USED and image[9] == frame_codes.CODE_FREE
    assert not codes.animating


def test_a_scan_the_animation_shows_is_marked_under_the_flashes_and_selection():
    codes = FrameCodes(64, lambda: np.arange(4))
    bitmap = np.zeros(64, dtype=np.uint8)
    bitmap[:10] = 1
    image = codes.refresh(bitmap, 1.0, selected={7}, scanned=range(4, 9)).ravel()
    assert image[5] == frame_codes.CODE_SCANNED and image[9] == frame_codes.CODE_USED
    assert image[7] == frame_codes.CODE_SELECTED

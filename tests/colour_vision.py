"""Colours as eyes see them, for the palette's tests: colour vision deficiencies
simulated (Machado, Oliveira and Fernandes 2009, severity 1.0), the CIEDE2000
difference (Sharma, Wu and Dalal 2005) and the WCAG contrast ratio. numpy only: a
test needs these few formulas, not a colour science library."""

from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
"""Machado's matrices for full dichromacy, applied to linear sRGB."""
VISIONS = ("normal", *MACHADO)

_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_D65 = np.array([0.95047, 1.0, 1.08883])


def linear(rgb) -> np.ndarray:
    """sRGB in 0..255 (any shape ending in 3) to linear light in 0..1."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encoded(light: np.ndarray) -> np.ndarray:
    c = np.clip(light, 0, 1)
    return 255 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, vision: str) -> np.ndarray:
    """sRGB colours (0..255) as seen with `vision` ("normal", "protanopia", ...)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if vision == "normal":
        return rgb
    return _encoded(linear(rgb) @ MACHADO[vision].T)


def lab(rgb) -> np.ndarray:
    """sRGB (0..255) to CIELAB under D65."""
    xyz = linear(rgb) @ _SRGB_TO_XYZ.T / _D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


def ciede2000(lab1, lab2) -> np.ndarray:
    """The CIEDE2000 difference of CIELAB colours (kL = kC = kH = 1), element-wise."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360
    h2 = np.degrees(np.arctan2(b2, a2)) % 360
    grey = c1 * c2 == 0
    dh = h2 - h1
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(grey, 0, dh)
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    h_mean = np.where(
        np.abs(h1 - h2) <= 180, (h1 + h2) / 2, np.where(h1 + h2 < 360, 180, -180) + (h1 + h2) / 2
    )
    h_mean = np.where(grey, h1 + h2, h_mean)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    l_mean, c_mean = (L1 + L2) / 2, (c1 + c2) / 2
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    r_c = 2 * np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7))
    r_t = -np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dh_term = (L2 - L1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return np.sqrt(dl**2 + dc**2 + dh_term**2 + r_t * dc * dh_term)


def difference(rgb1, rgb2, vision: str = "normal") -> np.ndarray:
    """CIEDE2000 between sRGB colours (0..255) as seen with `vision`."""
    return ciede2000(lab(simulate(rgb1, vision)), lab(simulate(rgb2, vision)))


def contrast(rgb1, rgb2) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0..255), 1 to 21."""
    y1, y2 = (float(linear(c) @ _SRGB_TO_XYZ[1]) for c in (rgb1, rgb2))
    return (max(y1, y2) + 0.05) / (min(y1, y2) + 0.05)

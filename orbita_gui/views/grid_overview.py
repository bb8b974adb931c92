"""The frame grid seen from afar: a cell of the picture for each block of k x k frames,
showing the most telling code in the block, so that zoomed out no free frame, flash,
selection or scan disappears between screen pixels (as plain scaling drops them)."""

from __future__ import annotations

import numpy as np

from .frame_codes import (
    CODE_FREE,
    CODE_FREED,
    CODE_HEAP,
    CODE_LINKED,
    CODE_MADE,
    CODE_OUTSIDE,
    CODE_SCANNED,
    CODE_SELECTED,
    CODE_USED,
    FLASH_STEPS,
)

_MOST_TELLING_FIRST = [
    CODE_SELECTED,
    CODE_LINKED,
    CODE_SCANNED,
    *range(CODE_MADE, CODE_MADE + FLASH_STEPS),
    *range(CODE_FREED, CODE_FREED + FLASH_STEPS),
    CODE_FREE,
    CODE_HEAP,
    CODE_USED,
    CODE_OUTSIDE,
]
RANK = np.full(256, 255, dtype=np.uint8)
RANK[_MOST_TELLING_FIRST] = np.arange(len(_MOST_TELLING_FIRST))
CODE_OF_RANK = np.zeros(256, dtype=np.uint8)
CODE_OF_RANK[: len(_MOST_TELLING_FIRST)] = _MOST_TELLING_FIRST


def overview(image: np.ndarray, k: int) -> np.ndarray:
    """`image` (rows x cols codes) in blocks of `k` x `k`, each the most telling code in
    it; the edges padded with 'outside'."""
    if k <= 1:
        return image
    rows, cols = image.shape
    tall, wide = -(-rows // k) * k, -(-cols // k) * k
    ranks = np.full((tall, wide), RANK[CODE_OUTSIDE], dtype=np.uint8)
    ranks[:rows, :cols] = RANK[image]
    least = ranks.reshape(tall // k, k, wide // k, k).min(axis=(1, 3))
    return CODE_OF_RANK[least]

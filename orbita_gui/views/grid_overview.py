"""The frame grid seen from afar: a cell of the picture for each block of k x k frames,
showing the most telling code in the block, so that zoomed out no free frame, flash,
selection or scan disappears between screen pixels (as plain scaling drops them)."""

from __future__ import annotations

import numpy as np

from . import frame_codes as code

_MOST_TELLING_FIRST = [
    code.CODE_SELECTED,
    code.CODE_LINKED,
    code.CODE_SCANNED,
    *range(code.CODE_MADE, code.CODE_MADE + code.FLASH_STEPS),
    *range(code.CODE_FREED, code.CODE_FREED + code.FLASH_STEPS),
    code.CODE_FREE,
    code.CODE_HEAP,
    code.CODE_USED,
    code.CODE_OUTSIDE,
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
    ranks = np.full((tall, wide), RANK[code.CODE_OUTSIDE], dtype=np.uint8)
    ranks[:rows, :cols] = RANK[image]
    least = ranks.reshape(tall // k, k, wide // k, k).min(axis=(1, 3))
    return CODE_OF_RANK[least]

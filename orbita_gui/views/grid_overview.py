"""The frame grid seen from afar: a cell of the picture for each block of k x k frames,
showing the most telling cell in the block, so that zoomed out no free frame, flash,
selection or scan disappears between screen pixels (as plain scaling drops them).

Free is code 0, used 1, the heap's 2: the least code of a block is its most telling
plain cell (a free frame wins). The marks above them (flashes, the selection, lit and
scanned frames) are few: they are laid on the blocks they fall in afterwards. The
blocks are made by halving both ways, pairwise minimum by pairwise minimum (numpy's
reduction over a short axis is ten times slower): a 16 GiB grid, 4 million cells,
takes a few milliseconds.
"""

from __future__ import annotations

import numpy as np

from .frame_codes import CODE_HEAP, CODE_OUTSIDE


def overview(image: np.ndarray, k: int) -> np.ndarray:
    """`image` (rows x cols codes) in blocks of `k` x `k` (a power of two), each its
    most telling cell; the edges padded with 'outside'."""
    if k <= 1:
        return image
    rows, cols = image.shape
    tall, wide = -(-rows // k) * k, -(-cols // k) * k
    if (tall, wide) != (rows, cols):
        padded = np.full((tall, wide), CODE_OUTSIDE, dtype=np.uint8)
        padded[:rows, :cols] = image
        image = padded
    seen = image
    for _ in range(k.bit_length() - 1):  # halve both ways: k is a power of two
        seen = np.minimum(seen[:, 0::2], seen[:, 1::2])
        seen = np.minimum(seen[0::2], seen[1::2])
    marks = np.flatnonzero((image > CODE_HEAP) & (image != CODE_OUTSIDE))
    if len(marks):
        row, col = np.divmod(marks, wide)
        seen[row // k, col // k] = image.ravel()[marks]
    return seen

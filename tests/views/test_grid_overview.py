"""The grid seen from afar keeps every free frame, flash and mark visible."""

import numpy as np

from orbita_gui.views.frame_codes import CODE_FREE, CODE_MADE, CODE_OUTSIDE, CODE_USED
from orbita_gui.views.grid_overview import overview


def test_one_free_frame_among_many_used_stays_visible_from_afar():
    image = np.full((64, 64), CODE_USED, dtype=np.uint8)
    image[37, 5] = CODE_FREE
    image[3, 60] = CODE_MADE
    seen = overview(image, 16)
    assert seen.shape == (4, 4)
    assert seen[2, 0] == CODE_FREE and seen[0, 3] == CODE_MADE
    assert (seen == CODE_USED).sum() == 14


def test_the_edges_are_outside_and_a_factor_of_one_changes_nothing():
    image = np.full((5, 5), CODE_USED, dtype=np.uint8)
    assert overview(image, 1) is image
    seen = overview(image, 4)
    assert seen.shape == (2, 2) and seen[1, 1] == CODE_USED  # one used frame in the corner
    assert overview(np.full((1, 3), CODE_OUTSIDE, dtype=np.uint8), 2).tolist() == [
        [CODE_OUTSIDE, CODE_OUTSIDE]
    ]

"""Room for every wish: the top of a ranking shows each of a person's wishes that fits.

A person lists several wishes on purpose; ordered by score alone, the openings
of the wish the encoder happens to like best can fill the whole top 10.
`cover_wishes` re-ranks greedily: at each rank it takes the best remaining
opening, unless an opening for a wish not yet shown (that it fits at least
partly) scores within `margin` of it; then that one comes first. So no
opening ever sits above one that scores more than `margin` higher.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def cover_wishes(
    positions: Sequence[int],
    score: np.ndarray,
    best_wish: np.ndarray,
    fits_wish: np.ndarray,
    k: int,
    margin: float,
) -> list[int]:
    """The first `k` of `positions` (best first by `score`), re-ranked to cover more wishes.

    `best_wish[p]` is the wish opening `p` fits best and `fits_wish[p]` whether
    that fit is enough to count as showing the wish.
    """
    remaining = list(positions)
    picked: list[int] = []
    shown: set[int] = set()
    while remaining and len(picked) < k:
        choice = 0
        best = remaining[0]
        if margin > 0 and (int(best_wish[best]) in shown or not fits_wish[best]):
            for j, position in enumerate(remaining[1:], start=1):
                if score[best] - score[position] > margin:
                    break
                if fits_wish[position] and int(best_wish[position]) not in shown:
                    choice = j
                    break
        position = remaining.pop(choice)
        picked.append(position)
        if fits_wish[position]:
            shown.add(int(best_wish[position]))
    return picked

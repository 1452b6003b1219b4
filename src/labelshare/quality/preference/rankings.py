"""Rankings as pairwise judgements (full rank breaking).

A ranking of m objects says that each one beat every object below it; full breaking
turns it into its m(m-1)/2 pairs, which Bradley–Terry and Crowd-BT then fit (H. Azari
Soufiani, D. C. Parkes and L. Xia, "Computing Parametric Ranking Models via
Rank-Breaking", ICML 2014, on when breaking is consistent). ``PlackettLuce`` fits the
ranking likelihood itself.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.preference._comparisons import Comparisons

__all__ = ["comparisons_from_rankings"]


def comparisons_from_rankings(
    rankings: Sequence[Sequence[Hashable]],
    *,
    workers: Sequence[Hashable] | None = None,
    shown_orders: Sequence[Sequence[Hashable] | None] | None = None,
) -> Comparisons:
    """Break each ranking into every pair it orders.

    For objects ``x`` above ``y`` in a ranking, the judgement is first=x, second=y,
    outcome ``"A"``; ``shown_first`` is ``"A"`` when ``x`` was displayed before ``y``.

    Args:
        rankings: each a sequence of distinct object ids, best first (length >= 2).
        workers: who gave each ranking; by default one anonymous worker.
        shown_orders: per ranking, the same ids in display order, or None if unknown.

    Returns:
        The judgements, ``len(r) * (len(r) - 1) / 2`` per ranking ``r``, in ranking
        order then pair order.

    Raises:
        QualityInputError: a ranking is shorter than 2 or repeats an id, a display order
            is not a permutation of its ranking, or a parallel list has another length.
    """
    if workers is not None and len(workers) != len(rankings):
        raise QualityInputError(f"workers: expected {len(rankings)} entries, got {len(workers)}")
    if shown_orders is not None and len(shown_orders) != len(rankings):
        raise QualityInputError(
            f"shown_orders: expected {len(rankings)} entries, got {len(shown_orders)}"
        )
    first: list[Hashable] = []
    second: list[Hashable] = []
    who: list[Hashable] = []
    shown: list[str | None] = []
    for index, ranking in enumerate(rankings):
        order = list(ranking)
        if len(order) < 2 or len(set(order)) != len(order):
            raise QualityInputError(
                f"rankings[{index}]: must list at least two distinct objects, got {order!r}"
            )
        position = None
        if shown_orders is not None and shown_orders[index] is not None:
            displayed = list(shown_orders[index] or [])
            if sorted(map(repr, displayed)) != sorted(map(repr, order)):
                raise QualityInputError(
                    f"shown_orders[{index}]: must be a permutation of rankings[{index}]"
                )
            position = {obj: place for place, obj in enumerate(displayed)}
        upper, lower = np.triu_indices(len(order), k=1)
        for u, v in zip(upper.tolist(), lower.tolist(), strict=True):
            first.append(order[u])
            second.append(order[v])
            who.append(0 if workers is None else workers[index])
            if position is None:
                shown.append(None)
            else:
                shown.append("A" if position[order[u]] < position[order[v]] else "B")
    return Comparisons.from_arrays(
        np.asarray(first, dtype=object) if _mixed(first) else first,
        np.asarray(second, dtype=object) if _mixed(second) else second,
        ["A"] * len(first),
        workers=who,
        shown_first=shown,
    )


def _mixed(values: list[Hashable]) -> bool:
    """Whether the ids are of more than one Python type (numpy would coerce them)."""
    return len({type(v) for v in values}) > 1

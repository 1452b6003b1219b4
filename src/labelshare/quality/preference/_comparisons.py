"""``Comparisons``: integer-coded pairwise judgements, the input of every preference model."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality.exceptions import QualityInputError

__all__ = ["FIRST_WINS", "OUTCOMES", "SECOND_WINS", "TIE", "Comparisons"]

OUTCOMES = ("A", "B", "tie")
"""Outcome names in code order: the first object wins, the second wins, a tie."""

FIRST_WINS, SECOND_WINS, TIE = 0, 1, 2
UNKNOWN_ORDER = -1


def _codes(values: Sequence[Hashable] | NDArray[Any], n: int, field: str) -> NDArray[np.int64]:
    """Outcome codes from names (``"A"``, ``"B"``, ``"tie"``) or from the codes 0, 1, 2."""
    array = np.asarray(values)
    if array.shape != (n,):
        raise QualityInputError(f"{field}: expected {n} entries, got shape {array.shape}")
    if array.dtype.kind in "iu":
        codes = array.astype(np.int64)
    else:
        lookup = {name: code for code, name in enumerate(OUTCOMES)}
        try:
            codes = np.fromiter((lookup[v] for v in array.tolist()), dtype=np.int64, count=n)
        except KeyError as exc:
            raise QualityInputError(
                f"{field}: {exc.args[0]!r} is not one of {', '.join(OUTCOMES)}"
            ) from None
    if n and (codes.min() < 0 or codes.max() > TIE):
        raise QualityInputError(f"{field}: codes must be 0 (A), 1 (B) or 2 (tie)")
    return codes


def _display_codes(
    shown_first: Sequence[Hashable | None] | NDArray[Any] | None, n: int
) -> NDArray[np.int64]:
    """Display-order codes 0 (A first), 1 (B first), -1 (unknown) from names or codes."""
    if shown_first is None:
        return np.full(n, UNKNOWN_ORDER, dtype=np.int64)
    array = np.asarray(shown_first)
    if array.shape != (n,):
        raise QualityInputError(f"shown_first: expected {n} entries, got shape {array.shape}")
    if array.dtype.kind in "iu":
        bad = np.flatnonzero((array < UNKNOWN_ORDER) | (array > 1))
        if bad.size:
            row = int(bad[0])
            raise QualityInputError(f"shown_first[{row}]: {array[row].item()!r} is not 0, 1 or -1")
        return array.astype(np.int64)
    lookup: dict[Any, int] = {"A": 0, "B": 1, None: UNKNOWN_ORDER}
    codes = np.empty(n, dtype=np.int64)
    for row, side in enumerate(array.tolist()):
        if side not in lookup:
            raise QualityInputError(f"shown_first[{row}]: {side!r} is not 'A', 'B' or None")
        codes[row] = lookup[side]
    return codes


def _weights(weights: Sequence[float] | NDArray[Any] | None, n: int) -> NDArray[np.float64]:
    """Per-judgement weights, ones by default, checked to be finite and >= 0."""
    if weights is None:
        return np.ones(n, dtype=np.float64)
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise QualityInputError(f"weights: expected numbers ({exc})") from exc
    if array.shape != (n,):
        raise QualityInputError(f"weights: expected {n} entries, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise QualityInputError("weights: every weight must be finite and >= 0")
    return array


@dataclass(frozen=True, eq=False)
class Comparisons:
    """Pairwise judgements: worker ``workers[r]`` compared ``first[r]`` with ``second[r]``.

    Objects are whatever is being ranked (responses, or the models that wrote them);
    ``first`` is response A of the item and ``second`` response B, in payload order.

    Attributes:
        first: ``(n,)`` int64 object index of response A.
        second: ``(n,)`` int64 object index of response B.
        outcomes: ``(n,)`` int64: 0 when A won, 1 when B won, 2 for a tie.
        workers: ``(n,)`` int64 worker index.
        shown_first: ``(n,)`` int64: 0 when A was displayed first (left), 1 when B was,
            -1 when the display order is unknown.
        object_ids: ``(n_objects,)`` id of each object index (sorted).
        worker_ids: ``(n_workers,)`` id of each worker index (sorted).
        weights: ``(n,)`` float64 how much each judgement counts in the global scores
            (``BradleyTerry``, ``CrowdBT``): 1 by default; a pairwise label's strength
            sets it (see ``comparisons_from_values``).
    """

    first: NDArray[np.int64]
    second: NDArray[np.int64]
    outcomes: NDArray[np.int64]
    workers: NDArray[np.int64]
    shown_first: NDArray[np.int64]
    object_ids: NDArray[Any]
    worker_ids: NDArray[Any]
    weights: NDArray[np.float64]

    @property
    def n_comparisons(self) -> int:
        """Number of judgements."""
        return int(self.first.shape[0])

    @property
    def n_objects(self) -> int:
        """Number of distinct objects compared."""
        return int(self.object_ids.shape[0])

    @property
    def n_workers(self) -> int:
        """Number of distinct workers."""
        return int(self.worker_ids.shape[0])

    @classmethod
    def from_arrays(
        cls,
        first: Sequence[Hashable] | NDArray[Any],
        second: Sequence[Hashable] | NDArray[Any],
        outcomes: Sequence[Hashable] | NDArray[Any],
        *,
        workers: Sequence[Hashable] | NDArray[Any] | None = None,
        shown_first: Sequence[Hashable | None] | NDArray[Any] | None = None,
        weights: Sequence[float] | NDArray[Any] | None = None,
    ) -> Comparisons:
        """Build judgements from parallel sequences of ids.

        Args:
            first: id of response A of each judgement.
            second: id of response B.
            outcomes: ``"A"``, ``"B"`` or ``"tie"`` (or the codes 0, 1, 2).
            workers: who judged; by default one anonymous worker ``0``.
            shown_first: ``"A"`` or ``"B"`` (or 0 / 1), the response displayed first;
                None or -1 where unknown; by default unknown everywhere.
            weights: how much each judgement counts (finite, >= 0); ones by default.

        Returns:
            The judgements, ids sorted and integer-coded.

        Raises:
            QualityInputError: no judgements, lengths differ, an object compared with
                itself, an outcome or display order that is not one of the names, or a
                weight that is negative or not finite.
        """
        first_arr, second_arr = np.asarray(first), np.asarray(second)
        n = first_arr.shape[0] if first_arr.ndim == 1 else -1
        if n <= 0:
            raise QualityInputError("first: must be a non-empty one-dimensional sequence")
        if second_arr.shape != (n,):
            raise QualityInputError(f"second: expected {n} entries, got shape {second_arr.shape}")
        codes = _codes(outcomes, n, "outcomes")
        worker_arr = np.zeros(n, dtype=np.int64) if workers is None else np.asarray(workers)
        if worker_arr.shape != (n,):
            raise QualityInputError(f"workers: expected {n} entries, got shape {worker_arr.shape}")
        try:
            object_ids, inverse = np.unique(
                np.concatenate((first_arr, second_arr)), return_inverse=True
            )
            worker_ids, worker_codes = np.unique(worker_arr, return_inverse=True)
        except TypeError as exc:
            raise QualityInputError(
                f"first/second/workers: ids must be comparable ({exc})"
            ) from exc
        inverse = inverse.reshape(-1).astype(np.int64)
        a, b = inverse[:n], inverse[n:]
        same = np.flatnonzero(a == b)
        if same.size:
            culprit = object_ids[a[same[0]]].item()
            raise QualityInputError(
                f"second: judgement {int(same[0])} compares {culprit!r} with itself"
            )
        order = _display_codes(shown_first, n)
        return cls(
            first=a,
            second=b,
            outcomes=codes,
            workers=worker_codes.reshape(-1).astype(np.int64),
            shown_first=order,
            object_ids=object_ids,
            worker_ids=worker_ids,
            weights=_weights(weights, n),
        )

    def take(self, rows: NDArray[np.int64]) -> Comparisons:
        """The judgements at ``rows`` (with repeats), keeping every id map unchanged.

        Args:
            rows: ``(m,)`` row indices.

        Returns:
            A new ``Comparisons`` over the same objects and workers.
        """
        return Comparisons(
            first=self.first[rows],
            second=self.second[rows],
            outcomes=self.outcomes[rows],
            workers=self.workers[rows],
            shown_first=self.shown_first[rows],
            object_ids=self.object_ids,
            worker_ids=self.worker_ids,
            weights=self.weights[rows],
        )

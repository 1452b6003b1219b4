"""Plackett–Luce: full rankings modelled as successive choices, fitted by MM.

R. L. Plackett, "The Analysis of Permutations", JRSS C 24(2):193–202, 1975; R. D.
Luce, "Individual Choice Behavior", 1959. D. R. Hunter, "MM algorithms for generalized
Bradley–Terry models", Annals of Statistics 32(1):384–406, 2004, section 5 (the MM
update used here).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import check_nonnegative, check_positive_int
from labelshare.quality.exceptions import ConvergenceWarning, QualityInputError
from labelshare.quality.preference._base import PairwiseEstimator

__all__ = ["PlackettLuce"]


class PlackettLuce(PairwiseEstimator):
    """P(ranking o_1 > o_2 > ... > o_m) = prod_t gamma_{o_t} / sum_{s >= t} gamma_{o_s}.

    A ranking is read as a choice of the best of all, then the best of the rest, and
    so on; Bradley–Terry is the case m = 2. ``prior`` adds, as in ``BradleyTerry``,
    that many wins and losses of every object against a virtual object of strength 1,
    so that the estimate is finite and unique on any data. Each MM step raises the
    posterior (Hunter 2004); the fit stops when no log-strength moves by ``tol``.

    Args:
        prior: pseudo-wins and pseudo-losses per object (>= 0).
        n_iter: MM iteration cap.
        tol: largest change of a log-strength at which to stop.

    Attributes:
        scores_: ``(n_objects,)`` log-strengths log(gamma).
        object_ids_: ``(n_objects,)`` ids of the objects (sorted).
        n_iter_: MM iterations used.
    """

    def __init__(self, *, prior: float = 0.5, n_iter: int = 5000, tol: float = 1e-7) -> None:
        self.prior = prior
        self.n_iter = n_iter
        self.tol = tol

    def fit(
        self,
        rankings: Sequence[Sequence[Hashable]],
        *,
        sample_weight: NDArray[Any] | None = None,
    ) -> Self:
        """Fit one log-strength per object from full or partial-length rankings.

        Args:
            rankings: each a sequence of distinct object ids, best first (length >= 2);
                rankings may have different lengths.
            sample_weight: ``(n_rankings,)`` non-negative weight per ranking.

        Returns:
            self.

        Raises:
            QualityInputError: no rankings, a ranking shorter than 2 or with a repeated
                id, bad weights or hyperparameters.
        """
        self._forget()
        prior = check_nonnegative(self.prior, "prior")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        tol = check_nonnegative(self.tol, "tol", strict=True)
        if len(rankings) == 0:
            raise QualityInputError("rankings: no rankings given")
        lengths = np.fromiter((len(r) for r in rankings), dtype=np.int64, count=len(rankings))
        for index, ranking in enumerate(rankings):
            if len(ranking) < 2 or len(set(ranking)) != len(ranking):
                raise QualityInputError(
                    f"rankings[{index}]: must list at least two distinct objects, "
                    f"got {list(ranking)!r}"
                )
        weights = np.ones(len(rankings))
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.shape != (len(rankings),) or not np.all(np.isfinite(weights)):
                raise QualityInputError(
                    f"sample_weight: expected {len(rankings)} finite weights, "
                    f"got shape {weights.shape}"
                )
            if np.any(weights < 0):
                raise QualityInputError("sample_weight: weights must be >= 0")
        flat = [obj for ranking in rankings for obj in ranking]
        try:
            object_ids, objects = np.unique(np.asarray(flat), return_inverse=True)
        except TypeError as exc:
            raise QualityInputError(f"rankings: ids must be comparable ({exc})") from exc
        objects = objects.reshape(-1).astype(np.int64)
        segment = np.repeat(np.arange(len(rankings)), lengths)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        position = np.arange(objects.size) - starts[segment]
        chooses = position < lengths[segment] - 1
        row_weight = weights[segment]
        n_objects = int(object_ids.shape[0])
        wins = np.asarray(
            np.bincount(objects, weights=row_weight * chooses, minlength=n_objects) + prior,
            dtype=np.float64,
        )
        stages = _Stages(objects, segment, starts, lengths, chooses, row_weight)
        theta = np.zeros(n_objects)
        converged = False
        iterations = 0
        while iterations < n_iter:
            # SQUAREM (R. Varadhan and C. Roland, Scand. J. Statist. 35(2), 2008): two MM
            # steps, an extrapolation along them, one more MM step; fall back to the plain
            # steps when the extrapolation does not raise the posterior.
            first = stages.mm_step(theta, wins, prior)
            second = stages.mm_step(first, wins, prior)
            iterations += 2
            r, v = first - theta, second - 2.0 * first + theta
            v_norm = float(np.sqrt(np.sum(v * v)))
            alpha = min(-float(np.sqrt(np.sum(r * r))) / v_norm, -1.0) if v_norm > 0 else -1.0
            jumped = stages.mm_step(theta - 2.0 * alpha * r + alpha * alpha * v, wins, prior)
            iterations += 1
            if not np.all(np.isfinite(jumped)) or stages.log_posterior(
                jumped, prior
            ) < stages.log_posterior(second, prior):
                jumped = second
            step = float(np.max(np.abs(jumped - theta)))
            theta = jumped
            if step < tol:
                converged = True
                break
        if not converged:
            warnings.warn(
                f"PlackettLuce stopped at n_iter={n_iter} before the scores moved by less "
                f"than tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.scores_ = theta
        self.object_ids_ = object_ids
        self.n_iter_ = iterations
        return self


class _Stages:
    """The flattened rankings, with the two computations every MM step needs."""

    def __init__(
        self,
        objects: NDArray[np.int64],
        segment: NDArray[np.int64],
        starts: NDArray[np.int64],
        lengths: NDArray[np.int64],
        chooses: NDArray[np.bool_],
        row_weight: NDArray[np.float64],
    ) -> None:
        self.objects = objects
        self.segment = segment
        self.ends = starts + lengths - 1
        self.starts = starts
        self.chooses = chooses
        self.row_weight = row_weight

    def _remaining(self, gamma: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per position, the summed strength of the objects still in the race."""
        g = gamma[self.objects]
        running = np.cumsum(g)
        return np.asarray(running[self.ends][self.segment] - (running - g), dtype=np.float64)

    def mm_step(
        self, theta: NDArray[np.float64], wins: NDArray[np.float64], prior: float
    ) -> NDArray[np.float64]:
        """One MM update of the log-strengths (Hunter 2004, eq. 30, plus the prior)."""
        gamma = np.exp(theta)
        stage = np.where(self.chooses, self.row_weight / self._remaining(gamma), 0.0)
        running_stage = np.cumsum(stage)
        offset = (running_stage - stage)[self.starts][self.segment]
        exposure = np.asarray(
            np.bincount(self.objects, weights=running_stage - offset, minlength=theta.shape[0]),
            dtype=np.float64,
        )
        exposure += 2.0 * prior / (gamma + 1.0)
        return np.asarray(np.log(wins) - np.log(exposure), dtype=np.float64)

    def log_posterior(self, theta: NDArray[np.float64], prior: float) -> float:
        """Weighted log-likelihood of the rankings plus the virtual-opponent prior."""
        gamma = np.exp(theta)
        chosen = self.row_weight * (theta[self.objects] - np.log(self._remaining(gamma)))
        total = float(np.sum(np.where(self.chooses, chosen, 0.0)))
        return total + prior * float(np.sum(theta - 2.0 * np.logaddexp(0.0, theta)))

"""Quality-weighted rewards: base rate × multiplier(quality) × annotator factor.

A label earns ``reward_per_label × m(w) × f(annotator)`` where

* ``w`` is the label's quality weight, the probability that it is correct under the
  item's posterior computed without the annotator's own label;
* ``m(w) = clip((w - c) / (1 - c), 0, 1) ** exponent`` with ``c`` the chance level
  (``1/K`` for K classes): a label no better than a guess earns nothing and a label
  the others confirm with certainty earns the full rate;
* ``f = gold × peer`` is the annotator's factor for the epoch. ``gold`` maps the
  Beta posterior mean of their gold accuracy the same way as ``m`` (so guessing on
  gold gives 0); the prior counts as ``gold_prior_alpha`` right and
  ``gold_prior_beta`` wrong answers, so a newcomer without gold answers starts at
  the prior mean rather than at zero. ``peer`` is the Correlated Agreement score
  (:mod:`labelshare.incentives.peer_prediction`) shrunk towards
  ``peer_full_credit_score`` by ``peer_prior_tasks`` pseudo-tasks, divided by that
  score and clipped to [0, 1]; uninformed strategies score 0 in expectation, so
  over many tasks their factor goes to 0. Without a score the peer factor is 1.

Floats enter money in one place only: :func:`to_fixed_point` rounds each label's
multiplier and each annotator's factor to integer millionths (``QUALITY_SCALE``)
with round-half-to-even. From there on everything is integer arithmetic, which
is associative, so the amounts replay bit for bit whatever the summation order.
An annotator's demand is ``reward_per_label × Σ label_units × factor_units // SCALE²``,
and the demands are paid in full or, when the escrow is short, pro rata by the
largest-remainder method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.allocation import scale_to_budget

__all__ = [
    "QUALITY_SCALE",
    "RewardTerms",
    "annotator_factors",
    "earned_units",
    "gold_factor",
    "label_multiplier",
    "pay_rewards",
    "peer_factor",
    "reward_demands",
    "to_fixed_point",
]

QUALITY_SCALE = 1_000_000
"""Fixed-point units per 1.0 of multiplier or factor (six decimal places)."""


@dataclass(frozen=True)
class RewardTerms:
    """A project's reward parameters.

    Attributes:
        reward_per_label: base units paid for one label of full quality (>= 0).
        chance_level: quality weight that earns nothing, usually 1/K; in [0, 1).
        exponent: curvature of the multiplier (> 0); 1 is linear, 2 favours certainty.
        gold_prior_alpha: prior pseudo-count of correct gold answers (> 0).
        gold_prior_beta: prior pseudo-count of wrong gold answers (> 0).
        peer_full_credit_score: Correlated Agreement score that earns the full peer
            factor (> 0).
        peer_prior_tasks: pseudo-tasks at ``peer_full_credit_score`` mixed into every
            annotator's score, so a handful of unlucky tasks does not zero a newcomer
            (>= 0).
    """

    reward_per_label: int
    chance_level: float
    exponent: float = 1.0
    gold_prior_alpha: float = 4.0
    gold_prior_beta: float = 1.0
    peer_full_credit_score: float = 0.2
    peer_prior_tasks: float = 5.0

    def __post_init__(self) -> None:
        """Reject out-of-range terms, naming the field."""
        rate = self.reward_per_label
        if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
            raise InvalidSettlementInput(f"{rate!r} must be an int >= 0", field="reward_per_label")
        if not 0.0 <= self.chance_level < 1.0:
            raise InvalidSettlementInput(
                f"{self.chance_level} is outside [0, 1)", field="chance_level"
            )
        for name in ("exponent", "gold_prior_alpha", "gold_prior_beta", "peer_full_credit_score"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidSettlementInput(f"{value} must be a finite number > 0", field=name)
        if not (np.isfinite(self.peer_prior_tasks) and self.peer_prior_tasks >= 0):
            raise InvalidSettlementInput(
                f"{self.peer_prior_tasks} must be a finite number >= 0", field="peer_prior_tasks"
            )


def label_multiplier(
    quality_weight: NDArray[np.float64], *, chance_level: float, exponent: float = 1.0
) -> NDArray[np.float64]:
    """Multiplier of each label: 0 at or below chance, rising to 1 at certainty.

    Args:
        quality_weight: leave-one-out probability that each label is correct, shape (n,).
        chance_level: the quality weight that earns nothing, in [0, 1).
        exponent: curvature, > 0.

    Returns:
        ``clip((w - c) / (1 - c), 0, 1) ** exponent``, shape (n,).
    """
    above_chance = (np.asarray(quality_weight, dtype=np.float64) - chance_level) / (
        1.0 - chance_level
    )
    clipped: NDArray[np.float64] = np.clip(above_chance, 0.0, 1.0) ** exponent
    return clipped


def to_fixed_point(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Round values in [0, 1] to integer millionths, half to even.

    Args:
        values: floats in [0, 1], any shape.

    Returns:
        ``rint(values × QUALITY_SCALE)`` as int64, same shape.
    """
    return np.rint(np.asarray(values, dtype=np.float64) * QUALITY_SCALE).astype(np.int64)


def gold_factor(
    correct: NDArray[np.int64],
    total: NDArray[np.int64],
    *,
    chance_level: float,
    prior_alpha: float,
    prior_beta: float,
) -> NDArray[np.float64]:
    """Gold factor of each annotator from their Beta-smoothed gold accuracy.

    Args:
        correct: gold answers right, shape (n,).
        total: gold answers given, shape (n,).
        chance_level: accuracy that earns nothing, in [0, 1).
        prior_alpha: prior pseudo-count of right answers.
        prior_beta: prior pseudo-count of wrong answers.

    Returns:
        ``clip((mean - c) / (1 - c), 0, 1)`` with ``mean = (correct + α) / (total + α + β)``.
    """
    mean = (np.asarray(correct, dtype=np.float64) + prior_alpha) / (
        np.asarray(total, dtype=np.float64) + prior_alpha + prior_beta
    )
    factor: NDArray[np.float64] = np.clip((mean - chance_level) / (1.0 - chance_level), 0.0, 1.0)
    return factor


def peer_factor(
    score: NDArray[np.float64],
    n_tasks: NDArray[np.int64],
    *,
    full_credit_score: float,
    prior_tasks: float,
) -> NDArray[np.float64]:
    """Peer factor of each annotator from their mean Correlated Agreement score.

    Args:
        score: mean CA score per annotator, NaN where they had no scored task, shape (n,).
        n_tasks: number of scored tasks behind each score, shape (n,).
        full_credit_score: the score that earns factor 1.
        prior_tasks: pseudo-tasks at ``full_credit_score`` mixed into the mean.

    Returns:
        Factors in [0, 1], shape (n,); 1 where the score is NaN.
    """
    score = np.asarray(score, dtype=np.float64)
    tasks = np.asarray(n_tasks, dtype=np.float64)
    has_score = ~np.isnan(score) & (tasks > 0)
    observed = np.where(has_score, score, 0.0) * np.where(has_score, tasks, 0.0)
    weight = np.where(has_score, tasks, 0.0) + prior_tasks
    shrunk = np.divide(
        observed + prior_tasks * full_credit_score,
        weight,
        out=np.full_like(score, full_credit_score),
        where=weight > 0,
    )
    factor: NDArray[np.float64] = np.where(
        has_score, np.clip(shrunk / full_credit_score, 0.0, 1.0), 1.0
    )
    return factor


def annotator_factors(
    terms: RewardTerms,
    *,
    gold_correct: NDArray[np.int64],
    gold_total: NDArray[np.int64],
    peer_score: NDArray[np.float64],
    peer_tasks: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Each annotator's factor ``gold × peer`` in fixed-point units.

    Args:
        terms: the project's reward terms.
        gold_correct: gold answers right, shape (n,).
        gold_total: gold answers given, shape (n,).
        peer_score: mean CA score, NaN for none, shape (n,).
        peer_tasks: tasks behind each CA score, shape (n,).

    Returns:
        Factors in ``0..QUALITY_SCALE``, int64, shape (n,).
    """
    gold = gold_factor(
        gold_correct,
        gold_total,
        chance_level=terms.chance_level,
        prior_alpha=terms.gold_prior_alpha,
        prior_beta=terms.gold_prior_beta,
    )
    peer = peer_factor(
        peer_score,
        peer_tasks,
        full_credit_score=terms.peer_full_credit_score,
        prior_tasks=terms.peer_prior_tasks,
    )
    return to_fixed_point(gold * peer)


def earned_units(
    label_annotator: NDArray[np.int64],
    label_units: NDArray[np.int64],
    factor_units: NDArray[np.int64],
) -> list[int]:
    """Each annotator's quality-weighted units: ``Σ label_units × factor_units``.

    Args:
        label_annotator: annotator index of each label, shape (n_labels,).
        label_units: fixed-point multiplier of each label, shape (n_labels,).
        factor_units: fixed-point factor of each annotator, shape (n_annotators,).

    Returns:
        n_annotators Python ints in units of ``QUALITY_SCALE²`` per full-quality label.
    """
    units = np.zeros(len(factor_units), dtype=np.int64)
    # Summed in int64, which is exact: 10^12 labels of 10^6 units each stay below 2^63.
    np.add.at(units, label_annotator, label_units)
    return [int(u) * int(f) for u, f in zip(units.tolist(), factor_units.tolist(), strict=True)]


def reward_demands(earned: list[int], *, reward_per_label: int) -> list[int]:
    """What each annotator has earned before the escrow bound.

    Args:
        earned: quality-weighted units per annotator (:func:`earned_units`).
        reward_per_label: base units for one label of full quality.

    Returns:
        ``reward_per_label × earned // QUALITY_SCALE²`` per annotator, floored.
    """
    scale_squared = QUALITY_SCALE * QUALITY_SCALE
    return [reward_per_label * units // scale_squared for units in earned]


def pay_rewards(demands: list[int], escrow_available: int) -> list[int]:
    """Bound demands by the escrow: in full if it suffices, else pro rata.

    Args:
        demands: each annotator's demand in base units.
        escrow_available: base units the escrow can pay.

    Returns:
        The amounts paid, each at most its demand, summing to
        ``min(sum(demands), escrow_available)``.

    Raises:
        InvalidSettlementInput: if an amount is negative.
    """
    return scale_to_budget(demands, escrow_available, field="escrow_balance")

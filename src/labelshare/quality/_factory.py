"""``make_estimator``: estimators by short name, and the platform default."""

from __future__ import annotations

from typing import Any

from labelshare.quality._base import LabelEstimator
from labelshare.quality.bcc import BCC
from labelshare.quality.dawid_skene import DawidSkene, OneCoinDawidSkene
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.glad import GLAD
from labelshare.quality.mace import MACE
from labelshare.quality.majority_vote import MajorityVote, WeightedVote

__all__ = ["AUTO_METHOD", "METHODS", "make_estimator"]

METHODS: dict[str, type[LabelEstimator]] = {
    "mv": MajorityVote,
    "wv": WeightedVote,
    "ds": DawidSkene,
    "ods": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
    "bcc": BCC,
}
"""Short name -> estimator class."""

AUTO_METHOD = "bcc"
"""What ``auto`` means. BCC had the best mean accuracy of our methods over the seven
public benchmark sets (``benchmarks/aggregation.py``) and, unlike maximum-likelihood
Dawid–Skene, never estimates a zero probability from a worker's few labels."""


def make_estimator(method: str = "auto", **params: Any) -> LabelEstimator:
    """Create an estimator by short name.

    Args:
        method: ``auto`` (the recommended default, see :data:`AUTO_METHOD`) or one of
            :data:`METHODS`.
        **params: hyperparameters passed to the estimator's constructor.

    Returns:
        An unfitted estimator.

    Raises:
        QualityInputError: unknown method or hyperparameter.
    """
    name = AUTO_METHOD if method == "auto" else method
    try:
        cls = METHODS[name]
    except KeyError:
        known = ", ".join(["auto", *METHODS])
        raise QualityInputError(f"method: unknown {method!r}, expected one of {known}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise QualityInputError(f"params: {exc}") from exc

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

__all__ = ["AUTO_METHOD", "AUTO_PARAMS", "METHODS", "make_estimator"]

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
"""Estimator behind ``auto``: BCC with its confusion prior learned (:data:`AUTO_PARAMS`)."""

AUTO_PARAMS: dict[str, Any] = {"learn_prior": True}
"""Hyperparameters of ``auto`` (a caller's own keyword arguments override them).

One setting for every data set, chosen on the labels alone: over the seven public
benchmark sets, BCC with its confusion prior learned (empirical Bayes) predicted
held-out labels better in total than BCC with the hand-set prior (better on four sets,
within 0.002 nats per label on the other three), and better than Dawid–Skene and MACE
on every set (5-fold held-out label log-likelihood; no gold involved). Gold accuracy,
checked afterwards, is in ``benchmarks/README.md`` ("Truth inference")."""


def make_estimator(method: str = "auto", **params: Any) -> LabelEstimator:
    """Create an estimator by short name.

    Args:
        method: ``auto`` (the recommended default, see :data:`AUTO_METHOD` and
            :data:`AUTO_PARAMS`) or one of :data:`METHODS`.
        **params: hyperparameters passed to the estimator's constructor.

    Returns:
        An unfitted estimator.

    Raises:
        QualityInputError: unknown method or hyperparameter.
    """
    name = AUTO_METHOD if method == "auto" else method
    if method == "auto":
        params = {**AUTO_PARAMS, **params}
    try:
        cls = METHODS[name]
    except KeyError:
        known = ", ".join(["auto", *METHODS])
        raise QualityInputError(f"method: unknown {method!r}, expected one of {known}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise QualityInputError(f"params: {exc}") from exc

"""The canonical epoch report: its layout pieces, its bytes and its hash.

A report holds only dicts, lists, strings and ints (money as decimal strings, so
that no JSON reader rounds it; float terms as their Python ``repr``, which is the
shortest string that reads back to the same float). Its canonical bytes are JSON
with sorted keys, no spaces and ASCII only; its hash is their SHA-256, which is
what an epoch stores beside its Merkle root and what an audit recomputes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.incentives.epoch_inputs import LabelArrays, ProjectTerms
from labelshare.incentives.rewards import to_fixed_point

__all__ = [
    "REPORT_VERSION",
    "canonical_report_bytes",
    "labels_digest",
    "report_hash",
    "terms_report",
]

REPORT_VERSION = 1
"""Version of the report layout; part of the hashed report."""


def terms_report(terms: ProjectTerms) -> dict[str, Any]:
    """The project's terms as they enter the report.

    Args:
        terms: the project's settlement terms.

    Returns:
        A dict of strings and ints.
    """
    rewards, slashing = terms.rewards, terms.slashing
    return {
        "reward_per_label": str(rewards.reward_per_label),
        "chance_level": repr(rewards.chance_level),
        "exponent": repr(rewards.exponent),
        "gold_prior": [repr(rewards.gold_prior_alpha), repr(rewards.gold_prior_beta)],
        "peer_full_credit_score": repr(rewards.peer_full_credit_score),
        "peer_prior_tasks": repr(rewards.peer_prior_tasks),
        "slash_bar": repr(slashing.slash_bar),
        "slash_confidence": repr(slashing.confidence),
        "slash_bps": slashing.slash_bps,
        "slash_prior": [repr(slashing.prior_alpha), repr(slashing.prior_beta)],
        "royalty_share_bps": terms.royalty_share_bps,
        "shares_per_label": str(terms.shares_per_label),
        "platform_fee_bps": terms.platform_fee_bps,
    }


def labels_digest(labels: LabelArrays, annotator_rank: NDArray[np.int64]) -> str:
    """SHA-256 committing to the label rows, whatever order they were listed in.

    Rows are sorted by (item, annotator rank) and hashed as little-endian int64
    columns: item, annotator rank, quality weight in fixed point
    (:func:`labelshare.incentives.rewards.to_fixed_point`) and, when given, class.

    Args:
        labels: the epoch's labels in canonical form.
        annotator_rank: each annotator's position in address order, shape (n_annotators,).

    Returns:
        The hex digest.
    """
    ranked = annotator_rank[labels.annotator]
    order = np.lexsort((ranked, labels.item))
    columns = [labels.item[order], ranked[order], to_fixed_point(labels.quality_weight)[order]]
    if labels.value is not None:
        columns.append(labels.value[order])
    digest = hashlib.sha256()
    for column in columns:
        digest.update(np.ascontiguousarray(column, dtype="<i8").tobytes())
    return digest.hexdigest()


def canonical_report_bytes(report: Mapping[str, Any]) -> bytes:
    """The report as canonical JSON bytes (sorted keys, no spaces, ASCII).

    Args:
        report: a report of dicts, lists, strings and ints.

    Returns:
        The bytes that are hashed.
    """
    return json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def report_hash(report: Mapping[str, Any]) -> str:
    """Hex SHA-256 of :func:`canonical_report_bytes`, e.g. to check a stored report.

    Args:
        report: a report as built by :func:`labelshare.incentives.settle_epoch`.

    Returns:
        64 hex digits.
    """
    return hashlib.sha256(canonical_report_bytes(report)).hexdigest()

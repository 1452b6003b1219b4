"""What one epoch's settlement is computed from: frozen records of arrays and ints.

:func:`validate_epoch_inputs` checks everything before any amount is computed and
names the offending field, so a settlement either runs on sound data or does not
start. Addresses are brought to their EIP-55 checksum form, which is the form
journal accounts and reports use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.rewards import RewardTerms
from labelshare.incentives.slashing import BPS, SlashTerms

__all__ = [
    "AnnotatorArrays",
    "EpochInputs",
    "LabelArrays",
    "ProjectTerms",
    "address_order",
    "address_rank",
    "validate_epoch_inputs",
]


@dataclass(frozen=True)
class LabelArrays:
    """The epoch's labels, one row each; all arrays have shape (n_labels,).

    Attributes:
        annotator: index of the label's annotator into :class:`AnnotatorArrays`.
        item: index of the labelled item (any non-negative ids, stable across runs).
        quality_weight: probability that the label is correct under the item's
            posterior computed without the annotator's own label, in [0, 1].
        value: class index of each label in ``0..n_classes-1`` for categorical
            schemas, used for Correlated Agreement; None when labels have no classes.
        n_classes: number of classes K when ``value`` is given, else 0.
    """

    annotator: NDArray[np.int64]
    item: NDArray[np.int64]
    quality_weight: NDArray[np.float64]
    value: NDArray[np.int64] | None = None
    n_classes: int = 0


@dataclass(frozen=True)
class AnnotatorArrays:
    """The epoch's annotators, one row each; arrays have shape (n_annotators,).

    Attributes:
        address: each annotator's Ethereum address (any case; unique).
        gold_correct: gold answers right (whatever window the project counts).
        gold_total: gold answers given, each >= ``gold_correct``.
        stake: each annotator's stake balance in base units.
        peer_score: mean Correlated Agreement score (NaN for none); None to have the
            settlement compute it from ``LabelArrays.value``.
        peer_tasks: scored tasks behind each ``peer_score``; required with it.
    """

    address: tuple[str, ...]
    gold_correct: NDArray[np.int64]
    gold_total: NDArray[np.int64]
    stake: tuple[int, ...]
    peer_score: NDArray[np.float64] | None = None
    peer_tasks: NDArray[np.int64] | None = None


@dataclass(frozen=True)
class ProjectTerms:
    """A project's settlement terms.

    Attributes:
        project_id: stable identifier used in account names and the CA seed.
        requester: the requester's address; keeps the requester part of shares.
        rewards: reward rate and multiplier parameters.
        slashing: slashing bar and amount.
        royalty_share_bps: annotators' part of minted shares, basis points.
        shares_per_label: share units minted per settled label.
        platform_fee_bps: platform's part of licence revenue, basis points.
    """

    project_id: str
    requester: str
    rewards: RewardTerms
    slashing: SlashTerms
    royalty_share_bps: int = 7_000
    shares_per_label: int = 10**18
    platform_fee_bps: int = 0


@dataclass(frozen=True)
class EpochInputs:
    """Everything one epoch's settlement depends on.

    Attributes:
        terms: the project's terms.
        epoch_number: the epoch's number within the project (>= 0).
        labels: the epoch's labels.
        annotators: the annotators the labels refer to.
        escrow_balance: base units in the project's escrow before settlement.
        licence_revenue: base units in the project's revenue account to distribute.
        share_balances: shares held per address before this epoch's mint.
        previous_claimable: cumulative claimable base units per address so far.
    """

    terms: ProjectTerms
    epoch_number: int
    labels: LabelArrays
    annotators: AnnotatorArrays
    escrow_balance: int
    licence_revenue: int = 0
    share_balances: Mapping[str, int] = field(default_factory=dict)
    previous_claimable: Mapping[str, int] = field(default_factory=dict)


def address_order(addresses: tuple[str, ...]) -> list[int]:
    """Annotator indices sorted by lowercase address: the order every tie breaks in.

    Args:
        addresses: the annotators' addresses.

    Returns:
        A permutation of ``range(len(addresses))``.
    """
    return sorted(range(len(addresses)), key=lambda index: addresses[index].lower())


def address_rank(addresses: tuple[str, ...]) -> NDArray[np.int64]:
    """Each annotator's position in :func:`address_order`.

    Args:
        addresses: the annotators' addresses.

    Returns:
        int64 ranks, shape (n_annotators,).
    """
    rank = np.empty(len(addresses), dtype=np.int64)
    rank[address_order(addresses)] = np.arange(len(addresses), dtype=np.int64)
    return rank


def _require_amount(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidSettlementInput(f"{value!r} must be an int >= 0", field=name)
    return value


def _require_bps(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BPS:
        raise InvalidSettlementInput(f"{value!r} must be an int in 0..{BPS}", field=name)


def _int_array(values: object, name: str, length: int) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != length:
        raise InvalidSettlementInput(f"shape {array.shape} is not ({length},)", field=name)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise InvalidSettlementInput(f"dtype {array.dtype} is not an integer type", field=name)
    return array.astype(np.int64)


class _Checksums:
    """EIP-55 forms computed once per validation: each costs a keccak, and the same
    addresses recur as annotators, shareholders and claimants."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def __call__(self, address: str, *, field: str) -> str:
        if not isinstance(address, str) or address not in self._known:
            self._known[address] = checksum_address(address, field=field)
        return self._known[address]


def _address_map(amounts: Mapping[str, int], name: str, checksum: _Checksums) -> dict[str, int]:
    normalised: dict[str, int] = {}
    for address, amount in amounts.items():
        key = checksum(address, field=name)
        if key in normalised:
            raise InvalidSettlementInput(f"{address} appears more than once", field=name)
        normalised[key] = _require_amount(amount, f"{name}[{address}]")
    return normalised


def validate_epoch_inputs(inputs: EpochInputs) -> EpochInputs:
    """Check every field and return the inputs in canonical form.

    Canonical form: int64/float64 arrays, checksum addresses, mappings keyed by
    checksum address.

    Args:
        inputs: the raw inputs.

    Returns:
        Equivalent inputs in canonical form.

    Raises:
        InvalidSettlementInput: naming the first field that is malformed.
        InvalidAddress: for a malformed address.
    """
    terms = inputs.terms
    if not isinstance(terms.project_id, str) or not terms.project_id:
        raise InvalidSettlementInput(f"{terms.project_id!r} is empty", field="project_id")
    checksum = _Checksums()
    requester = checksum(terms.requester, field="requester")
    _require_bps(terms.royalty_share_bps, "royalty_share_bps")
    _require_bps(terms.platform_fee_bps, "platform_fee_bps")
    _require_amount(terms.shares_per_label, "shares_per_label")
    _require_amount(inputs.epoch_number, "epoch_number")
    _require_amount(inputs.escrow_balance, "escrow_balance")
    _require_amount(inputs.licence_revenue, "licence_revenue")

    people = inputs.annotators
    n_annotators = len(people.address)
    addresses = tuple(
        checksum(address, field=f"annotators.address[{index}]")
        for index, address in enumerate(people.address)
    )
    if len(set(addresses)) != n_annotators:
        raise InvalidSettlementInput(
            "an address appears more than once", field="annotators.address"
        )
    if len(people.stake) != n_annotators:
        raise InvalidSettlementInput(
            f"{len(people.stake)} stakes for {n_annotators} annotators", field="annotators.stake"
        )
    stakes = tuple(
        _require_amount(stake, f"annotators.stake[{index}]")
        for index, stake in enumerate(people.stake)
    )
    correct = _int_array(people.gold_correct, "annotators.gold_correct", n_annotators)
    total = _int_array(people.gold_total, "annotators.gold_total", n_annotators)
    if n_annotators and (correct.min() < 0 or (correct > total).any()):
        raise InvalidSettlementInput(
            "each annotator needs 0 <= gold_correct <= gold_total", field="annotators.gold_correct"
        )
    peer_score = peer_tasks = None
    if (people.peer_score is None) != (people.peer_tasks is None):
        raise InvalidSettlementInput(
            "give peer_score and peer_tasks together or neither", field="annotators.peer_tasks"
        )
    if people.peer_score is not None and people.peer_tasks is not None:
        peer_score = np.asarray(people.peer_score, dtype=np.float64)
        if peer_score.shape != (n_annotators,):
            raise InvalidSettlementInput(
                f"shape {peer_score.shape} is not ({n_annotators},)", field="annotators.peer_score"
            )
        if np.isinf(peer_score).any():
            raise InvalidSettlementInput(
                "scores must be finite or NaN", field="annotators.peer_score"
            )
        peer_tasks = _int_array(people.peer_tasks, "annotators.peer_tasks", n_annotators)
        if n_annotators and peer_tasks.min() < 0:
            raise InvalidSettlementInput("task counts must be >= 0", field="annotators.peer_tasks")

    labels = inputs.labels
    annotator = np.asarray(labels.annotator)
    n_labels = annotator.shape[0] if annotator.ndim == 1 else -1
    annotator = _int_array(annotator, "labels.annotator", max(n_labels, 0))
    item = _int_array(labels.item, "labels.item", n_labels)
    weight = np.asarray(labels.quality_weight, dtype=np.float64)
    if weight.shape != (n_labels,):
        raise InvalidSettlementInput(
            f"shape {weight.shape} is not ({n_labels},)", field="labels.quality_weight"
        )
    if n_labels:
        if not 0 <= annotator.min() <= annotator.max() < n_annotators:
            raise InvalidSettlementInput(
                f"indices must lie in 0..{n_annotators - 1}", field="labels.annotator"
            )
        if item.min() < 0:
            raise InvalidSettlementInput("indices must be >= 0", field="labels.item")
        if not (np.isfinite(weight).all() and weight.min() >= 0.0 and weight.max() <= 1.0):
            raise InvalidSettlementInput(
                "weights must be finite and in [0, 1]", field="labels.quality_weight"
            )
    value = None
    if labels.value is not None:
        if (
            isinstance(labels.n_classes, bool)
            or not isinstance(labels.n_classes, int)
            or labels.n_classes < 1
        ):
            raise InvalidSettlementInput(
                f"{labels.n_classes!r} must be an int >= 1", field="labels.n_classes"
            )
        value = _int_array(labels.value, "labels.value", n_labels)
        if n_labels and not 0 <= value.min() <= value.max() < labels.n_classes:
            raise InvalidSettlementInput(
                f"classes must lie in 0..{labels.n_classes - 1}", field="labels.value"
            )

    return EpochInputs(
        terms=ProjectTerms(
            project_id=terms.project_id,
            requester=requester,
            rewards=terms.rewards,
            slashing=terms.slashing,
            royalty_share_bps=terms.royalty_share_bps,
            shares_per_label=terms.shares_per_label,
            platform_fee_bps=terms.platform_fee_bps,
        ),
        epoch_number=inputs.epoch_number,
        labels=LabelArrays(
            annotator=annotator,
            item=item,
            quality_weight=weight,
            value=value,
            n_classes=labels.n_classes if value is not None else 0,
        ),
        annotators=AnnotatorArrays(
            address=addresses,
            gold_correct=correct,
            gold_total=total,
            stake=stakes,
            peer_score=peer_score,
            peer_tasks=peer_tasks,
        ),
        escrow_balance=inputs.escrow_balance,
        licence_revenue=inputs.licence_revenue,
        share_balances=_address_map(inputs.share_balances, "share_balances", checksum),
        previous_claimable=_address_map(inputs.previous_claimable, "previous_claimable", checksum),
    )

"""One epoch's settlement as a pure function: :func:`settle_epoch`.

The steps, in order (DESIGN.md, "Incentive mechanism"):

1. **Slash** (:mod:`.slashing`): annotators whose gold accuracy is confidently below
   the bar lose ``slash_bps`` of their stake to the project's escrow, and earn no
   reward this epoch.
2. **Reward** (:mod:`.rewards`): each label's multiplier and each annotator's
   gold × Correlated Agreement factor (:mod:`.peer_prediction`, computed here from
   the label classes unless scores are given) give each annotator's demand; the
   escrow (including what was just slashed) pays it in full or pro rata.
3. **Mint shares** (:mod:`.shares`) in proportion to each annotator's
   quality-weighted units, the same units rewards are computed from before the
   escrow bound, so shares do not depend on how well the escrow was funded.
4. **Royalties** (:mod:`.royalties`): the licence revenue is split over the share
   balances after the mint.
5. **Claims**: rewards and royalties are added to each address's cumulative
   claimable amount, and a Merkle tree (:mod:`labelshare.ledger.merkle`) is built
   over the addresses with a non-zero amount.

Every split with a tie is made with annotators ordered by lowercase address, so
the result does not depend on the order the annotators were listed in, nor the
labels. The report is canonical JSON of integers and strings; its SHA-256 is the
epoch's fingerprint, and it commits to the inputs through a digest of the label
rows sorted by (item, annotator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.incentives.epoch_inputs import (
    EpochInputs,
    address_order,
    address_rank,
    validate_epoch_inputs,
)
from labelshare.incentives.epoch_report import (
    REPORT_VERSION,
    labels_digest,
    report_hash,
    terms_report,
)
from labelshare.incentives.peer_prediction import correlated_agreement, epoch_seed
from labelshare.incentives.rewards import (
    annotator_factors,
    earned_units,
    label_multiplier,
    pay_rewards,
    reward_demands,
    to_fixed_point,
)
from labelshare.incentives.royalties import distribute_revenue
from labelshare.incentives.shares import mint_shares
from labelshare.incentives.slashing import is_slashed, slash_amounts
from labelshare.ledger.journal import (
    PLATFORM_ACCOUNT,
    EntryDraft,
    Posting,
    annotator_account,
    escrow_account,
    issuance_account,
    revenue_account,
    share_asset,
    shareholder_account,
    stake_account,
)
from labelshare.ledger.merkle import MerkleTree

__all__ = ["EpochSettlement", "settle_epoch"]


@dataclass(frozen=True)
class EpochSettlement:
    """The outcome of one epoch. Per-annotator tuples follow ``addresses``.

    Attributes:
        project_id: the project settled.
        epoch_number: the epoch settled.
        addresses: annotators' checksum addresses, in the order of the inputs.
        label_counts: labels per annotator in the epoch.
        label_units: summed fixed-point label multipliers per annotator.
        factor_units: fixed-point gold × peer factor per annotator (0 if slashed).
        peer_scores: mean Correlated Agreement score per annotator, NaN for none.
        peer_tasks: scored CA tasks per annotator.
        reward_demands: base units earned before the escrow bound.
        rewards: base units paid, at most the demand.
        slashes: base units taken from each stake.
        shares_minted: shares minted to each annotator.
        requester_shares: shares minted to the requester.
        royalties: licence revenue paid per address (annotators and requester alike).
        platform_fee: licence revenue kept by the platform.
        undistributed_revenue: revenue left in the revenue account (no shares exist).
        escrow_balance: escrow after the epoch.
        share_balances: shares per address after the mint.
        claimable: cumulative claimable base units per address after the epoch.
        journal: balanced entries to append, in order (slash, reward, mint, royalty;
            entries with nothing to post are left out).
        merkle_tree: tree over ``claimable`` (non-zero amounts), None if all are zero.
        report: canonical report (ints, strings, lists and dicts only).
        report_hash: hex SHA-256 of the report's canonical JSON.
    """

    project_id: str
    epoch_number: int
    addresses: tuple[str, ...]
    label_counts: tuple[int, ...]
    label_units: tuple[int, ...]
    factor_units: tuple[int, ...]
    peer_scores: tuple[float, ...]
    peer_tasks: tuple[int, ...]
    reward_demands: tuple[int, ...]
    rewards: tuple[int, ...]
    slashes: tuple[int, ...]
    shares_minted: tuple[int, ...]
    requester_shares: int
    royalties: Mapping[str, int]
    platform_fee: int
    undistributed_revenue: int
    escrow_balance: int
    share_balances: Mapping[str, int]
    claimable: Mapping[str, int]
    journal: tuple[EntryDraft, ...]
    merkle_tree: MerkleTree | None
    report: Mapping[str, Any]
    report_hash: str

    @property
    def merkle_root(self) -> bytes | None:
        """The 32-byte Merkle root of ``claimable``, or None when nothing is claimable."""
        return None if self.merkle_tree is None else self.merkle_tree.root


def _reorder_back(values: list[int], order: list[int]) -> list[int]:
    """Undo ``order``: ``values[k]`` belongs to annotator ``order[k]``."""
    restored = [0] * len(values)
    for position, index in enumerate(order):
        restored[index] = values[position]
    return restored


def _peer_scores(inputs: EpochInputs) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    people, labels = inputs.annotators, inputs.labels
    n_annotators = len(people.address)
    if people.peer_score is not None and people.peer_tasks is not None:
        return people.peer_score, people.peer_tasks
    if labels.value is None:
        return np.full(n_annotators, np.nan), np.zeros(n_annotators, dtype=np.int64)
    # Peers and penalty tasks are drawn by annotator rank in address order, so the
    # same people and labels give the same scores however the service lists them.
    rank = address_rank(people.address)
    scores = correlated_agreement(
        labels.item,
        rank[labels.annotator],
        labels.value,
        n_annotators=n_annotators,
        n_classes=labels.n_classes,
        seed=epoch_seed(inputs.terms.project_id, inputs.epoch_number),
    )
    return scores.score[rank], scores.n_tasks[rank]


def _journal(
    inputs: EpochInputs,
    *,
    slashes: list[int],
    rewards: list[int],
    shares: list[int],
    requester_shares: int,
    royalties: Mapping[str, int],
    platform_fee: int,
) -> tuple[EntryDraft, ...]:
    project = inputs.terms.project_id
    memo = f"{project} epoch {inputs.epoch_number}"
    addresses = inputs.annotators.address
    order = address_order(addresses)
    drafts: list[EntryDraft] = []
    if sum(slashes):
        postings = [Posting(stake_account(addresses[i]), -slashes[i]) for i in order if slashes[i]]
        postings.append(Posting(escrow_account(project), sum(slashes)))
        drafts.append(EntryDraft("slash", memo, tuple(postings)))
    if sum(rewards):
        postings = [Posting(escrow_account(project), -sum(rewards))]
        postings += [
            Posting(annotator_account(addresses[i]), rewards[i]) for i in order if rewards[i]
        ]
        drafts.append(EntryDraft("reward", memo, tuple(postings)))
    minted = sum(shares) + requester_shares
    if minted:
        asset = share_asset(project)
        holdings: dict[str, int] = {}
        for index in order:
            if shares[index]:
                holdings[addresses[index]] = shares[index]
        requester = inputs.terms.requester
        holdings[requester] = holdings.get(requester, 0) + requester_shares
        postings = [Posting(issuance_account(project), -minted, asset)]
        postings += [
            Posting(shareholder_account(holder), amount, asset)
            for holder, amount in sorted(holdings.items(), key=lambda pair: pair[0].lower())
            if amount
        ]
        drafts.append(EntryDraft("mint", memo, tuple(postings)))
    distributed = sum(royalties.values()) + platform_fee
    if distributed:
        postings = [Posting(revenue_account(project), -distributed)]
        postings += [
            Posting(annotator_account(holder), amount)
            for holder, amount in sorted(royalties.items(), key=lambda pair: pair[0].lower())
        ]
        if platform_fee:
            postings.append(Posting(PLATFORM_ACCOUNT, platform_fee))
        drafts.append(EntryDraft("royalty", memo, tuple(postings)))
    return tuple(drafts)


def settle_epoch(inputs: EpochInputs) -> EpochSettlement:
    """Settle one epoch: slash, reward, mint shares, pay royalties, update claims.

    Args:
        inputs: the epoch's labels, annotators, balances and the project's terms.

    Returns:
        Every amount, the journal entries to append, the new cumulative claimable
        amounts with their Merkle tree, and the canonical report with its hash.

    Raises:
        InvalidSettlementInput: naming the first malformed field.
        InvalidAddress: for a malformed address.
    """
    inputs = validate_epoch_inputs(inputs)
    terms, labels, people = inputs.terms, inputs.labels, inputs.annotators
    addresses = people.address
    n_annotators = len(addresses)
    order = address_order(addresses)

    slashed = is_slashed(people.gold_correct, people.gold_total, terms.slashing)
    slashes = slash_amounts(people.stake, slashed, slash_bps=terms.slashing.slash_bps)

    peer_score, peer_tasks = _peer_scores(inputs)
    factors = annotator_factors(
        terms.rewards,
        gold_correct=people.gold_correct,
        gold_total=people.gold_total,
        peer_score=peer_score,
        peer_tasks=peer_tasks,
    )
    factors = np.where(slashed, 0, factors).astype(np.int64)
    multiplier = label_multiplier(
        labels.quality_weight,
        chance_level=terms.rewards.chance_level,
        exponent=terms.rewards.exponent,
    )
    label_units = to_fixed_point(multiplier)
    label_counts = np.bincount(labels.annotator, minlength=n_annotators).astype(np.int64)
    summed_units = np.zeros(n_annotators, dtype=np.int64)
    np.add.at(summed_units, labels.annotator, label_units)
    earned = earned_units(labels.annotator, label_units, factors)
    rate = terms.rewards.reward_per_label
    demands = reward_demands(earned, reward_per_label=rate)

    available = inputs.escrow_balance + sum(slashes)
    paid = _reorder_back(pay_rewards([demands[i] for i in order], available), order)

    mint = mint_shares(
        [earned[i] for i in order],
        n_labels=int(labels.annotator.size),
        shares_per_label=terms.shares_per_label,
        royalty_share_bps=terms.royalty_share_bps,
    )
    shares = _reorder_back(list(mint.annotator_shares), order)
    share_balances = dict(inputs.share_balances)
    for index, amount in enumerate(shares):
        if amount:
            share_balances[addresses[index]] = share_balances.get(addresses[index], 0) + amount
    if mint.requester_shares:
        share_balances[terms.requester] = (
            share_balances.get(terms.requester, 0) + mint.requester_shares
        )

    royalty = distribute_revenue(
        inputs.licence_revenue, share_balances, platform_fee_bps=terms.platform_fee_bps
    )

    claimable = dict(inputs.previous_claimable)
    for index, amount in enumerate(paid):
        if amount:
            claimable[addresses[index]] = claimable.get(addresses[index], 0) + amount
    for holder, amount in royalty.payouts.items():
        claimable[holder] = claimable.get(holder, 0) + amount
    claims = sorted(
        ((address, amount) for address, amount in claimable.items() if amount),
        key=lambda pair: pair[0].lower(),
    )
    tree = MerkleTree.from_claims(claims) if claims else None

    journal = _journal(
        inputs,
        slashes=slashes,
        rewards=paid,
        shares=shares,
        requester_shares=mint.requester_shares,
        royalties=royalty.payouts,
        platform_fee=royalty.platform_fee,
    )
    escrow_after = available - sum(paid)
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "project": terms.project_id,
        "epoch": inputs.epoch_number,
        "requester": terms.requester,
        "terms": terms_report(terms),
        "inputs": {
            "labels": int(labels.annotator.size),
            "labels_sha256": labels_digest(labels, address_rank(addresses)),
            "escrow_balance": str(inputs.escrow_balance),
            "licence_revenue": str(inputs.licence_revenue),
        },
        "annotators": [
            {
                "address": addresses[i],
                "labels": int(label_counts[i]),
                "label_units": int(summed_units[i]),
                "factor_units": int(factors[i]),
                "demand": str(demands[i]),
                "reward": str(paid[i]),
                "slash": str(slashes[i]),
                "shares": str(shares[i]),
            }
            for i in order
        ],
        "totals": {
            "slashed": str(sum(slashes)),
            "demanded": str(sum(demands)),
            "paid": str(sum(paid)),
            "escrow_after": str(escrow_after),
            "shares_minted": str(mint.total),
            "requester_shares": str(mint.requester_shares),
            "royalties": str(sum(royalty.payouts.values())),
            "platform_fee": str(royalty.platform_fee),
            "undistributed_revenue": str(royalty.undistributed),
        },
        "royalties": [
            [holder, str(amount)]
            for holder, amount in sorted(royalty.payouts.items(), key=lambda pair: pair[0].lower())
        ],
        "claimable": [[address, str(amount)] for address, amount in claims],
        "merkle_root": None if tree is None else "0x" + tree.root.hex(),
    }
    return EpochSettlement(
        project_id=terms.project_id,
        epoch_number=inputs.epoch_number,
        addresses=addresses,
        label_counts=tuple(int(count) for count in label_counts),
        label_units=tuple(int(u) for u in summed_units),
        factor_units=tuple(int(f) for f in factors),
        peer_scores=tuple(float(score) for score in peer_score),
        peer_tasks=tuple(int(tasks) for tasks in peer_tasks),
        reward_demands=tuple(demands),
        rewards=tuple(paid),
        slashes=tuple(slashes),
        shares_minted=tuple(shares),
        requester_shares=mint.requester_shares,
        royalties=dict(royalty.payouts),
        platform_fee=royalty.platform_fee,
        undistributed_revenue=royalty.undistributed,
        escrow_balance=escrow_after,
        share_balances=share_balances,
        claimable=dict(claims),
        journal=journal,
        merkle_tree=tree,
        report=report,
        report_hash=report_hash(report),
    )

"""Closing a project's epoch: settlement as one unit of work.

:func:`close_epoch` takes the annotations since the previous epoch, judges them
(:mod:`labelshare.services.epoch_labels`), settles them with the pure
:func:`labelshare.incentives.settle_epoch` (rewards bounded by the escrow, slashing,
shares, royalties, cumulative claims and their Merkle root) and stores the epoch, its
journal entries, its report and its Merkle leaves in the caller's transaction. Closing
again with nothing new returns the closed epoch and changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from labelshare.core.statuses import EpochStatus
from labelshare.errors import InvalidInput, InvalidTransition
from labelshare.incentives import (
    AnnotatorArrays,
    EpochInputs,
    EpochSettlement,
    LabelArrays,
    ProjectTerms,
    RewardTerms,
    SlashTerms,
    settle_epoch,
)
from labelshare.ledger import (
    escrow_account,
    revenue_account,
    share_asset,
    stake_account,
)
from labelshare.quality import METHODS
from labelshare.services.epoch_labels import DEFAULT_ESTIMATOR, EpochLabels, load_epoch_labels
from labelshare.services.epoch_weights import PREFERENCE_METHOD, STRUCTURED_METHOD
from labelshare.services.inference import store_epoch_inference
from labelshare.services.journal import (
    append_entries,
    balance_of,
    balances_with_prefix,
    journal_length,
)
from labelshare.store.models import (
    Account,
    Annotation,
    Epoch,
    EpochClaimable,
    EpochReport,
    LicencePayment,
    Project,
)
from labelshare.store.types import utcnow

__all__ = [
    "FIRST_EPOCH",
    "EpochBalances",
    "EpochOutcome",
    "close_epoch",
    "epoch_inputs",
    "get_epoch",
    "latest_epoch",
    "list_epochs",
]

FIRST_EPOCH = 1
"""Number of a project's first epoch (the distributor contract expects epochs from 1)."""


@dataclass(frozen=True)
class EpochBalances:
    """The ledger as an epoch starts: what settlement may spend and who holds what.

    Attributes:
        escrow: base units in the project's escrow.
        revenue: licence revenue waiting in the project's revenue account.
        shares: shares of the project per address.
        stakes: stake per address (all addresses with a stake).
        claimable: cumulative claimable base units per address after the previous epoch.
    """

    escrow: int
    revenue: int
    shares: Mapping[str, int]
    stakes: Mapping[str, int]
    claimable: Mapping[str, int]


@dataclass(frozen=True)
class EpochOutcome:
    """The result of :func:`close_epoch`.

    Attributes:
        epoch: the closed epoch (the earlier one when nothing new was settled).
        is_new: whether this call closed it.
        settlement: the settlement computed, None when nothing new was settled.
        labels: the judged labels, None when nothing new was settled.
        timings_s: seconds spent per step: ``lock`` (and find the range), ``read``
            (annotations), ``infer`` (truth inference and quality weights), ``settle``
            (the pure settlement), ``write`` (epoch, journal, report, leaves).
    """

    epoch: Epoch
    is_new: bool
    settlement: EpochSettlement | None = None
    labels: EpochLabels | None = None
    timings_s: Mapping[str, float] = field(default_factory=dict)


def latest_epoch(session: Session, project: Project) -> Epoch | None:
    """The project's last closed epoch, or None before the first."""
    return session.scalars(
        select(Epoch)
        .where(Epoch.project_id == project.id, Epoch.status == EpochStatus.CLOSED.value)
        .order_by(Epoch.number.desc())
        .limit(1)
    ).first()


def list_epochs(session: Session, project: Project) -> list[Epoch]:
    """The project's closed epochs, oldest first."""
    return list(
        session.scalars(
            select(Epoch)
            .where(Epoch.project_id == project.id, Epoch.status == EpochStatus.CLOSED.value)
            .order_by(Epoch.number)
        )
    )


def get_epoch(session: Session, project: Project, number: int) -> Epoch:
    """The project's closed epoch ``number``.

    Raises:
        InvalidTransition: if no such epoch was closed.
    """
    epoch = session.scalars(
        select(Epoch).where(
            Epoch.project_id == project.id,
            Epoch.number == number,
            Epoch.status == EpochStatus.CLOSED.value,
        )
    ).first()
    if epoch is None:
        raise InvalidTransition(f"epoch: project {project.name!r} has no closed epoch {number}")
    return epoch


def project_terms(session: Session, project: Project, chance_level: float) -> ProjectTerms:
    """The settlement terms a project's stored settings give.

    Args:
        session: an open session.
        project: the project.
        chance_level: the quality weight at or below which a label earns nothing
            (1/K for a categorical schema, see ``EpochLabels.chance_level``).

    Returns:
        The terms, with the requester's address.
    """
    requester = session.scalar(select(Account.address).where(Account.id == project.owner_id))
    return ProjectTerms(
        project_id=project.name,
        requester=str(requester),
        rewards=RewardTerms(reward_per_label=project.reward_per_label, chance_level=chance_level),
        slashing=SlashTerms(slash_bar=project.slash_bar),
        royalty_share_bps=project.royalty_share_bps,
    )


def epoch_inputs(
    session: Session,
    project: Project,
    *,
    number: int,
    labels: EpochLabels,
    balances: EpochBalances,
) -> EpochInputs:
    """Assemble the pure settlement's inputs from judged labels and starting balances."""
    return EpochInputs(
        terms=project_terms(session, project, labels.chance_level),
        epoch_number=number,
        labels=LabelArrays(
            annotator=labels.label_annotator,
            item=labels.label_item,
            quality_weight=labels.quality_weight,
            value=labels.label_value,
            n_classes=labels.n_classes,
        ),
        annotators=AnnotatorArrays(
            address=labels.addresses,
            gold_correct=labels.gold_correct,
            gold_total=labels.gold_total,
            stake=tuple(balances.stakes.get(address, 0) for address in labels.addresses),
        ),
        escrow_balance=balances.escrow,
        licence_revenue=balances.revenue,
        share_balances=dict(balances.shares),
        previous_claimable=dict(balances.claimable),
    )


def _current_balances(session: Session, project: Project, previous: Epoch | None) -> EpochBalances:
    claimable: dict[str, int] = {}
    if previous is not None:
        claimable = {
            row.address: row.cumulative_amount
            for row in session.scalars(
                select(EpochClaimable).where(EpochClaimable.epoch_id == previous.id)
            )
        }
    return EpochBalances(
        escrow=balance_of(session, escrow_account(project.name)),
        revenue=balance_of(session, revenue_account(project.name)),
        shares=balances_with_prefix(session, "shareholder:", asset=share_asset(project.name)),
        stakes=balances_with_prefix(session, stake_account("")),
        claimable=claimable,
    )


def _lock_annotations(session: Session) -> None:
    # An insert that took a lower id but commits after we read the maximum would fall
    # between epochs and never be paid. SHARE mode waits for in-flight inserts and holds
    # new ones until we commit; licence purchases likewise, so that the revenue read is
    # the revenue marked as distributed. SQLite transactions hold the write lock already.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE annotations, licence_payments IN SHARE MODE"))


def close_epoch(
    session: Session,
    project: Project,
    *,
    estimator: str = DEFAULT_ESTIMATOR,
) -> EpochOutcome:
    """Settle the project's annotations since its last epoch, in the caller's transaction.

    Args:
        session: the unit of work; the caller commits once.
        project: the project to settle.
        estimator: truth-inference method for categorical kinds (see
            ``labelshare.quality.make_estimator``); kinds without classes are judged
            by their aggregator (``auto``, stored as ``structured`` or ``preference``).

    Returns:
        The new epoch with its settlement, or the last closed epoch unchanged when there
        are neither new annotations nor licence revenue to distribute.

    Raises:
        InvalidInput: the estimator is unknown, or names a categorical estimator for a
            kind without classes.
        InvalidTransition: nothing was ever annotated, or the schema's kind cannot be
            settled.
        InvalidSettlementInput, NegativeBalance: the stored data cannot be settled.
    """
    known_methods = ["auto", *METHODS, STRUCTURED_METHOD, PREFERENCE_METHOD]
    if estimator not in known_methods:
        known = ", ".join(known_methods)
        raise InvalidInput(
            f"estimator: unknown {estimator!r}, expected one of {known}", field="estimator"
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _lock_annotations(session)
    previous = latest_epoch(session, project)
    first_id = 0 if previous is None else previous.last_annotation_id or 0
    last_id = session.scalar(
        select(func.max(Annotation.id)).where(Annotation.project_id == project.id)
    )
    last_id = first_id if last_id is None else max(int(last_id), first_id)
    # Revenue that found no shareholders stays in the revenue account; only purchases
    # not yet seen by an epoch make a new one.
    new_purchases = session.scalar(
        select(func.count())
        .select_from(LicencePayment)
        .where(LicencePayment.project_id == project.id, LicencePayment.epoch_id.is_(None))
    )
    timings["lock"] = time.perf_counter() - started
    if last_id == first_id and not new_purchases:
        if previous is None:
            raise InvalidTransition(f"project: {project.name!r} has nothing to settle yet")
        return EpochOutcome(epoch=previous, is_new=False, timings_s=timings)

    labels = load_epoch_labels(
        session, project, first_id=first_id, last_id=last_id, estimator=estimator, timings_s=timings
    )

    started = time.perf_counter()
    number = FIRST_EPOCH if previous is None else previous.number + 1
    balances = _current_balances(session, project, previous)
    settlement = settle_epoch(
        epoch_inputs(session, project, number=number, labels=labels, balances=balances)
    )
    timings["settle"] = time.perf_counter() - started

    started = time.perf_counter()
    epoch = _store(
        session,
        project,
        settlement,
        number=number,
        first_id=first_id,
        last_id=last_id,
        estimator=labels.method,
    )
    store_epoch_inference(session, project, labels)
    timings["write"] = time.perf_counter() - started
    return EpochOutcome(
        epoch=epoch, is_new=True, settlement=settlement, labels=labels, timings_s=timings
    )


def _store(
    session: Session,
    project: Project,
    settlement: EpochSettlement,
    *,
    number: int,
    first_id: int,
    last_id: int,
    estimator: str,
) -> Epoch:
    now = utcnow()
    root = settlement.merkle_root
    epoch = Epoch(
        project_id=project.id,
        number=number,
        status=EpochStatus.CLOSED.value,
        opened_at=now,
        closed_at=now,
        first_annotation_id=first_id,
        last_annotation_id=last_id,
        merkle_root=None if root is None else "0x" + root.hex(),
        report_sha256=settlement.report_hash,
    )
    session.add(epoch)
    session.flush()
    start = journal_length(session)
    append_entries(session, settlement.journal, project_id=project.id, epoch_id=epoch.id)
    session.add(
        EpochReport(
            epoch_id=epoch.id,
            report_json=json.dumps(settlement.report, sort_keys=True, separators=(",", ":")),
            journal_start=start,
            estimator=estimator,
        )
    )
    if settlement.claimable:
        session.execute(
            insert(EpochClaimable.metadata.tables[EpochClaimable.__tablename__]),
            [
                {"epoch_id": epoch.id, "address": address, "cumulative_amount": amount}
                for address, amount in settlement.claimable.items()
            ],
        )
    session.execute(
        update(LicencePayment)
        .where(LicencePayment.project_id == project.id, LicencePayment.epoch_id.is_(None))
        .values(epoch_id=epoch.id)
    )
    session.flush()
    return epoch

"""Read-only figures for dashboards and wallets.

- a project's annotators with their reliability (owner, admin, reviewer);
- its licence payments (owner, admin);
- an address's earnings per epoch (the address itself, the owner, an admin), also once
  the project has closed;
- the unsigned claim transaction a wallet sends with the ``evm`` settlement backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.schemas.common import MAX_ID, ErrorBody
from labelshare.api.schemas.insights import (
    AnnotatorOut,
    ClaimTransactionOut,
    EpochEarningsOut,
    LicencePaymentOut,
)
from labelshare.config import Settings
from labelshare.core.ids import checksum_address
from labelshare.errors import Conflict
from labelshare.services.access import (
    earnings_project,
    earnings_reader_project,
    managed_project,
    reviewable_project,
)
from labelshare.services.chain import claim_transaction, evm_backend, node_errors
from labelshare.services.reports import epoch_earnings, licence_payments, project_annotators
from labelshare.store.models import Project

router = APIRouter(tags=["insights"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 429)
}
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
Address = Annotated[str, Path(min_length=42, max_length=42)]

ClaimTransactionBuilder = Callable[[Session, Project, Settings, str], dict[str, Any]]
"""Builds the unsigned claim transaction of an address; a seam for tests on a local chain."""


def _evm_claim_transaction(
    session: Session, project: Project, settings: Settings, address: str
) -> dict[str, Any]:
    with node_errors():
        backend = evm_backend(settings, project=project.name)
        _, transaction = claim_transaction(session, project, backend, address)
    return transaction


def claim_transaction_builder() -> ClaimTransactionBuilder:
    """How claim transactions are built: on the configured chain (tests override this)."""
    return _evm_claim_transaction


@router.get("/projects/{project_id}/annotators", responses=ERRORS)
def get_annotators(
    project_id: ProjectId, session: SessionDep, account: AccountDep
) -> list[AnnotatorOut]:
    """The project's annotators, most labels first, with reliability and gold accuracy."""
    project = reviewable_project(session, account, project_id)
    return [
        AnnotatorOut(
            address=record.address,
            labels=record.labels,
            reliability=record.reliability,
            gold_accuracy=record.gold_accuracy,
        )
        for record in project_annotators(session, project)
    ]


@router.get("/projects/{project_id}/licences", responses=ERRORS)
def get_licences(
    project_id: ProjectId, session: SessionDep, account: AccountDep
) -> list[LicencePaymentOut]:
    """The project's licence payments, oldest first (owner or admin)."""
    project = managed_project(session, account, project_id)
    return [
        LicencePaymentOut(
            id=payment.id,
            buyer=payment.buyer,
            amount=str(payment.amount),
            created_at=payment.created_at,
            distributed_in_epoch=payment.epoch_id is not None,
        )
        for payment in licence_payments(session, project)
    ]


@router.get("/projects/{project_id}/earnings/{address}/epochs", responses=ERRORS)
def get_epoch_earnings(
    project_id: ProjectId, address: Address, session: SessionDep, account: AccountDep
) -> list[EpochEarningsOut]:
    """What ``address`` earned in each closed epoch: labels, quality, reward, slashes."""
    owner = checksum_address(address)
    project = earnings_reader_project(session, account, project_id, owner)
    return [
        EpochEarningsOut(
            number=row.number,
            labels=row.labels,
            quality=row.quality,
            reward=str(row.reward),
            slashed=str(row.slashed),
            shares=str(row.shares),
            royalties=str(row.royalties),
        )
        for row in epoch_earnings(session, project, owner)
    ]


@router.get(
    "/projects/{project_id}/claims/{address}/transaction",
    responses=ERRORS,
    response_model_by_alias=True,
)
def get_claim_transaction(
    project_id: ProjectId,
    address: Address,
    request: Request,
    session: SessionDep,
    account: AccountDep,
    build: Annotated[ClaimTransactionBuilder, Depends(claim_transaction_builder)],
) -> ClaimTransactionOut:
    """The unsigned transaction paying ``address`` what is due, for a wallet to send.

    Only the ``evm`` backend has one; with the ``local`` backend claims are recorded by
    ``POST /projects/{id}/claims`` instead (409).
    """
    project = earnings_project(session, account, project_id)
    claimant = checksum_address(address)
    settings: Settings = request.app.state.settings
    if settings.settlement_backend != "evm":
        raise Conflict(
            f"settlement_backend: {project.name!r} settles with the "
            f"{settings.settlement_backend!r} backend, which has no on-chain claim; "
            f"claim with POST /api/v1/projects/{project.id}/claims"
        )
    return ClaimTransactionOut.model_validate(build(session, project, settings, claimant))

"""Settlement over HTTP: close epochs, fund escrow, record licences, prove and claim pay.

Closing an epoch is the project owner's (or an admin's) call. With the local backend a
deposit or a licence payment is recorded by an admin once the tokens have arrived. Proofs
are readable by anyone who may see the project, so every annotator can check their own
payout; a claim pays the caller (an admin may pay anyone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.schemas.common import MAX_ID, ErrorBody
from labelshare.core.ids import checksum_address
from labelshare.core.project import Amount
from labelshare.errors import InvalidTransition, MissingRole
from labelshare.services.access import (
    earnings_project,
    is_admin,
    managed_project,
    visible_project,
)
from labelshare.services.claims import claim, claim_proof, earnings
from labelshare.services.epochs import close_epoch, list_epochs
from labelshare.services.funding import escrow_balance, fund_project
from labelshare.services.licences import buy_licence
from labelshare.services.reports import EpochTotals, epoch_totals
from labelshare.store.models import Account, Epoch

router = APIRouter(tags=["settlement"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 429)
}
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
Address = Annotated[str, Path(min_length=42, max_length=42)]


class EpochOut(BaseModel):
    """A closed epoch; amounts are decimal strings of base units."""

    number: int
    closed_at: datetime | None
    first_annotation_id: int | None
    last_annotation_id: int | None
    merkle_root: str | None
    report_sha256: str | None
    is_new: bool = False
    rewards_paid: str | None = None
    slashed: str | None = None
    royalties: str | None = None
    escrow_after: str | None = None


class AmountIn(BaseModel):
    """An amount: integer base units or a token string (``"12.5"``, ``"1500wei"``)."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount


class LicenceIn(AmountIn):
    """A licence purchase by ``buyer``."""

    buyer: str


class EscrowOut(BaseModel):
    """The project's escrow after a deposit."""

    escrow: str


class LicenceOut(BaseModel):
    """A recorded licence payment."""

    id: int
    buyer: str
    amount: str


class ProofOut(BaseModel):
    """What an address may claim under the latest root, with its Merkle proof."""

    project: str
    epoch: int
    address: str
    amount: str
    amount_due: str
    proof: list[str]
    root: str


class ClaimIn(BaseModel):
    """Whom to pay; the caller when left out."""

    model_config = ConfigDict(extra="forbid")

    address: str | None = None


class ClaimOut(BaseModel):
    """A recorded payout."""

    address: str
    amount: str
    epoch: int


class EarningsOut(BaseModel):
    """An address's standing in a project; amounts are decimal strings of base units."""

    address: str
    cumulative: str
    claimed: str
    due: str
    shares: str
    stake: str


def _epoch_out(epoch: Epoch, totals: EpochTotals | None = None) -> EpochOut:
    return EpochOut(
        number=epoch.number,
        closed_at=epoch.closed_at,
        first_annotation_id=epoch.first_annotation_id,
        last_annotation_id=epoch.last_annotation_id,
        merkle_root=epoch.merkle_root,
        report_sha256=epoch.report_sha256,
        rewards_paid=None if totals is None else str(totals.rewards_paid),
        slashed=None if totals is None else str(totals.slashed),
        royalties=None if totals is None else str(totals.royalties),
        escrow_after=None if totals is None else str(totals.escrow_after),
    )


def _require_local_backend(request: Request, action: str) -> None:
    # With the EVM backend money moves on chain (the CLI's `chain fund`, `license buy
    # --key-file`, `claim send`); recording it here would book tokens that never moved.
    if request.app.state.settings.settlement_backend != "local":
        raise InvalidTransition(
            f"settlement_backend: {action} go through the chain with the EVM backend; "
            "use the labelshare CLI with a key file (see the README)"
        )


def _require_admin(account: Account, action: str) -> None:
    if not is_admin(account):
        raise MissingRole(f"role: only an admin may record {action} with the local backend")


@router.post("/projects/{project_id}/epochs", status_code=200, responses=ERRORS)
def post_epoch(project_id: ProjectId, session: SessionDep, account: AccountDep) -> EpochOut:
    """Close the project's epoch (owner or admin); with nothing new, the last one returns."""
    project = managed_project(session, account, project_id)
    outcome = close_epoch(session, project)
    body = _epoch_out(outcome.epoch)
    if outcome.settlement is not None:
        settlement = outcome.settlement
        body.is_new = outcome.is_new
        body.rewards_paid = str(sum(settlement.rewards))
        body.slashed = str(sum(settlement.slashes))
        body.royalties = str(sum(settlement.royalties.values()))
        body.escrow_after = str(settlement.escrow_balance)
    return body


@router.get("/projects/{project_id}/epochs", responses=ERRORS)
def get_epochs(project_id: ProjectId, session: SessionDep, account: AccountDep) -> list[EpochOut]:
    """The project's closed epochs, oldest first."""
    project = visible_project(session, account, project_id)
    totals = epoch_totals(session, project)
    return [_epoch_out(epoch, totals.get(epoch.number)) for epoch in list_epochs(session, project)]


@router.post("/projects/{project_id}/fund", responses=ERRORS)
def post_fund(
    project_id: ProjectId,
    body: AmountIn,
    request: Request,
    session: SessionDep,
    account: AccountDep,
) -> EscrowOut:
    """Record a deposit into the project's escrow (admin, local backend)."""
    _require_local_backend(request, "deposits")
    _require_admin(account, "deposits")
    project = visible_project(session, account, project_id)
    fund_project(session, project, amount=body.amount)
    return EscrowOut(escrow=str(escrow_balance(session, project)))


@router.post("/projects/{project_id}/licences", status_code=201, responses=ERRORS)
def post_licence(
    project_id: ProjectId,
    body: LicenceIn,
    request: Request,
    session: SessionDep,
    account: AccountDep,
) -> LicenceOut:
    """Record a licence purchase; the next epoch pays it to the shareholders (admin)."""
    _require_local_backend(request, "licence payments")
    _require_admin(account, "licence payments")
    project = visible_project(session, account, project_id)
    payment = buy_licence(session, project, buyer=body.buyer, amount=body.amount)
    return LicenceOut(id=payment.id, buyer=payment.buyer, amount=str(payment.amount))


@router.get("/projects/{project_id}/claims/{address}", responses=ERRORS)
def get_proof(
    project_id: ProjectId, address: Address, session: SessionDep, account: AccountDep
) -> ProofOut:
    """Amount, proof and root of ``address`` under the project's latest root."""
    project = earnings_project(session, account, project_id)
    found = claim_proof(session, project, address).to_json()
    return ProofOut.model_validate(found)


@router.post("/projects/{project_id}/claims", status_code=201, responses=ERRORS)
def post_claim(
    project_id: ProjectId,
    body: ClaimIn,
    request: Request,
    session: SessionDep,
    account: AccountDep,
) -> ClaimOut:
    """Pay what is due: to the caller, or to ``address`` when an admin asks (local backend).

    With the EVM backend the claimant's wallet sends the claim transaction instead
    (``GET /projects/{id}/claims/{address}/transaction``).
    """
    _require_local_backend(request, "claims")
    project = earnings_project(session, account, project_id)
    address = checksum_address(body.address) if body.address else account.address
    if address != account.address:
        _require_admin(account, "claims for other addresses")
    record = claim(session, project, address)
    return ClaimOut(address=record.address, amount=str(record.amount), epoch=record.epoch_number)


@router.get("/projects/{project_id}/earnings/{address}", responses=ERRORS)
def get_earnings(
    project_id: ProjectId, address: Address, session: SessionDep, account: AccountDep
) -> EarningsOut:
    """What ``address`` earned, claimed and holds in the project."""
    project = earnings_project(session, account, project_id)
    found = earnings(session, project, address)
    return EarningsOut(
        address=found.address,
        cumulative=str(found.cumulative),
        claimed=str(found.claimed),
        due=str(found.due),
        shares=str(found.shares),
        stake=str(found.stake),
    )

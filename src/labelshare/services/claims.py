"""Claims: proofs of what an address may claim, checking a proof, and (locally) paying it.

A project's latest closed epoch holds a Merkle root over every address's *cumulative*
claimable amount (rewards plus royalties ever earned in the project). A proof shows one
leaf under that root; what is due now is the cumulative amount minus what was already
paid out. :func:`verify_claim` needs nothing but the root, so anyone can check their
own payout against a published root without trusting the platform's database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.chain.local import LocalSettlement
from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidInput, InvalidProof
from labelshare.ledger import (
    EntryDraft,
    JournalEntry,
    MerkleTree,
    leaf_hash,
    share_asset,
    shareholder_account,
    stake_account,
    verify_proof,
)
from labelshare.services.epochs import latest_epoch
from labelshare.services.journal import append_entries, balance_of
from labelshare.store.models import ClaimRecord, EpochClaimable, Project

__all__ = [
    "ClaimProof",
    "Earnings",
    "claim",
    "claim_proof",
    "earnings",
    "local_backend",
    "parse_proof",
    "verify_claim",
]


@dataclass(frozen=True)
class ClaimProof:
    """What an address may claim under a project's latest root, with the proof.

    Attributes:
        project: the project's name.
        epoch: the epoch whose root the proof leads to.
        address: the claimant (checksum form).
        cumulative_amount: base units ever claimable by the address in the project.
        amount_due: what a claim would pay now.
        proof: sibling hashes, ``0x`` hex, leaf to root.
        root: the root, ``0x`` hex.
    """

    project: str
    epoch: int
    address: str
    cumulative_amount: int
    amount_due: int
    proof: tuple[str, ...]
    root: str

    def to_json(self) -> dict[str, Any]:
        """A JSON object; amounts as decimal strings so that no JSON reader rounds them."""
        return {
            "project": self.project,
            "epoch": self.epoch,
            "address": self.address,
            "amount": str(self.cumulative_amount),
            "amount_due": str(self.amount_due),
            "proof": list(self.proof),
            "root": self.root,
        }


@dataclass(frozen=True)
class Earnings:
    """An address's standing in a project.

    Attributes:
        address: checksum address.
        cumulative: base units ever claimable (rewards and royalties).
        claimed: base units paid out by claims.
        due: base units claimable now.
        shares: dataset shares held.
        stake: base units staked (platform-wide).
    """

    address: str
    cumulative: int
    claimed: int
    due: int
    shares: int
    stake: int


def local_backend(session: Session, project: Project) -> LocalSettlement:
    """The database backend of ``project`` in this unit of work."""

    def append(drafts: Sequence[EntryDraft]) -> tuple[JournalEntry, ...]:
        return append_entries(session, drafts, project_id=project.id)

    return LocalSettlement(session, project, append=append)


def _leaves(session: Session, epoch_id: int) -> list[tuple[str, int]]:
    return [
        (row.address, row.cumulative_amount)
        for row in session.scalars(
            select(EpochClaimable).where(EpochClaimable.epoch_id == epoch_id)
        )
    ]


def claim_proof(session: Session, project: Project, address: str) -> ClaimProof:
    """The proof of ``address``'s cumulative amount under the project's latest root.

    Raises:
        InvalidAddress: if ``address`` is malformed.
        InvalidProof: if no epoch has a root yet or the address has no leaf in it.
    """
    account = checksum_address(address)
    epoch = latest_epoch(session, project)
    if epoch is None or epoch.merkle_root is None:
        raise InvalidProof(f"project: {project.name!r} has no settled epoch with claims yet")
    leaves = _leaves(session, epoch.id)
    amounts = {leaf_address.lower(): amount for leaf_address, amount in leaves}
    if account.lower() not in amounts:
        raise InvalidProof(f"address: {account} has nothing claimable in {project.name!r}")
    tree = MerkleTree.from_claims(leaves)
    if tree.root.hex() != epoch.merkle_root.removeprefix("0x"):
        raise InvalidProof(
            f"epoch: the stored leaves of epoch {epoch.number} do not give its root; run audit"
        )
    cumulative = amounts[account.lower()]
    claimed = local_backend(session, project).claimed(account)
    return ClaimProof(
        project=project.name,
        epoch=epoch.number,
        address=account,
        cumulative_amount=cumulative,
        amount_due=max(cumulative - claimed, 0),
        proof=tuple("0x" + node.hex() for node in tree.proof(account)),
        root=epoch.merkle_root,
    )


def _hash32(text: str, field: str) -> bytes:
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not hex", field=field) from None
    if len(value) != 32:
        raise InvalidInput(f"{field}: {text!r} is not 32 bytes", field=field)
    return value


def parse_proof(proof: list[str] | tuple[str, ...]) -> tuple[bytes, ...]:
    """Decode ``0x`` hex sibling hashes.

    Raises:
        InvalidInput: naming the first element that is not 32 bytes of hex.
    """
    return tuple(_hash32(node, f"proof[{index}]") for index, node in enumerate(proof))


def verify_claim(
    *, root: str, address: str, amount: int, proof: list[str] | tuple[str, ...]
) -> bool:
    """Whether ``proof`` shows (``address``, ``amount``) under ``root``; needs no database.

    Raises:
        InvalidInput: if the root or a proof element is not 32 bytes of hex, or the
            amount is negative.
        InvalidAddress: if the address is malformed.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidInput(f"amount: {amount!r} must be an integer >= 0", field="amount")
    account = checksum_address(address)
    return verify_proof(_hash32(root, "root"), leaf_hash(account, amount), parse_proof(proof))


def claim(session: Session, project: Project, address: str) -> ClaimRecord:
    """Pay ``address`` everything due in ``project`` (local backend).

    Raises:
        InvalidProof: if the address has nothing claimable.
        ChainError: if everything was claimed already.
    """
    proof = claim_proof(session, project, address)
    backend = local_backend(session, project)
    built = backend.build_claim(
        proof.address, cumulative_amount=proof.cumulative_amount, proof=parse_proof(proof.proof)
    )
    backend.submit_claim(built)
    return session.scalars(
        select(ClaimRecord)
        .where(ClaimRecord.project_id == project.id, ClaimRecord.address == proof.address)
        .order_by(ClaimRecord.id.desc())
        .limit(1)
    ).one()


def earnings(session: Session, project: Project, address: str) -> Earnings:
    """What ``address`` earned, claimed and holds in ``project``.

    Raises:
        InvalidAddress: if ``address`` is malformed.
    """
    account = checksum_address(address)
    epoch = latest_epoch(session, project)
    cumulative = 0
    if epoch is not None:
        stored = session.scalar(
            select(EpochClaimable.cumulative_amount).where(
                EpochClaimable.epoch_id == epoch.id, EpochClaimable.address == account
            )
        )
        cumulative = 0 if stored is None else stored
    claimed = local_backend(session, project).claimed(account)
    return Earnings(
        address=account,
        cumulative=cumulative,
        claimed=claimed,
        due=max(cumulative - claimed, 0),
        shares=balance_of(session, shareholder_account(account), asset=share_asset(project.name)),
        stake=balance_of(session, stake_account(account)),
    )

"""Tables of settlement on a chain: which epoch roots were published, which slashes sent.

A row is written in the same unit of work as the action it records, after the chain
has confirmed it, so the database never claims more than the chain holds; a lost row
is found again on chain (the contracts' events) and rewritten, never re-sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelshare.store.models.base import Base
from labelshare.store.types import Amount, utcnow


class ChainPublication(Base):
    """An epoch root of a project posted to a Distributor contract."""

    __tablename__ = "chain_publications"
    # A Distributor holds one project's tree and takes each epoch once.
    __table_args__ = (UniqueConstraint("chain_id", "distributor", "epoch_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    epoch_number: Mapped[int] = mapped_column(Integer)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    distributor: Mapped[str] = mapped_column(String(42))
    merkle_root: Mapped[str] = mapped_column(String(66))
    report_sha256: Mapped[str] = mapped_column(String(64))
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
    gas_used: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChainSlash(Base):
    """A settlement slash of one address's stake carried out by a StakeVault contract."""

    __tablename__ = "chain_slashes"
    # Named by hand: the conventional name would pass PostgreSQL's 63-character limit.
    __table_args__ = (
        UniqueConstraint(
            "chain_id",
            "stake_vault",
            "project_id",
            "epoch_number",
            "address",
            name="uq_chain_slashes_once",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    epoch_number: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    stake_vault: Mapped[str] = mapped_column(String(42))
    recipient: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66))
    slashed_at: Mapped[datetime] = mapped_column(default=utcnow)

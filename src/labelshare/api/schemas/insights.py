"""Bodies of the dashboards' read-only figures: annotators, licences, per-epoch earnings,
and the unsigned claim transaction a wallet sends."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AnnotatorOut(BaseModel):
    """An annotator of a project: labels, estimated reliability and gold accuracy."""

    address: str
    labels: int
    reliability: float | None
    gold_accuracy: float | None


class LicencePaymentOut(BaseModel):
    """A licence payment; ``amount`` is a decimal string of base units."""

    id: int
    buyer: str
    amount: str
    created_at: datetime
    distributed_in_epoch: bool


class EpochEarningsOut(BaseModel):
    """An address's part of one epoch; amounts are decimal strings of base units.

    ``quality`` is the fraction of the base rate its labels earned on average.
    """

    number: int
    labels: int
    quality: float
    reward: str
    slashed: str
    shares: str
    royalties: str


class ClaimTransactionOut(BaseModel):
    """An unsigned ``Distributor.claim`` transaction; the wallet adds nonce and fees."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    sender: str = Field(alias="from")
    to: str
    data: str
    value: int
    gas: int
    chain_id: int = Field(alias="chainId")

"""Bodies of sign-in, sessions, API tokens and accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NonceOut(BaseModel):
    """A single-use nonce to put in a sign-in message, and the message's other fields."""

    nonce: str
    expires_at: datetime
    domain: str
    chain_id: int


class SignInRequest(BaseModel):
    """An EIP-4361 message and the wallet's EIP-191 signature of it."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=10_000)
    signature: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    """A session: the bearer secret (also set as an HTTP-only cookie) and its expiry."""

    token: str
    token_type: str = "bearer"
    expires_at: datetime
    address: str
    roles: list[str]


class AccountOut(BaseModel):
    """An account as its owner (or an admin) sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    address: str
    roles: list[str]
    domains: list[str]
    display_name: str | None


class AccountGrant(BaseModel):
    """Roles and domains an admin adds to an account."""

    model_config = ConfigDict(extra="forbid")

    roles: list[str] = Field(default_factory=list, max_length=4)
    domains: list[str] = Field(default_factory=list, max_length=50)


class TokenCreate(BaseModel):
    """A new API token's name and optional expiry."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    """An API token as listed: never the secret, only its first characters."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    """A token just made: ``token`` is shown this once."""

    token: str

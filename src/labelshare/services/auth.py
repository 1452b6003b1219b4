"""Signing in with a wallet, sessions, and telling who a bearer secret belongs to.

Two kinds of bearer secrets exist: API tokens (``lsk_``, made on request, long-lived,
``services.accounts``) and sessions (``lss_``, made by signing in with Ethereum,
short-lived). Both are stored as sha256 digests only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from labelshare.chain.siwe import verify_sign_in
from labelshare.core.statuses import Role
from labelshare.errors import Unauthenticated
from labelshare.services.accounts import TOKEN_PREFIX, authenticate_token, ensure_account
from labelshare.store.models import Account, LoginSession, SignInNonce
from labelshare.store.types import utcnow

SESSION_PREFIX = "lss_"
NONCE_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class SignedIn:
    """A new session: the secret (shown once), its expiry and its account."""

    secret: str
    expires_at: datetime
    account: Account


def issue_nonce(session: Session, *, now: datetime | None = None) -> SignInNonce:
    """A fresh single-use nonce for a sign-in message, valid for ``NONCE_TTL``.

    Lapsed nonces are deleted on the way, so the table stays small.
    """
    now = now or utcnow()
    session.execute(delete(SignInNonce).where(SignInNonce.expires_at <= now - NONCE_TTL))
    nonce = SignInNonce(nonce=secrets.token_hex(16), created_at=now, expires_at=now + NONCE_TTL)
    session.add(nonce)
    session.flush()
    return nonce


def _spend_nonce(session: Session, nonce: str, now: datetime) -> None:
    # One UPDATE that only matches an unspent, live nonce: two requests racing with the
    # same message cannot both succeed.
    spent = session.execute(
        update(SignInNonce)
        .where(
            SignInNonce.nonce == nonce,
            SignInNonce.used_at.is_(None),
            SignInNonce.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]  # CursorResult of an UPDATE has rowcount
    if spent == 1:
        return
    row = session.get(SignInNonce, nonce)
    if row is None:
        raise Unauthenticated("nonce: this nonce was not issued by this server")
    if row.used_at is not None:
        raise Unauthenticated("nonce: this nonce was used already (replayed message)")
    raise Unauthenticated("nonce: this nonce has expired; ask for a new one")


def sign_in(
    session: Session,
    message: str,
    signature: str,
    *,
    domain: str,
    chain_id: int,
    session_ttl_s: int,
    now: datetime | None = None,
) -> SignedIn:
    """Check a Sign-In with Ethereum message, spend its nonce and open a session.

    A wallet seen for the first time gets an account with the annotator role.

    Raises:
        Unauthenticated: naming the reason (domain, chain id, expiry, signature, nonce
            unknown, spent or lapsed).
    """
    now = now or utcnow()
    proof = verify_sign_in(message, signature, domain=domain, chain_id=chain_id, now=now)
    _spend_nonce(session, proof.nonce, now)
    account = ensure_account(session, proof.address)
    if not account.roles:
        account = ensure_account(session, proof.address, roles=[Role.ANNOTATOR.value])
    expires_at = now + timedelta(seconds=session_ttl_s)
    if proof.expires_at is not None:
        expires_at = min(expires_at, proof.expires_at)
    secret = SESSION_PREFIX + secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            account_id=account.id,
            token_sha256=_digest(secret),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return SignedIn(secret=secret, expires_at=expires_at, account=account)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, secret: str, *, now: datetime | None = None) -> Account:
    """The account a bearer secret (session or API token) belongs to.

    Raises:
        Unauthenticated: unknown, revoked or expired secret (saying which).
    """
    if secret.startswith(TOKEN_PREFIX):
        return authenticate_token(session, secret)
    if not secret.startswith(SESSION_PREFIX):
        raise Unauthenticated("token: not a labelshare token or session")
    found = session.execute(
        select(LoginSession, Account)
        .join(Account, Account.id == LoginSession.account_id)
        .where(LoginSession.token_sha256 == _digest(secret))
    ).first()
    if found is None:
        raise Unauthenticated("session: unknown session; sign in again")
    login, account = found
    if login.revoked_at is not None:
        raise Unauthenticated("session: you signed out of this session")
    if login.expires_at <= (now or utcnow()):
        raise Unauthenticated("session: this session has expired; sign in again")
    return account


def sign_out(session: Session, secret: str) -> None:
    """End the session of ``secret`` (no effect on API tokens or unknown secrets)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_sha256 == _digest(secret), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )

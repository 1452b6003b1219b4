"""Accounts, roles, expertise domains and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from labelshare.core.ids import checksum_address
from labelshare.core.statuses import Role
from labelshare.errors import InvalidInput, Unauthenticated, UnknownAccount, UnknownToken
from labelshare.store.models import Account, AccountDomain, ApiToken
from labelshare.store.repositories import AccountRepository
from labelshare.store.types import utcnow

TOKEN_PREFIX = "lsk_"


def _roles(roles: Iterable[str]) -> list[str]:
    known = {role.value for role in Role}
    parsed = []
    for role in roles:
        if role not in known:
            raise InvalidInput(
                f"roles: {role!r} is not a role (choose from {', '.join(sorted(known))})",
                field="roles",
            )
        parsed.append(role)
    return parsed


def _domain(domain: str) -> str:
    cleaned = domain.strip().lower()
    if not cleaned or len(cleaned) > 64:
        raise InvalidInput(f"domain: {domain!r} must be 1 to 64 characters", field="domain")
    return cleaned


def ensure_account(
    session: Session,
    address: str,
    *,
    roles: Iterable[str] = (),
    domains: Iterable[str] = (),
    display_name: str | None = None,
) -> Account:
    """Return the account of ``address``, creating it, and add roles and domains.

    Raises:
        InvalidAddress: if ``address`` is malformed.
        InvalidInput: for an unknown role or an empty domain.
    """
    address = checksum_address(address)
    wanted_roles = _roles(roles)
    repo = AccountRepository(session)
    account = repo.get_by_address(address)
    if account is None:
        account = Account(address=address, roles=[], display_name=display_name)
        session.add(account)
        session.flush()
    if display_name is not None:
        account.display_name = display_name
    merged = sorted(set(account.roles) | set(wanted_roles))
    if merged != account.roles:
        account.roles = merged
    for domain in domains:
        grant_domain(session, account, domain)
    session.flush()
    return account


def get_account(session: Session, address: str) -> Account:
    """The account of ``address``.

    Raises:
        UnknownAccount: if there is none.
    """
    account = AccountRepository(session).get_by_address(checksum_address(address))
    if account is None:
        raise UnknownAccount(f"address: no account {address}")
    return account


def grant_domain(session: Session, account: Account, domain: str, *, source: str = "admin") -> None:
    """Give ``account`` an expertise domain (idempotent)."""
    domain = _domain(domain)
    if not AccountRepository(session).has_domain(account.id, domain):
        session.add(AccountDomain(account_id=account.id, domain=domain, source=source))
        session.flush()


def has_role(account: Account, role: Role) -> bool:
    """Whether ``account`` holds ``role`` (admins hold every role)."""
    return role.value in account.roles or Role.ADMIN.value in account.roles


def create_api_token(
    session: Session, account: Account, *, name: str, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """Create a token for ``account``.

    Returns:
        The token in clear (show it once; only its digest is stored) and its row.
    """
    if not name.strip() or len(name) > 100:
        raise InvalidInput("name: a token name is 1 to 100 characters", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        account_id=account.id,
        name=name.strip(),
        token_sha256=hashlib.sha256(secret.encode()).hexdigest(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return secret, token


def authenticate_token(session: Session, secret: str) -> Account:
    """The account a bearer token belongs to.

    Raises:
        Unauthenticated: if the token is unknown, revoked or expired (saying which).
    """
    found = AccountRepository(session).get_by_token_sha256(
        hashlib.sha256(secret.encode()).hexdigest()
    )
    if found is None:
        raise Unauthenticated("token: unknown token")
    account, token = found
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthenticated("token: this token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("token: this token has expired")
    return account


def revoke_api_token(session: Session, account: Account, token_id: int) -> ApiToken:
    """Revoke one of ``account``'s tokens.

    Raises:
        UnknownToken: if the token is not the account's (its existence is not revealed).
    """
    token = session.get(ApiToken, token_id)
    if token is None or token.account_id != account.id:
        raise UnknownToken(f"token_id: no token {token_id} for this account")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def local_operator(session: Session) -> Account:
    """The account that acts for whoever runs the CLI on this database.

    It holds every role, so a requester working from the command line needs no wallet;
    its address is derived, like an imported worker's, so it is the same everywhere.
    """
    from labelshare.core.ids import placeholder_address

    return ensure_account(
        session,
        placeholder_address("local-operator"),
        roles=[Role.ADMIN, Role.REQUESTER],
        display_name="local operator",
    )

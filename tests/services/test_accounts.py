"""Tests of accounts, roles, domains and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from labelshare.core.statuses import Role
from labelshare.errors import (
    InvalidAddress,
    InvalidInput,
    Unauthenticated,
    UnknownAccount,
    UnknownToken,
)
from labelshare.services.accounts import (
    authenticate_token,
    create_api_token,
    ensure_account,
    get_account,
    has_role,
    revoke_api_token,
)
from labelshare.store.models import ApiToken
from labelshare.store.repositories import AccountRepository
from labelshare.store.types import utcnow
from tests.factories import make_account, new_address


class TestEnsureAccount:
    def test_creates_once_and_merges_roles(self, session: Session) -> None:
        """A second call with the same address adds roles to the same account."""
        address = new_address()
        first = ensure_account(session, address.lower(), roles=["annotator"])
        second = ensure_account(session, address, roles=["reviewer"], domains=["Medical "])
        assert first.id == second.id
        assert second.address == address
        assert second.roles == ["annotator", "reviewer"]
        assert AccountRepository(session).domains_of(second.id) == ["medical"]

    def test_rejects_unknown_role(self, session: Session) -> None:
        """A role outside the four is refused, naming the field."""
        with pytest.raises(InvalidInput, match="^roles: 'boss' is not a role"):
            ensure_account(session, new_address(), roles=["boss"])

    def test_rejects_malformed_address(self, session: Session) -> None:
        """A malformed address never becomes an account."""
        with pytest.raises(InvalidAddress, match="not an Ethereum address"):
            ensure_account(session, "0x1234")

    def test_admin_holds_every_role(self, session: Session) -> None:
        """Admins pass every role check; others only their own."""
        admin = make_account(session, "admin")
        annotator = make_account(session, "annotator")
        assert has_role(admin, Role.REQUESTER)
        assert not has_role(annotator, Role.REQUESTER)

    def test_get_account_unknown(self, session: Session) -> None:
        """Looking up an address nobody registered fails clearly."""
        with pytest.raises(UnknownAccount, match="no account"):
            get_account(session, new_address())


class TestApiTokens:
    def test_token_authenticates_and_is_stored_hashed(self, session: Session) -> None:
        """The clear token works and never appears in the database."""
        account = make_account(session)
        secret, token = create_api_token(session, account, name="laptop")
        assert authenticate_token(session, secret).id == account.id
        stored = session.get(ApiToken, token.id)
        assert stored is not None
        assert secret not in (stored.token_sha256, stored.prefix)
        assert secret.startswith(stored.prefix)

    def test_unknown_token_is_refused(self, session: Session) -> None:
        """A made-up token is refused with the reason."""
        with pytest.raises(Unauthenticated, match="unknown token"):
            authenticate_token(session, "lsk_nope")

    def test_revoked_token_is_refused(self, session: Session) -> None:
        """After revocation the token no longer authenticates."""
        account = make_account(session)
        secret, token = create_api_token(session, account, name="ci")
        revoke_api_token(session, account, token.id)
        with pytest.raises(Unauthenticated, match="revoked"):
            authenticate_token(session, secret)

    def test_expired_token_is_refused(self, session: Session) -> None:
        """A token past its expiry is refused."""
        account = make_account(session)
        secret, _ = create_api_token(
            session, account, name="old", expires_at=utcnow() - timedelta(seconds=1)
        )
        with pytest.raises(Unauthenticated, match="expired"):
            authenticate_token(session, secret)

    def test_cannot_revoke_someone_elses_token(self, session: Session) -> None:
        """Another account's token looks like no token at all."""
        owner, other = make_account(session), make_account(session)
        _, token = create_api_token(session, owner, name="mine")
        with pytest.raises(UnknownToken, match="no token"):
            revoke_api_token(session, other, token.id)

"""``/auth``, ``/me``, ``/tokens`` and ``/accounts``: who the caller is and how they prove it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from labelshare.api.deps import (
    SESSION_COOKIE,
    AccountDep,
    SessionDep,
    bearer_secret,
    limit_sign_in,
)
from labelshare.api.schemas.auth import (
    AccountGrant,
    AccountOut,
    NonceOut,
    SessionOut,
    SignInRequest,
    TokenCreate,
    TokenCreated,
    TokenOut,
)
from labelshare.api.schemas.common import MAX_ID, ErrorBody
from labelshare.config import Settings
from labelshare.errors import MissingRole
from labelshare.services.access import is_admin
from labelshare.services.accounts import create_api_token, ensure_account, revoke_api_token
from labelshare.services.auth import issue_nonce, sign_in, sign_out
from labelshare.store.models import Account
from labelshare.store.repositories import AccountRepository

router = APIRouter(tags=["auth"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
# The sign-in endpoints need no account, so they are limited per client address.
_SIGN_IN_ERRORS: dict[int | str, dict[str, object]] = {**_ERRORS, 429: {"model": ErrorBody}}


def siwe_domain(settings: Settings) -> str:
    """The domain sign-in messages must name."""
    return settings.siwe_domain or f"{settings.host}:{settings.port}"


def _account_out(session: Session, account: Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        address=account.address,
        roles=list(account.roles),
        domains=AccountRepository(session).domains_of(account.id),
        display_name=account.display_name,
    )


@router.get("/auth/nonce", responses=_SIGN_IN_ERRORS, dependencies=[Depends(limit_sign_in)])
def get_nonce(request: Request, session: SessionDep) -> NonceOut:
    """A single-use nonce for a Sign-In with Ethereum message (valid 5 minutes)."""
    settings: Settings = request.app.state.settings
    nonce = issue_nonce(session)
    return NonceOut(
        nonce=nonce.nonce,
        expires_at=nonce.expires_at,
        domain=siwe_domain(settings),
        chain_id=settings.chain_id,
    )


@router.post("/auth/siwe", responses=_SIGN_IN_ERRORS, dependencies=[Depends(limit_sign_in)])
def post_siwe(
    body: SignInRequest, request: Request, response: Response, session: SessionDep
) -> SessionOut:
    """Sign in with a signed EIP-4361 message; sets an HTTP-only session cookie too."""
    settings: Settings = request.app.state.settings
    signed = sign_in(
        session,
        body.message,
        body.signature,
        domain=siwe_domain(settings),
        chain_id=settings.chain_id,
        session_ttl_s=settings.session_ttl_s,
    )
    response.set_cookie(
        SESSION_COOKIE,
        signed.secret,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
        expires=signed.expires_at,
        path="/",
    )
    return SessionOut(
        token=signed.secret,
        expires_at=signed.expires_at,
        address=signed.account.address,
        roles=list(signed.account.roles),
    )


@router.post("/auth/logout", status_code=204, responses=_ERRORS)
def post_logout(
    request: Request,
    response: Response,
    session: SessionDep,
    _: AccountDep,
    secret: Annotated[str, Depends(bearer_secret)],
) -> None:
    """End the current session (API tokens are revoked under /tokens instead)."""
    sign_out(session, secret)
    request.app.state.token_cache.clear()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", responses=_ERRORS)
def get_me(session: SessionDep, account: AccountDep) -> AccountOut:
    """The caller's account, roles and domains."""
    return _account_out(session, account)


@router.get("/tokens", responses=_ERRORS)
def list_tokens(session: SessionDep, account: AccountDep) -> list[TokenOut]:
    """The caller's API tokens (never their secrets)."""
    return [
        TokenOut.model_validate(token)
        for token in AccountRepository(session).list_tokens(account.id)
    ]


@router.post("/tokens", status_code=201, responses=_ERRORS)
def post_token(body: TokenCreate, session: SessionDep, account: AccountDep) -> TokenCreated:
    """Create an API token; its secret is in this answer only."""
    secret, token = create_api_token(session, account, name=body.name, expires_at=body.expires_at)
    return TokenCreated(token=secret, **TokenOut.model_validate(token).model_dump())


@router.delete("/tokens/{token_id}", responses=_ERRORS)
def delete_token(
    token_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    session: SessionDep,
    account: AccountDep,
) -> TokenOut:
    """Revoke one of the caller's API tokens."""
    token = revoke_api_token(session, account, token_id)
    request.app.state.token_cache.clear()
    return TokenOut.model_validate(token)


@router.post("/accounts/{address}/grants", responses=_ERRORS)
def post_grant(
    address: str, body: AccountGrant, session: SessionDep, account: AccountDep
) -> AccountOut:
    """Give an account roles and domains (admins only); creates the account if new."""
    if not is_admin(account):
        raise MissingRole("role: only an admin may grant roles and domains")
    target = ensure_account(session, address, roles=body.roles, domains=body.domains)
    return _account_out(session, target)

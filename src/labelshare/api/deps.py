"""Typed dependencies: the request's unit of work and the signed-in account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from labelshare.api.limits import RateLimiter, TokenCache
from labelshare.errors import Unauthenticated
from labelshare.services.auth import authenticate
from labelshare.store.models import Account
from labelshare.store.session import unit_of_work

SESSION_COOKIE = "labelshare_session"

_bearer = HTTPBearer(auto_error=False, description="An API token (lsk_…) or a session (lss_…)")


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit at the end, roll back on error."""
    with unit_of_work(request.app.state.sessions) as session:
        yield session


# scope="function": the commit happens when the endpoint returns, before the response is
# sent, so a 2xx always means the work is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def bearer_secret(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's secret: the bearer token, else the session cookie.

    Raises:
        Unauthenticated: if the request carries neither.
    """
    if credentials is not None:
        return credentials.credentials
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    raise Unauthenticated("authorization: send a bearer token or sign in first")


def current_account(
    request: Request, session: SessionDep, secret: Annotated[str, Depends(bearer_secret)]
) -> Account:
    """The account of the caller's token or session, after its rate limit.

    Raises:
        Unauthenticated: unknown, revoked or expired secret.
        RateLimited: the secret sent more requests than its limit allows.
    """
    account = authenticate(session, secret)
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.check(secret)
    return account


AccountDep = Annotated[Account, Depends(current_account)]


async def current_account_id(
    request: Request, secret: Annotated[str, Depends(bearer_secret)]
) -> int:
    """The caller's account id, from a short-lived cache of secrets (the hot path).

    A revocation in this process clears the cache at once; in another worker process
    it takes effect within ``TokenCache.ttl_s``.

    Raises:
        Unauthenticated: unknown, revoked or expired secret.
        RateLimited: the secret sent more requests than its limit allows.
    """
    cache: TokenCache = request.app.state.token_cache
    account_id = cache.get(secret)
    if account_id is None:
        account_id = await run_in_threadpool(_lookup, request.app.state.read_sessions, secret)
        cache.put(secret, account_id)
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.check(secret)
    return account_id


def _lookup(read_sessions: sessionmaker[Session], secret: str) -> int:
    # A read-only session: on SQLite it does not queue behind the label writer's lock.
    with unit_of_work(read_sessions) as session:
        return authenticate(session, secret).id


AccountIdDep = Annotated[int, Depends(current_account_id)]


async def limit_sign_in(request: Request) -> None:
    """Count a sign-in request against its client address, before any other work.

    Raises:
        RateLimited: the address sent more sign-in requests than its limit allows.
    """
    limiter: RateLimiter = request.app.state.sign_in_limiter
    limiter.check_client(request.client.host if request.client else None)

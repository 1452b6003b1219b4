"""Sign-In with Ethereum (EIP-4361): parse a signed message and check it.

The ``siwe`` package parses the message and recovers its signer; this module adds
the checks a server must make on top (domain, chain id, issue time) and turns every
failure into ``Unauthenticated`` with the reason. Whether the nonce was issued by us
and is still unspent is the caller's business (``labelshare.services.auth``), since it
needs the database.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from labelshare.errors import Unauthenticated

with warnings.catch_warnings():
    # siwe's grammar redefines core ABNF rules and abnf warns about it on import.
    warnings.simplefilter("ignore")
    import siwe

# A message signed long ago and never sent is as suspicious as a replay.
MAX_MESSAGE_AGE = timedelta(minutes=10)
# Clocks of wallets and servers differ a little.
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class SignIn:
    """What a verified sign-in message proves.

    Attributes:
        address: the EIP-55 address that signed.
        nonce: the message's nonce (to be spent by the caller).
        expires_at: the message's expiration time, if it set one.
    """

    address: str
    nonce: str
    expires_at: datetime | None


def _parse(message: str) -> siwe.SiweMessage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return siwe.SiweMessage.from_message(message)
    except Exception as exc:  # the parser raises bare ValueErrors and pydantic errors
        raise Unauthenticated(f"message: not an EIP-4361 sign-in message ({exc})") from exc


def verify_sign_in(
    message: str, signature: str, *, domain: str, chain_id: int, now: datetime | None = None
) -> SignIn:
    """Check a Sign-In with Ethereum message and its signature.

    Args:
        message: the EIP-4361 text the wallet signed.
        signature: the 65-byte EIP-191 signature, hex.
        domain: the host (and port) this server is reached at; the message must name it.
        chain_id: the chain the message must be bound to.
        now: the time to judge expiry by (tests pass a fixed one).

    Returns:
        The signer, the nonce and the message's expiry.

    Raises:
        Unauthenticated: malformed message, wrong domain or chain id, a message that is
            expired, not yet valid or too old, or a signature by someone else.
    """
    now = now or datetime.now(UTC)
    parsed = _parse(message)
    if parsed.domain != domain:
        raise Unauthenticated(f"domain: the message is for {parsed.domain!r}, not {domain!r}")
    if parsed.chain_id != chain_id:
        raise Unauthenticated(
            f"chain_id: the message is for chain {parsed.chain_id}, not {chain_id}"
        )
    issued_at = datetime.fromisoformat(str(parsed.issued_at))
    if issued_at > now + CLOCK_SKEW:
        raise Unauthenticated("issued_at: the message is issued in the future")
    if now - issued_at > MAX_MESSAGE_AGE:
        raise Unauthenticated("issued_at: the message is too old; sign a new one")
    try:
        parsed.verify(signature, domain=domain, timestamp=now)
    except siwe.ExpiredMessage as exc:
        raise Unauthenticated("expiration_time: the message has expired") from exc
    except siwe.NotYetValidMessage as exc:
        raise Unauthenticated("not_before: the message is not valid yet") from exc
    except siwe.VerificationError as exc:
        raise Unauthenticated("signature: the signature is not the address's") from exc
    expires = (
        None
        if parsed.expiration_time is None
        else datetime.fromisoformat(str(parsed.expiration_time))
    )
    return SignIn(address=parsed.address, nonce=parsed.nonce, expires_at=expires)


def sign_in_message(
    address: str,
    *,
    domain: str,
    chain_id: int,
    nonce: str,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    uri: str | None = None,
) -> str:
    """The EIP-4361 text a wallet signs to sign in (for scripts, tests and docs).

    Args:
        address: the signer's EIP-55 address.
        domain: the server's host (and port).
        chain_id: the chain to bind the session to.
        nonce: a nonce from ``GET /api/v1/auth/nonce``.
        issued_at: default now.
        expires_at: optional expiry of the message.
        uri: the resource signed in to; default ``http://{domain}``.
    """
    issued = issued_at or datetime.now(UTC)
    fields: dict[str, object] = {
        "domain": domain,
        "address": address,
        "uri": uri or f"http://{domain}",
        "version": "1",
        "chain_id": chain_id,
        "issued_at": issued.isoformat().replace("+00:00", "Z"),
        "nonce": nonce,
        "statement": "Sign in to labelshare.",
    }
    if expires_at is not None:
        fields["expiration_time"] = expires_at.isoformat().replace("+00:00", "Z")
    return str(siwe.SiweMessage(**fields).prepare_message())

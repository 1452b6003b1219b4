"""Tests of wallet sign-in, sessions and API tokens over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eth_account import Account as EthAccount
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from pydantic import ValidationError

from labelshare.api import create_app
from labelshare.api.limits import RateLimiter
from labelshare.chain.siwe import sign_in_message
from labelshare.config import Settings, load_settings
from tests.api.conftest import Api

DOMAIN = "127.0.0.1:8000"


def _signed(
    wallet: LocalAccount,
    nonce: str,
    *,
    domain: str = DOMAIN,
    chain_id: int = 1,
    expires_at: datetime | None = None,
) -> dict[str, str]:
    message = sign_in_message(
        wallet.address, domain=domain, chain_id=chain_id, nonce=nonce, expires_at=expires_at
    )
    signature = wallet.sign_message(encode_defunct(text=message)).signature.hex()
    return {"message": message, "signature": "0x" + signature.removeprefix("0x")}


def _nonce(api: Api) -> str:
    answer = api.client.get("/api/v1/auth/nonce")
    assert answer.status_code == 200
    assert answer.json()["domain"] == DOMAIN
    return str(answer.json()["nonce"])


class TestSignIn:
    """GET /auth/nonce and POST /auth/siwe."""

    def test_sign_in_gives_cookie_and_token(self, api: Api) -> None:
        """A good message signs in: a bearer token and an HTTP-only cookie, annotator role."""
        wallet = EthAccount.create()
        answer = api.client.post("/api/v1/auth/siwe", json=_signed(wallet, _nonce(api)))
        assert answer.status_code == 200, answer.text
        assert answer.json()["address"] == wallet.address
        assert answer.json()["roles"] == ["annotator"]
        assert "httponly" in answer.headers["set-cookie"].lower()
        me = api.client.get("/api/v1/me")  # the cookie alone
        assert me.json()["address"] == wallet.address
        api.client.cookies.clear()
        token = answer.json()["token"]
        me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200

    def test_replayed_message(self, api: Api) -> None:
        """The same signed message a second time is refused: the nonce is spent."""
        body = _signed(EthAccount.create(), _nonce(api))
        assert api.client.post("/api/v1/auth/siwe", json=body).status_code == 200
        again = api.client.post("/api/v1/auth/siwe", json=body)
        assert again.status_code == 401
        assert "used already" in again.json()["detail"]

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"domain": "evil.example"}, "domain"),
            ({"chain_id": 5}, "chain_id"),
            ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, "expired"),
        ],
    )
    def test_bad_message(self, api: Api, change: dict[str, object], reason: str) -> None:
        """A wrong domain, a wrong chain id or an expired message is a 401 saying which."""
        body = _signed(EthAccount.create(), _nonce(api), **change)  # type: ignore[arg-type]
        answer = api.client.post("/api/v1/auth/siwe", json=body)
        assert answer.status_code == 401
        assert reason in answer.json()["detail"]

    def test_signature_of_someone_else(self, api: Api) -> None:
        """A message naming one address but signed by another key is a 401."""
        wallet, thief = EthAccount.create(), EthAccount.create()
        body = _signed(wallet, _nonce(api))
        body["signature"] = "0x" + thief.sign_message(
            encode_defunct(text=body["message"])
        ).signature.hex().removeprefix("0x")
        answer = api.client.post("/api/v1/auth/siwe", json=body)
        assert answer.status_code == 401
        assert answer.json()["detail"].startswith("signature")

    def test_unknown_nonce(self, api: Api) -> None:
        """A nonce this server never issued is a 401."""
        answer = api.client.post(
            "/api/v1/auth/siwe", json=_signed(EthAccount.create(), "0123456789abcdef")
        )
        assert answer.status_code == 401
        assert "not issued" in answer.json()["detail"]

    def test_logout_ends_session(self, api: Api) -> None:
        """After logout the session's token no longer works."""
        token = api.client.post(
            "/api/v1/auth/siwe", json=_signed(EthAccount.create(), _nonce(api))
        ).json()["token"]
        api.client.cookies.clear()
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        after = api.client.get("/api/v1/me", headers=headers)
        assert after.status_code == 401
        assert "signed out" in after.json()["detail"]


class TestTokens:
    """/tokens: create, list, revoke."""

    def test_token_life_cycle(self, api: Api) -> None:
        """A new token works, is listed without its secret, and stops working when revoked."""
        actor = api.actor("annotator")
        made = api.client.post("/api/v1/tokens", json={"name": "script"}, headers=actor.headers)
        assert made.status_code == 201
        secret = made.json()["token"]
        listed = api.client.get("/api/v1/tokens", headers=actor.headers).json()
        assert {t["name"] for t in listed} == {"tests", "script"}
        assert all("token" not in t for t in listed)
        headers = {"Authorization": f"Bearer {secret}"}
        assert api.client.get("/api/v1/me", headers=headers).status_code == 200
        revoked = api.client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=actor.headers)
        assert revoked.json()["revoked_at"] is not None
        after = api.client.get("/api/v1/me", headers=headers)
        assert after.status_code == 401
        assert "revoked" in after.json()["detail"]

    def test_revoke_other_accounts_token(self, api: Api) -> None:
        """Revoking someone else's token is a 404 that does not reveal it."""
        owner, other = api.actor("annotator"), api.actor("annotator")
        made = api.client.post("/api/v1/tokens", json={"name": "x"}, headers=owner.headers)
        answer = api.client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=other.headers)
        assert answer.status_code == 404

    def test_no_credentials(self, api: Api) -> None:
        """A request without token or cookie is a 401 naming the authorization."""
        answer = api.client.get("/api/v1/me")
        assert answer.status_code == 401
        assert answer.json()["detail"].startswith("authorization")


@dataclass
class ManualClock:
    """A monotonic clock that moves only when a test moves it."""

    now_s: float = 0.0

    def __call__(self) -> float:
        """The current time in seconds."""
        return self.now_s


def _limit_sign_in(api: Api, per_min: float) -> ManualClock:
    """Replace the app's sign-in limiter by one of ``per_min`` on a manual clock."""
    clock = ManualClock()
    limiter = RateLimiter(per_min / 60, burst=per_min, clock=clock)
    api.client.app.state.sign_in_limiter = limiter  # type: ignore[attr-defined]
    return clock


def _client_at(api: Api, host: str) -> TestClient:
    """A client of the same running app whose requests come from ``host``."""
    return TestClient(api.client.app, client=(host, 50_000))


class TestSignInRateLimit:
    """GET /auth/nonce and POST /auth/siwe are limited per client address."""

    def test_nonce_limited_per_address(self, api: Api) -> None:
        """Past its limit an address gets a 429 JSON error with Retry-After; others do not."""
        _limit_sign_in(api, per_min=3)
        first, second = _client_at(api, "198.51.100.1"), _client_at(api, "198.51.100.2")
        codes = [first.get("/api/v1/auth/nonce").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = first.get("/api/v1/auth/nonce")
        assert refused.json()["error"] == "RateLimited"
        assert refused.json()["detail"].startswith("client: more than 3 requests a minute")
        assert refused.headers["Retry-After"] == "20"  # one request refills in 60/3 s
        assert second.get("/api/v1/auth/nonce").status_code == 200

    def test_siwe_limited_and_recovers(self, api: Api) -> None:
        """A limited address cannot sign in until its bucket refills; then it can."""
        clock = _limit_sign_in(api, per_min=2)
        client, other = _client_at(api, "198.51.100.1"), _client_at(api, "198.51.100.2")
        wallet = EthAccount.create()
        good = _signed(wallet, client.get("/api/v1/auth/nonce").json()["nonce"])
        unknown = _signed(EthAccount.create(), "0123456789abcdef")
        assert client.post("/api/v1/auth/siwe", json=unknown).status_code == 401
        refused = client.post("/api/v1/auth/siwe", json=good)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "30"
        assert other.post("/api/v1/auth/siwe", json=unknown).status_code == 401
        clock.now_s = 29.0
        assert client.post("/api/v1/auth/siwe", json=good).status_code == 429
        clock.now_s = 30.0
        signed_in = client.post("/api/v1/auth/siwe", json=good)
        assert signed_in.status_code == 200, signed_in.text  # the refused tries spent no nonce
        assert signed_in.json()["address"] == wallet.address

    def test_ipv6_counted_per_network(self, api: Api) -> None:
        """Addresses of one IPv6 /64 share a limit; another /64 has its own."""
        _limit_sign_in(api, per_min=1)
        assert _client_at(api, "2001:db8::1").get("/api/v1/auth/nonce").status_code == 200
        assert _client_at(api, "2001:db8::2").get("/api/v1/auth/nonce").status_code == 429
        assert _client_at(api, "2001:db8:0:1::1").get("/api/v1/auth/nonce").status_code == 200

    @pytest.mark.parametrize(("per_min", "refused"), [(2, 1), (0, 0)])
    def test_limit_from_settings(
        self, fresh_database_url: str, tmp_path: Path, per_min: float, refused: int
    ) -> None:
        """``auth_rate_limit_per_min`` sets the limit (at 2, the third is refused); 0 is none."""
        settings = load_settings(
            database_url=fresh_database_url,
            auth_rate_limit_per_min=per_min,
            media_dir=tmp_path / "media",
        )
        with TestClient(create_app(settings)) as client:
            codes = [client.get("/api/v1/auth/nonce").status_code for _ in range(3)]
        assert codes.count(429) == refused
        assert codes.count(200) == 3 - refused

    def test_default_limit_is_sane(self) -> None:
        """By default an address may sign in dozens of times a minute, not without end."""
        assert 10 <= Settings().auth_rate_limit_per_min <= 600
        with pytest.raises(ValidationError, match="auth_rate_limit_per_min"):
            Settings(auth_rate_limit_per_min=-1)

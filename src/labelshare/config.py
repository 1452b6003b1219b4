"""Settings, read once at the edge (the CLI callback, ``create_app``) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///labelshare.db"
_PLACEHOLDER_SECRET = "change-me"


class Settings(BaseSettings):
    """labelshare's configuration; every field can be set as ``LABELSHARE_<NAME>``.

    Attributes:
        database_url: SQLAlchemy URL; SQLite by default, PostgreSQL by ``postgresql://...``.
        media_dir: folder of content-addressed media files (images of bbox projects).
        environment: ``production`` refuses placeholder secrets.
        secret_key: signs session cookies; must be set outside development.
        lease_ttl_s: how long an assignment is reserved for its annotator.
        siwe_domain: the domain sign-in messages must name; ``host:port`` when unset.
        chain_id: the EIP-155 chain id sign-in messages must name.
        session_ttl_s: lifetime of a session made by signing in.
        rate_limit_per_s: sustained requests per second per token (bursts of twice that).
        auth_rate_limit_per_min: requests a minute to the sign-in endpoints
            (``/auth/nonce``, ``/auth/siwe``) from one client address (an IPv6 /64),
            all of which may come at once.
        settlement_backend: where epoch roots are published and claims paid: ``local``
            (the database) or ``evm`` (labelshare's contracts on a chain).
        rpc_url: JSON-RPC URL of the chain for the ``evm`` backend.
        chain_deployment_file: JSON file ``labelshare chain deploy`` writes the contract
            addresses to.
        sqlite_synchronous: SQLite's ``synchronous`` pragma. ``FULL`` survives power loss;
            ``NORMAL`` survives a killed process but may lose the last commits on power loss.
    """

    model_config = SettingsConfigDict(env_prefix="LABELSHARE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    media_dir: Path = Path("media")
    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = _PLACEHOLDER_SECRET
    lease_ttl_s: int = Field(default=600, gt=0)
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, gt=0, lt=65_536)
    # Sign-in with Ethereum: the host[:port] wallets' messages must name (default
    # host:port), the chain they are bound to, and how long a signed-in session lasts.
    siwe_domain: str | None = None
    chain_id: int = Field(default=1, ge=0)
    session_ttl_s: int = Field(default=7 * 24 * 3600, gt=0)
    # Requests per second allowed to one token or session (0 turns the limit off).
    rate_limit_per_s: float = Field(default=50.0, ge=0.0)
    # Sign-in takes two requests (nonce, then the signed message), so the default lets
    # one address (an office behind NAT, say) sign in 30 times a minute; it bounds the
    # nonce rows and signature checks an anonymous flood can cost. 0 turns it off.
    # uvicorn takes the client address from X-Forwarded-For of proxies on 127.0.0.1;
    # set FORWARDED_ALLOW_IPS for a proxy elsewhere, or every client shares its limit.
    auth_rate_limit_per_min: float = Field(default=60.0, ge=0.0)
    # Settlement on a chain: no key lives here; commands read key files.
    settlement_backend: Literal["local", "evm"] = "local"
    rpc_url: str | None = None
    chain_deployment_file: Path = Path("labelshare-chain.json")

    @model_validator(mode="after")
    def _enforce_real_secrets(self) -> Settings:
        if self.environment == "production" and self.secret_key == _PLACEHOLDER_SECRET:
            raise ValueError(
                "secret_key: set LABELSHARE_SECRET_KEY to a random value in production"
            )
        return self


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides taking precedence."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})

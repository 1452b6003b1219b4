"""An app on a fresh database, and signed-in clients for every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account as EthAccount
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from labelshare.api import create_app
from labelshare.config import load_settings
from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work


@dataclass
class Actor:
    """A wallet with an account and an API token."""

    wallet: LocalAccount
    token: str

    @property
    def address(self) -> str:
        """The wallet's address."""
        return str(self.wallet.address)

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header of the actor's token."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    """A test client and a way into the same database."""

    client: TestClient
    sessions: sessionmaker[Session]

    def actor(self, *roles: str, domains: tuple[str, ...] = ()) -> Actor:
        """A new wallet holding ``roles`` and ``domains``, with a token."""
        wallet = EthAccount.create()
        with unit_of_work(self.sessions) as session:
            account = ensure_account(session, wallet.address, roles=roles, domains=domains)
            secret, _ = create_api_token(session, account, name="tests")
        return Actor(wallet=wallet, token=secret)


@pytest.fixture
def api(fresh_database_url: str, tmp_path: Path) -> Iterator[Api]:
    """A running app (rate limit off) on a fresh database."""
    settings = load_settings(
        database_url=fresh_database_url, rate_limit_per_s=0.0, media_dir=tmp_path / "media"
    )
    engine = make_engine(fresh_database_url)
    with TestClient(create_app(settings)) as client:
        yield Api(client=client, sessions=make_sessionmaker(engine))
    engine.dispose()


SENTIMENT = {"kind": "classification", "classes": ["pos", "neg", "neu"]}


def jsonl(*rows: str) -> bytes:
    """A JSONL upload body."""
    return ("\n".join(rows) + "\n").encode()


def make_project(api: Api, owner: Actor, *, items: int = 3, **terms: object) -> int:
    """A project of ``owner`` with ``items`` text items, activated; returns its id."""
    spec = {"name": f"p-{owner.address[-8:]}-{len(terms)}", "schema": SENTIMENT, "gold_rate": 0.0}
    spec.update(terms)
    created = api.client.post("/api/v1/projects", json=spec, headers=owner.headers)
    assert created.status_code == 201, created.text
    project_id = int(created.json()["id"])
    if items:
        body = jsonl(*(f'{{"id": "t{n}", "text": "text {n}"}}' for n in range(items)))
        uploaded = api.client.post(
            f"/api/v1/projects/{project_id}/items",
            files={"files": ("items.jsonl", body, "application/x-ndjson")},
            headers=owner.headers,
        )
        assert uploaded.status_code == 201, uploaded.text
    activated = api.client.post(
        f"/api/v1/projects/{project_id}/status", json={"status": "active"}, headers=owner.headers
    )
    assert activated.status_code == 200, activated.text
    return project_id

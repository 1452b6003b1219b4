"""A live server on loopback with a fresh SQLite database, and Debian's Chromium.

The server runs as ``labelshare serve`` in a subprocess, so the browser talks to the
real application over HTTP. Accounts and tokens are made through the services, as an
operator would with the CLI. Screenshots go to ``test-artifacts/web/``; with
``LABELSHARE_UPDATE_SCREENSHOTS=1`` they are copied to ``docs/screenshots/`` too.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account as EthAccount
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.store.migrate import upgrade
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artifacts" / "web"
DOC_SHOTS = ROOT / "docs" / "screenshots"
_STARTUP_S = 120.0
"""Generous: a loaded machine without bytecode caches takes many seconds to import the app."""
_EXPECT_TIMEOUT_MS = 20_000
"""How long a page may take to show what a test expects (the machine may be busy)."""


@dataclass(frozen=True)
class LiveServer:
    """A running server: its URL and its database."""

    url: str
    database_url: str
    clients: list[httpx.Client] = field(default_factory=list)

    def user(self, *roles: str, domains: tuple[str, ...] = ()) -> User:
        """A new account with ``roles`` and an API token for it."""
        address = EthAccount.create().address
        engine = make_engine(self.database_url)
        try:
            with unit_of_work(make_sessionmaker(engine)) as session:
                account = ensure_account(session, address, roles=list(roles), domains=list(domains))
                token = create_api_token(session, account, name="browser test")[0]
        finally:
            engine.dispose()
        return User(address=address, token=token, api=self.api(token))

    def api(self, token: str) -> httpx.Client:
        """An HTTP client of the public API that sends ``token``."""
        client = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30.0,
        )
        self.clients.append(client)  # closed with the server
        return client


@dataclass(frozen=True)
class User:
    """An account with its token and an API client acting as it."""

    address: str
    token: str
    api: httpx.Client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``labelshare serve`` on a free loopback port over a fresh SQLite database."""
    folder = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{folder / 'web.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    port = _free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "labelshare"),
            "--db",
            database_url,
            "--media-dir",
            str(folder / "media"),
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LABELSHARE_ENVIRONMENT": "development"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + _STARTUP_S
    try:
        while True:
            try:
                if httpx.get(url + "/", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {(folder / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        server = LiveServer(url=url, database_url=database_url)
        yield server
        for client in server.clients:
            client.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver for this module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium, or deselect with -m 'not browser'"
        )
    expect.set_options(timeout=_EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def new_page(browser: Browser, *, width: int = 1280, height: int = 800) -> tuple[Page, list[str]]:
    """A page in a fresh context (its own storage) and the list its script errors go to."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def sign_in(page: Page, server: LiveServer, token: str) -> None:
    """Sign in through the sign-in page with an API token."""
    page.goto(server.url + "/")
    page.get_by_label("API token", exact=True).fill(token)
    page.locator("form[aria-labelledby=token-title] button[type=submit]").click()
    page.wait_for_url("**/#/projects")


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact (and in the docs when asked)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("LABELSHARE_UPDATE_SCREENSHOTS") == "1":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SHOTS / path.name)
    return path


_project_names = itertools.count(1)


def make_project(
    server: LiveServer,
    schema: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    instructions: str = "Label **carefully**.",
) -> tuple[int, User]:
    """An active project of ``schema`` with ``rows`` as JSONL items; returns it and its owner."""
    owner = server.user("requester")
    spec = {
        "name": f"{schema['kind']}-{next(_project_names)}",
        "schema": schema,
        "gold_rate": 0,
        "instructions": instructions,
    }
    project = owner.api.post("/projects", json=spec).raise_for_status().json()
    body = "".join(json.dumps(row) + "\n" for row in rows).encode()
    owner.api.post(
        f"/projects/{project['id']}/items",
        files={"files": ("items.jsonl", body, "application/x-ndjson")},
    ).raise_for_status()
    owner.api.post(
        f"/projects/{project['id']}/status", json={"status": "active"}
    ).raise_for_status()
    return int(project["id"]), owner

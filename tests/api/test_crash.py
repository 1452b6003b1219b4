"""Crash test: a real server killed with SIGKILL mid-load loses or doubles no label."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from labelshare.core.statuses import AssignmentStatus
from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.models import Annotation, Assignment, Item
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work
from tests.factories import SENTIMENT, new_address

CLIENTS = 4
ITEMS = 300
KILL_AFTER_ACKS = 60
LABELSHARE = str(Path(sys.executable).with_name("labelshare"))
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """``labelshare serve`` as a child process."""

    url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        env = {**os.environ, "LABELSHARE_RATE_LIMIT_PER_S": "0"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [LABELSHARE, "--db", self.url, "serve", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        # Generous: a loaded CI machine takes many seconds to import the app.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/docs", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Stop it if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)


@dataclass
class Load:
    """What the clients were told: acknowledged (annotator token, item, annotation id)."""

    acked: list[tuple[str, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    restarted: threading.Event = field(default_factory=threading.Event)
    errors: list[str] = field(default_factory=list)


def _client(base: str, token: str, project_id: int, load: Load) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        for _ in range(ITEMS):
            try:
                task = http.get(f"/api/v1/projects/{project_id}/next")
            except httpx.TransportError:
                load.restarted.wait(60)
                continue
            if task.status_code == 404:
                return
            if task.status_code != 200:
                load.errors.append(f"next: {task.status_code} {task.text}")
                return
            item_id = task.json()["item_id"]
            body = {"project_id": project_id, "item_id": item_id, "value": "pos"}
            key = {"Idempotency-Key": f"{token[-8:]}-{item_id}"}
            for _attempt in range(3):
                try:
                    sent = http.post("/api/v1/annotations", json=body, headers=key)
                except httpx.TransportError:
                    load.restarted.wait(60)  # then retry with the same key
                    continue
                if sent.status_code in (200, 201):
                    with load.lock:
                        load.acked.append((token, item_id, sent.json()["id"]))
                else:
                    load.errors.append(f"annotations: {sent.status_code} {sent.text}")
                break


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server process on the fresh database (stopped at the end)."""
    running = Server(url=fresh_database_url, port=_free_port(), log=tmp_path / "server.log")
    yield running
    running.stop()


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_sigkill_mid_load(server: Server, fresh_database_url: str) -> None:
    """After SIGKILL and restart, every acknowledged label is stored once, nothing half."""
    engine = make_engine(fresh_database_url)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        owner = ensure_account(session, new_address(), roles=["requester"])
        project = create_project(
            session,
            owner,
            {
                "name": "crash",
                "schema": SENTIMENT,
                "gold_rate": 0.0,
                "redundancy_min": CLIENTS,
                "redundancy_max": CLIENTS,
            },
        )
        set_project_status(session, project, "active")
        session.add_all(
            Item(
                project_id=project.id,
                external_id=f"i{n}",
                payload={"text": f"t{n}"},
                label_target=CLIENTS,
            )
            for n in range(ITEMS // CLIENTS)
        )
        tokens = []
        for _ in range(CLIENTS):
            annotator = ensure_account(session, new_address(), roles=["annotator"])
            tokens.append(create_api_token(session, annotator, name="crash")[0])
        project_id = project.id
    server.start()
    load = Load()
    base = f"http://127.0.0.1:{server.port}"
    threads = [
        threading.Thread(target=_client, args=(base, token, project_id, load)) for token in tokens
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(load.acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    killed_at = len(load.acked)
    server.start()
    load.restarted.set()
    for thread in threads:
        thread.join(60)
    assert not load.errors, load.errors[:5]
    assert killed_at >= KILL_AFTER_ACKS
    assert len(load.acked) > killed_at  # work went on after the restart

    with unit_of_work(sessions) as session:
        stored = {
            row.id: (row.annotator_id, row.item_id)
            for row in session.execute(
                select(Annotation.id, Annotation.annotator_id, Annotation.item_id)
            )
        }
        # Every acknowledged label is there, once.
        assert {annotation_id for _, _, annotation_id in load.acked} <= set(stored)
        assert len(set(stored.values())) == len(stored)
        # Nothing half-written: counters and lease statuses agree with the labels.
        for item_id, n_labels, n_active in session.execute(
            select(Item.id, Item.n_labels, Item.n_active)
        ):
            labels = sum(1 for _, i in stored.values() if i == item_id)
            assert n_labels == labels
            leased = session.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(
                    Assignment.item_id == item_id,
                    Assignment.status == AssignmentStatus.LEASED.value,
                )
            )
            assert n_active == labels + (leased or 0)
        submitted = {
            (annotator_id, item_id)
            for annotator_id, item_id in session.execute(
                select(Assignment.annotator_id, Assignment.item_id).where(
                    Assignment.status == AssignmentStatus.SUBMITTED.value
                )
            )
        }
        assert submitted == set(stored.values())
    engine.dispose()

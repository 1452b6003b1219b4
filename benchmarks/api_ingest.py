"""Annotation submissions through real HTTP: submissions/s and latency, SQLite and PostgreSQL.

Starts ``labelshare serve`` as a child process on loopback, prepares items already
leased to 16 annotators (so every request takes the full path: token, schema
validation, lease check, durable commit before the 201), and sends N submissions at
concurrency 1 and 16 with an aiohttp client in this process, whose own CPU time is
reported beside the figures. Servers are stopped by PID at the end. Run from the
project root:

    .venv/bin/python benchmarks/api_ingest.py [--n 5000] [--pg-url postgresql://postgres@127.0.0.1/postgres]
        [--workers 1] [--no-signatures]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
from eth_account import Account as EthAccount
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from labelshare.chain.eip712 import sign_annotation
from labelshare.schema import value_sha256
from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.migrate import upgrade
from labelshare.store.models import Assignment, Item
from labelshare.store.session import make_engine, make_sessionmaker, normalize_url, unit_of_work
from labelshare.store.types import utcnow

LABELSHARE = str(Path(sys.executable).with_name("labelshare"))
CLASSES = ["pos", "neg", "neu"]
ANNOTATORS = 16
console = Console()


@dataclass(frozen=True)
class Job:
    """One prepared POST /annotations."""

    token: str
    body: dict[str, object]


@dataclass(frozen=True)
class Result:
    """One load run."""

    label: str
    concurrency: int
    sent: int
    ok: int
    seconds: float
    p50_ms: float
    p99_ms: float
    client_cpu_s: float

    @property
    def rate(self) -> float:
        """Successful submissions per second."""
        return self.ok / self.seconds


def prepare(url: str, n_items: int, *, signed: bool) -> list[Job]:
    """A project of ``n_items`` items, each leased to one of 16 annotators, and its jobs."""
    engine = make_engine(url)
    upgrade(engine)
    wallets = [EthAccount.create() for _ in range(ANNOTATORS)]
    with unit_of_work(make_sessionmaker(engine)) as session:
        owner = ensure_account(session, EthAccount.create().address, roles=["requester"])
        spec = {
            "name": f"bench-{uuid.uuid4().hex[:8]}",
            "schema": {"kind": "classification", "classes": CLASSES},
            "gold_rate": 0.0,
            "redundancy_min": 1,
            "redundancy_max": 1,
            "requires_signature": signed,
        }
        project = create_project(session, owner, spec)
        set_project_status(session, project, "active")
        annotators, tokens = [], []
        for wallet in wallets:
            account = ensure_account(session, wallet.address, roles=["annotator"])
            annotators.append(account.id)
            tokens.append(create_api_token(session, account, name="bench")[0])
        now = utcnow()
        item_ids = list(
            session.execute(
                insert(Item).returning(Item.id),
                [
                    {
                        "project_id": project.id,
                        "external_id": f"i{n}",
                        "payload": {"text": f"text {n}"},
                        "is_gold": False,
                        "n_labels": 0,
                        "n_active": 1,
                        "label_target": 1,
                        "created_at": now,
                    }
                    for n in range(n_items)
                ],
            ).scalars()
        )
        session.execute(
            insert(Assignment),
            [
                {
                    "project_id": project.id,
                    "item_id": item_id,
                    "annotator_id": annotators[n % ANNOTATORS],
                    "status": "leased",
                    "leased_at": now,
                    "expires_at": now + timedelta(hours=2),
                }
                for n, item_id in enumerate(item_ids)
            ],
        )
        project_id = project.id
    engine.dispose()
    jobs = []
    for n, item_id in enumerate(item_ids):
        value = CLASSES[n % 3]
        body: dict[str, object] = {"project_id": project_id, "item_id": item_id, "value": value}
        if signed:
            nonce = f"n{n}"
            key = bytes(wallets[n % ANNOTATORS].key)
            body["signature"] = sign_annotation(
                key, project_id, item_id, value_sha256(value), nonce
            )
            body["nonce"] = nonce
        jobs.append(Job(token=tokens[n % ANNOTATORS], body=body))
    return jobs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """``labelshare serve`` on loopback with the rate limit off; waits until it answers."""
    env = {**os.environ, "LABELSHARE_RATE_LIMIT_PER_S": "0", "LABELSHARE_DATABASE_URL": url}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                *(LABELSHARE, "--db", url, "serve", "--port", str(port)),
                *("--workers", str(workers), "--no-access-log"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(1.0 if workers > 1 else 0.2)  # let every worker finish booting
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server by its PID (SIGTERM, then SIGKILL)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _load(base: str, jobs: list[Job], concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    cursor = iter(jobs)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as http:

        async def worker() -> None:
            nonlocal failures
            for job in cursor:
                started = time.perf_counter()
                async with http.post(
                    "/api/v1/annotations",
                    json=job.body,
                    headers={"Authorization": f"Bearer {job.token}"},
                ) as response:
                    await response.read()
                    if response.status == 201:
                        latencies.append(time.perf_counter() - started)
                    else:
                        failures += 1
                        if failures <= 3:
                            console.print(f"[red]{response.status}[/] {await response.text()}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures


def run_load(label: str, base: str, jobs: list[Job], concurrency: int) -> Result:
    """Send ``jobs`` at ``concurrency`` and measure; the client's CPU is this process's."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    latencies, _ = asyncio.run(_load(base, jobs, concurrency))
    seconds, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        label=label,
        concurrency=concurrency,
        sent=len(jobs),
        ok=len(latencies),
        seconds=seconds,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        client_cpu_s=cpu,
    )


def _fresh_postgres(admin_url: str) -> str:
    name = f"labelshare_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalize_url(admin_url)).set(database=name).render_as_string(False)


def _drop_postgres(admin_url: str, url: str) -> None:
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def bench_labelshare(
    backend: str, url: str, n: int, workers: int, signed: bool, tmp: Path
) -> list[Result]:
    """Both concurrencies against one server on a fresh database."""
    jobs = prepare(url, 2 * n, signed=signed)
    port = _free_port()
    server = start_server(url, port, workers, tmp / f"server-{backend}-{signed}.log")
    label = f"labelshare {backend} w={workers} sig={'on' if signed else 'off'}"
    try:
        base = f"http://127.0.0.1:{port}"
        return [run_load(label, base, jobs[:n], 1), run_load(label, base, jobs[n:], 16)]
    finally:
        stop_server(server)


def main() -> None:
    """Parse options, run every configuration, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="submissions per run")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--pg-url", default=None, help="PostgreSQL server URL (a database is made and dropped)"
    )
    parser.add_argument("--no-signatures", action="store_true", help="skip the signed runs")
    args = parser.parse_args()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="labelshare-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for signed in [False] if args.no_signatures else [False, True]:
            url = f"sqlite:///{tmp / f'bench-{signed}.db'}"
            results += bench_labelshare("sqlite", url, args.n, 1, signed, tmp)
            if args.pg_url:
                pg = _fresh_postgres(args.pg_url)
                try:
                    results += bench_labelshare("postgresql", pg, args.n, args.workers, signed, tmp)
                finally:
                    _drop_postgres(args.pg_url, pg)
    table = Table(title=f"POST /api/v1/annotations, {args.n} submissions per run, loopback")
    for column in ("server", "conc.", "ok/sent", "subm./s", "p50 ms", "p99 ms", "client CPU"):
        table.add_column(column, justify="right" if column != "server" else "left")
    for r in results:
        table.add_row(
            r.label,
            str(r.concurrency),
            f"{r.ok}/{r.sent}",
            f"{r.rate:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.client_cpu_s / r.seconds:.0%} of a core",
        )
    console.print(table)


if __name__ == "__main__":
    main()

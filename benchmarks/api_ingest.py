"""Annotation submissions through real HTTP: submissions/s and latency, SQLite and PostgreSQL.

Starts ``labelshare serve`` as a child process on loopback, prepares items already
leased to 16 annotators (so every request takes the full path: token, schema
validation, lease check, durable commit before the 201), and sends N submissions at
concurrency 1 and 16 with an aiohttp client in this process (or ``wrk``), whose own CPU
time is reported beside the figures. With ``--vs-label-studio`` the same load goes to
Label Studio on the same machine (see ``labelstudio_peer.py``) and the ratio is
printed. Servers are stopped by PID at the end. Run from the project root:

    .venv/bin/python benchmarks/api_ingest.py [--n 5000] [--pg-url postgresql://postgres@127.0.0.1/postgres]
        [--workers 1] [--no-signatures] [--vs-label-studio [--ls-venv DIR]] [--client wrk]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
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
from rich.markup import escape
from rich.table import Table
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

import labelstudio_peer
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
CONCURRENCIES = (1, 16)
# Items prepared beyond N per run: wrk keeps every connection busy, so up to
# concurrency - 1 requests are still on the way when the N-th answer arrives.
SLACK = max(CONCURRENCIES)
LOCKED = "database is locked"
console = Console(width=None if sys.stdout.isatty() else 132)


@dataclass(frozen=True)
class Job:
    """One prepared POST of a label: where, as whom, and what."""

    path: str
    authorization: str
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
    locked: int = 0  # error answers that mention SQLite's "database is locked"

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
        jobs.append(
            Job(
                path="/api/v1/annotations",
                authorization=f"Bearer {tokens[n % ANNOTATORS]}",
                body=body,
            )
        )
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
    """Send every job, ``concurrency`` at a time; 201 latencies and locked-error count."""
    latencies: list[float] = []
    failures = locked = 0
    cursor = iter(jobs)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as http:

        def failed(what: str) -> None:
            nonlocal failures, locked
            failures += 1
            locked += LOCKED in what
            if failures <= 3:
                console.print(f"[red]{escape(what[:300])}[/]")

        async def worker() -> None:
            for job in cursor:
                started = time.perf_counter()
                try:
                    async with http.post(
                        job.path, json=job.body, headers={"Authorization": job.authorization}
                    ) as response:
                        body = await response.read()
                except aiohttp.ClientError as exc:  # a dropped connection is a failure too
                    failed(f"{type(exc).__name__}: {exc}")
                    continue
                if response.status == 201:
                    latencies.append(time.perf_counter() - started)
                else:
                    failed(f"{response.status} {body.decode(errors='replace')}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, locked


# One POST per line of the jobs file (path TAB authorization TAB JSON body). wrk has no
# request count, only a duration its main thread sleeps through, so once ``target``
# answers are in the thread stops, notes its own elapsed time (LuaJIT's ffi reaches
# clock_gettime) and touches a marker file; the benchmark then sends SIGINT, which ends
# that sleep. done() runs in wrk's main Lua state and reads each thread's globals.
WRK_SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC, timespec = 1, ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local jobs, cursor, target, marker, started_us = {}, 0, 0, nil, nil
ok, failed, locked, elapsed_us = 0, 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local a = line:find("\t", 1, true)
    local b = line:find("\t", a + 1, true)
    jobs[#jobs + 1] = {line:sub(1, a - 1), line:sub(a + 1, b - 1), line:sub(b + 1)}
  end
  target, marker = tonumber(args[2]), args[3]
end

function request()
  started_us = started_us or now_us()
  cursor = math.min(cursor + 1, #jobs)
  local job = jobs[cursor]
  local headers = {["Authorization"] = job[2], ["Content-Type"] = "application/json"}
  return wrk.format("POST", job[1], headers, job[3])
end

function response(status, headers, body)
  if ok + failed >= target then return end  -- answers already in flight at the n-th
  if status == 201 then
    ok = ok + 1
  else
    failed = failed + 1
    if body:find("database is locked", 1, true) then locked = locked + 1 end
    if failed <= 3 then io.stderr:write(status .. " " .. body:sub(1, 300) .. "\n") end
  end
  if ok + failed == target then
    elapsed_us = now_us() - started_us
    io.open(marker, "w"):close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local sums = {0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    sums[1] = sums[1] + thread:get("ok")
    sums[2] = sums[2] + thread:get("failed")
    sums[3] = sums[3] + thread:get("locked")
    sums[4] = math.max(sums[4], thread:get("elapsed_us"))
  end
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", sums[1], sums[2], sums[3], sums[4],
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(label: str, base: str, jobs: list[Job], concurrency: int, n: int, tmp: Path) -> Result:
    """Send ``n`` of ``jobs`` with wrk (one thread); its CPU is that of the child process.

    wrk's latencies cover every answer, errors included; socket errors count as sent
    and failed. The time is wrk's own, from its first request to the ``n``-th answer.
    """
    lines, script, marker = tmp / "wrk-jobs.tsv", tmp / "wrk-post.lua", tmp / "wrk-done"
    lines.write_text(
        "".join(f"{job.path}\t{job.authorization}\t{json.dumps(job.body)}\n" for job in jobs)
    )
    script.write_text(WRK_SCRIPT)
    marker.unlink(missing_ok=True)
    command = [
        *("wrk", "--threads", "1", "--connections", str(concurrency)),
        *("--duration", "3600s", "--timeout", "120s", "--script", str(script), base),
        *("--", str(lines), str(n), str(marker)),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while process.poll() is None and not marker.exists():
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)  # ends wrk's sleep; it then prints its summary
    stdout, stderr = process.communicate(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if stderr:
        console.print(f"[red]{escape(stderr.strip()[:1000])}[/]")
    result_lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not result_lines:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{stdout[-2000:]}")
    ok, failed, locked, elapsed_us, p50_us, p99_us, socket_errors = map(
        int, result_lines[0].split()[1:]
    )
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Result(
        label=label,
        concurrency=concurrency,
        sent=ok + failed + socket_errors,
        ok=ok,
        seconds=elapsed_us / 1e6,
        p50_ms=p50_us / 1000,
        p99_ms=p99_us / 1000,
        client_cpu_s=cpu,
        locked=locked,
    )


def run_load(
    label: str, base: str, jobs: list[Job], concurrency: int, *, n: int, client: str, tmp: Path
) -> Result:
    """Send ``n`` of ``jobs`` at ``concurrency`` with ``client`` and measure it."""
    if client == "wrk":
        return run_wrk(label, base, jobs, concurrency, n, tmp)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    latencies, locked = asyncio.run(_load(base, jobs[:n], concurrency))
    seconds, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        label=label,
        concurrency=concurrency,
        sent=n,
        ok=len(latencies),
        seconds=seconds,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        client_cpu_s=cpu,
        locked=locked,
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


def _runs(
    label: str, base: str, jobs: list[Job], *, n: int, client: str, tmp: Path
) -> list[Result]:
    """One run per concurrency, each on its own ``n + SLACK`` jobs."""
    per_run = n + SLACK
    return [
        run_load(label, base, jobs[k * per_run : (k + 1) * per_run], c, n=n, client=client, tmp=tmp)
        for k, c in enumerate(CONCURRENCIES)
    ]


def bench_labelshare(
    backend: str, url: str, n: int, workers: int, signed: bool, tmp: Path, client: str
) -> list[Result]:
    """Both concurrencies against one server on a fresh database."""
    jobs = prepare(url, len(CONCURRENCIES) * (n + SLACK), signed=signed)
    port = _free_port()
    server = start_server(url, port, workers, tmp / f"server-{backend}-{signed}.log")
    label = f"labelshare {backend} w={workers} sig={'on' if signed else 'off'}"
    try:
        return _runs(label, f"http://127.0.0.1:{port}", jobs, n=n, client=client, tmp=tmp)
    finally:
        stop_server(server)


def bench_label_studio(n: int, venv: Path, tmp: Path, client: str) -> tuple[list[Result], int]:
    """The same load against Label Studio (SQLite, ``label-studio start``).

    Returns:
        The results and how many "database is locked" errors Label Studio logged.
    """
    data_dir = tmp / "label-studio"
    data_dir.mkdir()
    console.print("starting Label Studio (its first start migrates SQLite: minutes) ...")
    server = labelstudio_peer.start(venv, _free_port(), data_dir, tmp / "label-studio.log")
    try:
        texts = [f"text {k}" for k in range(len(CONCURRENCIES) * (n + SLACK))]
        task_ids = labelstudio_peer.create_project(server, CLASSES, texts)
        jobs = [
            Job(
                path=f"/api/tasks/{task_id}/annotations/",
                authorization=server.authorization,
                body=labelstudio_peer.annotation_body(CLASSES[k % 3]),
            )
            for k, task_id in enumerate(task_ids)
        ]
        label = f"Label Studio {server.version} sqlite"
        results = _runs(label, server.base, jobs, n=n, client=client, tmp=tmp)
    finally:
        labelstudio_peer.stop(server)
    return results, labelstudio_peer.locked_errors_logged(server)


def main() -> None:
    """Parse options, run every configuration, print one table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="submissions per run")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--pg-url", default=None, help="PostgreSQL server URL (a database is made and dropped)"
    )
    parser.add_argument("--no-signatures", action="store_true", help="skip the signed runs")
    parser.add_argument(
        "--client",
        choices=["aiohttp", "wrk"],
        default="aiohttp",
        help="load client: aiohttp in this process, or wrk (Debian package) as a child",
    )
    parser.add_argument(
        "--vs-label-studio",
        action="store_true",
        help="send the same load to Label Studio (SQLite) and print the ratio",
    )
    parser.add_argument(
        "--ls-venv",
        type=Path,
        default=labelstudio_peer.DEFAULT_VENV,
        help="venv holding Label Studio (pip-installed there when missing)",
    )
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--client wrk: no wrk on PATH (apt-get install wrk)")
    results: list[Result] = []
    locked_in_log = 0
    with tempfile.TemporaryDirectory(prefix="labelshare-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for signed in [False] if args.no_signatures else [False, True]:
            url = f"sqlite:///{tmp / f'bench-{signed}.db'}"
            results += bench_labelshare("sqlite", url, args.n, 1, signed, tmp, args.client)
            if args.pg_url:
                pg = _fresh_postgres(args.pg_url)
                try:
                    results += bench_labelshare(
                        "postgresql", pg, args.n, args.workers, signed, tmp, args.client
                    )
                finally:
                    _drop_postgres(args.pg_url, pg)
        if args.vs_label_studio:
            peer, locked_in_log = bench_label_studio(args.n, args.ls_venv, tmp, args.client)
            results += peer
    table = Table(
        title=f"POST of one label, {args.n} submissions per run, loopback, {args.client} client"
    )
    columns = ("server", "conc.", "ok/sent", "subm./s", "p50 ms", "p99 ms", "locked", "client CPU")
    for column in columns:
        table.add_column(column, justify="right" if column != "server" else "left")
    for r in results:
        table.add_row(
            r.label,
            str(r.concurrency),
            f"{r.ok}/{r.sent}",
            f"{r.rate:,.0f}" if r.rate >= 100 else f"{r.rate:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            str(r.locked),
            f"{r.client_cpu_s / r.seconds:.0%} of a core",
        )
    console.print(table)
    console.print('"locked": error answers that mention "database is locked".')
    if args.vs_label_studio:
        print_ratios(results, locked_in_log)


def print_ratios(results: list[Result], locked_in_log: int) -> None:
    """labelshare (SQLite, one worker, signatures off) over Label Studio, per concurrency."""
    ours = {
        r.concurrency: r for r in results if r.label.startswith("labelshare sqlite w=1 sig=off")
    }
    theirs = {r.concurrency: r for r in results if r.label.startswith("Label Studio")}
    for concurrency in CONCURRENCIES:
        us, them = ours[concurrency], theirs[concurrency]
        ratio = f"{us.rate / them.rate:,.1f}x" if them.rate else "n/a (no 201 from Label Studio)"
        console.print(
            f"concurrency {concurrency}: labelshare {us.rate:,.0f}/s vs Label Studio "
            f"{them.rate:,.1f}/s = {ratio}; p99 {us.p99_ms:.1f} ms vs {them.p99_ms:.1f} ms"
        )
    console.print(
        f'Label Studio logged {locked_in_log} "database is locked" errors (it retries those'
        " requests inside the server, so they can end in a 201)"
    )


if __name__ == "__main__":
    main()

"""Label Studio as the peer of ``api_ingest.py``: installed, started and stopped here.

Label Studio goes into its own venv (``benchmarks/.venv-labelstudio`` unless told
otherwise; git ignores it) with pip when it is missing there, and runs as
``label-studio start`` on loopback with its SQLite default in a temporary data folder.
The benchmark gets a project with its three-class schema as a ``Choices`` config and
the same items, and posts to ``/api/tasks/{id}/annotations/`` with the legacy API
token (``Authorization: Token ...``). Since 1.17 Label Studio turns legacy tokens off
for new organisations unless started with ``--enable-legacy-api-token``; its personal
access tokens are JWT refresh tokens that need an extra round trip for a short-lived
access token, which a load client should not have to make.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_VENV = Path(__file__).resolve().parent / ".venv-labelstudio"
USERNAME = "bench@example.com"
# Label Studio migrates its SQLite database at first start: minutes on a busy machine.
START_TIMEOUT_S = 1200
FROM_NAME, TO_NAME = "label", "text"


@dataclass(frozen=True)
class LabelStudio:
    """A running Label Studio server and what it takes to talk to it."""

    process: subprocess.Popen[bytes]
    base: str
    token: str
    version: str
    log: Path

    @property
    def authorization(self) -> str:
        """The Authorization header value of the benchmark's user."""
        return f"Token {self.token}"


def ensure_installed(venv: Path, log: Path) -> Path:
    """The ``label-studio`` executable in ``venv``, pip-installing the latest one if absent."""
    executable = venv / "bin" / "label-studio"
    if executable.exists():
        return executable
    print(f"installing Label Studio into {venv} (a few minutes; pip output in {log}) ...")
    with log.open("ab") as out:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "label-studio"]
        if subprocess.run(pip, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise SystemExit(f"pip install label-studio failed:\n{log.read_text()[-3000:]}")
    return executable


def installed_version(venv: Path) -> str:
    """The version of the ``label-studio`` distribution in ``venv``."""
    probe = "import importlib.metadata as m; print(m.version('label-studio'))"
    python = str(venv / "bin" / "python")
    return subprocess.run(
        [python, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.strip()


def _http_json(
    method: str, url: str, *, authorization: str | None = None, body: object = None
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if authorization:
        request.add_header("Authorization", authorization)
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read() or b"null")


def start(venv: Path, port: int, data_dir: Path, log: Path) -> LabelStudio:
    """``label-studio start`` on 127.0.0.1:``port``, data in ``data_dir``; waits until it answers.

    The server runs in a session of its own, so ``stop`` can end it and any child by
    its PID's process group.
    """
    executable = ensure_installed(venv, log.with_name("labelstudio-pip.log"))
    version = installed_version(venv)
    token = secrets.token_hex(20)
    env = {
        **os.environ,
        # Label Studio makes its data folder at import, before reading --data-dir.
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        # No calls home: the PyPI version check and analytics.
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
    }
    command = [
        *(str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1"),
        *("--port", str(port), "--data-dir", str(data_dir)),
        *("--username", USERNAME, "--password", secrets.token_hex(12)),
        *("--user-token", token, "--enable-legacy-api-token"),
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = LabelStudio(
        process=process,
        base=f"http://127.0.0.1:{port}",
        token=token,
        version=version,
        log=log,
    )
    try:
        _wait_until_ready(server)
    except BaseException:
        stop(server)
        raise
    return server


def _wait_until_ready(server: LabelStudio) -> None:
    """Poll until the benchmark's token is accepted; a refused token ends the run."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"Label Studio exited:\n{server.log.read_text()[-3000:]}")
        try:
            _http_json(
                "GET", f"{server.base}/api/current-user/whoami", authorization=server.authorization
            )
            return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise SystemExit(f"Label Studio refused the legacy token: {exc.code}") from exc
        except OSError:
            pass  # not listening yet: migrating its database
        time.sleep(1.0)
    raise SystemExit(f"Label Studio did not start in {START_TIMEOUT_S} s; see {server.log}")


def stop(server: LabelStudio) -> None:
    """Stop the server and its children by its PID's process group (SIGTERM, then SIGKILL)."""
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def label_config(classes: list[str]) -> str:
    """A Label Studio config for single-choice classification of a text into ``classes``."""
    choices = "".join(f'<Choice value="{name}"/>' for name in classes)
    return (
        f'<View><Text name="{TO_NAME}" value="$text"/>'
        f'<Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="single">{choices}</Choices>'
        "</View>"
    )


def create_project(server: LabelStudio, classes: list[str], texts: list[str]) -> list[int]:
    """A project of ``classes`` with one task per text; returns the task ids in order."""
    project: dict[str, Any] = _http_json(
        "POST",
        f"{server.base}/api/projects/",
        authorization=server.authorization,
        body={"title": "labelshare benchmark", "label_config": label_config(classes)},
    )
    task_ids: list[int] = []
    for start_at in range(0, len(texts), 5_000):  # bounded request bodies
        imported: dict[str, Any] = _http_json(
            "POST",
            f"{server.base}/api/projects/{project['id']}/import?return_task_ids=true",
            authorization=server.authorization,
            body=[{"text": text} for text in texts[start_at : start_at + 5_000]],
        )
        task_ids += imported["task_ids"]
    return task_ids


def annotation_body(value: str) -> dict[str, object]:
    """The body of ``POST /api/tasks/{id}/annotations/`` choosing ``value``."""
    return {
        "result": [
            {
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "choices",
                "value": {"choices": [value]},
            }
        ]
    }


def locked_errors_logged(server: LabelStudio) -> int:
    """How many errors the server logged as SQLite's "database is locked".

    Label Studio turns that error into a 500 which its ``DatabaseIsLockedRetryMiddleware``
    retries up to 15 times with back-off before answering, so a locked database may
    show only here and in the latency, not in the status. Its exception handler logs
    one ``[ERROR]`` line per occurrence (the tracebacks below it are not counted).
    """
    lines = server.log.read_text(errors="replace").splitlines()
    return sum("[ERROR]" in line and "database is locked" in line for line in lines)

"""Import speed and peak memory: 100,000 items (JSONL) and 100,000 labels (CSV).

Each import runs as its own ``labelshare`` process, the way a user runs it, so the
peak resident memory reported is that process's alone. Run from the project root:

    .venv/bin/python benchmarks/import_items.py [--items 100000] [--labels 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

CLI = [sys.executable, "-m", "labelshare"]


def _write_items(path: Path, count: int, rng: random.Random) -> None:
    words = ["good", "bad", "fine", "awful", "great", "broken", "cheap", "lovely", "late", "early"]
    with path.open("w") as handle:
        for n in range(count):
            text = " ".join(rng.choice(words) for _ in range(12))
            handle.write(json.dumps({"id": f"doc-{n}", "text": text}) + "\n")


def _write_labels(path: Path, count: int, rng: random.Random) -> None:
    per_task = 5
    with path.open("w") as handle:
        handle.write("worker,task,label\n")
        for n in range(count):
            task, slot = divmod(n, per_task)
            worker = (task * 7 + slot * 131) % 2_000
            handle.write(f"w{worker},task-{task},{rng.choice(['pos', 'neg', 'neu'])}\n")


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run one CLI command; return (seconds, peak RSS in MiB of that process alone)."""
    started = time.perf_counter()
    child = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"labelshare {' '.join(args)} failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    options = parser.parse_args()
    console = Console()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        items, labels, schema = folder / "items.jsonl", folder / "labels.csv", folder / "s.json"
        _write_items(items, options.items, rng)
        _write_labels(labels, options.labels, rng)
        schema.write_text(json.dumps({"kind": "classification", "classes": ["pos", "neg", "neu"]}))
        env = {**os.environ, "LABELSHARE_DATABASE_URL": options.db or f"sqlite:///{folder}/b.db"}
        _run(["init"], env)
        _run(["project", "create", "docs", "--schema", str(schema), "--activate"], env)
        _run(["project", "create", "crowd", "--schema", str(schema), "--activate"], env)
        table = Table("step", "rows", "seconds", "rows/s", "peak RSS (MiB)")
        for step, args, rows in (
            ("import items (JSONL)", ["import", "docs", str(items)], options.items),
            ("labels import (CSV)", ["labels", "import", "crowd", str(labels)], options.labels),
            ("export items (JSONL)", ["export", "docs", str(folder / "out.jsonl")], options.items),
        ):
            seconds, peak = _run(args, env)
            table.add_row(
                step, f"{rows:,}", f"{seconds:.2f}", f"{rows / seconds:,.0f}", f"{peak:.0f}"
            )
        console.print(table)


if __name__ == "__main__":
    main()

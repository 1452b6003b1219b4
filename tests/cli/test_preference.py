"""``labelshare preference``: a pairwise project end to end from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from labelshare.cli import app

runner = CliRunner()


def run(db: str, *args: str) -> str:
    """Invoke the CLI, expecting success; return its output."""
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def fail(db: str, *args: str) -> str:
    """Invoke the CLI, expecting a one-line error and a non-zero exit."""
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    # Joined into one line: a narrow terminal may wrap the message.
    return " ".join(result.output.split())


def _write_labelled_items(path: Path) -> None:
    """20 pairwise items where model m2's answer is better; 3 honest annotators, 1 clicker."""
    rng = np.random.default_rng(0)
    lines = []
    for index in range(20):
        better_first = bool(index % 2)
        models = ["m2", "m1"] if better_first else ["m1", "m2"]
        right = "A" if better_first else "B"
        annotations: list[dict[str, Any]] = []
        for who in ("alice", "bob", "carol", "clicker"):
            shown = str(rng.choice(["A", "B"]))
            choice = shown if who == "clicker" else right
            annotations.append(
                {"annotator": who, "value": {"choice": choice, "shown_first": shown}}
            )
        payload = {
            "prompt": f"question {index}",
            "responses": [{"text": f"{m} answer {index}", "model": m} for m in models],
        }
        lines.append(
            json.dumps({"id": f"q{index}", "payload": payload, "annotations": annotations})
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database holding the labelled pairwise project ``prefs`` (read only)."""
    tmp_path = tmp_path_factory.mktemp("preference-cli")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run(db, "init")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"kind": "pairwise"}))
    run(db, "project", "create", "prefs", "--schema", str(schema))
    items = tmp_path / "items.jsonl"
    _write_labelled_items(items)
    assert "imported 20 items" in run(db, "import", "prefs", str(items))
    return db


class TestPreferenceCommands:
    def test_dpo_export_picks_the_better_model(self, project: str, tmp_path: Path) -> None:
        """Every exported pair chooses model m2's answer over m1's."""
        out = tmp_path / "dpo.jsonl"
        output = run(project, "preference", "export", "prefs", str(out), "--min-confidence", "0.9")
        assert "exported 20 dpo rows" in " ".join(output.split())
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert all(row["chosen"].startswith("m2") for row in rows)
        assert set(rows[0]) == {"prompt", "chosen", "rejected"}

    def test_hf_export_loads_from_disk(self, project: str, tmp_path: Path) -> None:
        """The Hugging Face export of the ranking loads with load_from_disk."""
        datasets = pytest.importorskip("datasets")
        run(
            project,
            "preference",
            "export",
            "prefs",
            str(tmp_path / "hf"),
            "--what",
            "ranking",
            "--to",
            "disk",
        )
        loaded = datasets.load_from_disk(str(tmp_path / "hf"))
        assert len(loaded) == 20

    def test_ranking_by_model(self, project: str) -> None:
        """Ranking by the responses' model puts m2 first."""
        output = run(
            project, "preference", "ranking", "prefs", "--by", "model", "--resamples", "10"
        )
        assert output.index("m2") < output.index("m1")

    def test_annotators_flags_the_clicker(self, project: str) -> None:
        """The annotator who always picks the first-shown answer is flagged as biased."""
        output = run(project, "preference", "annotators", "prefs")
        rows = [line.split("│") for line in output.splitlines() if "0x" in line]
        assert len(rows) == 4
        biased = [row for row in rows if row[-2].strip() == "yes"]
        assert len(biased) == 1
        # 20 coin flips leave some chance agreement; the honest three are near 1.
        assert float(biased[0][3]) < 0.5 < min(float(row[3]) for row in rows if row not in biased)

    def test_unknown_export_is_refused(self, project: str, tmp_path: Path) -> None:
        """An unknown export kind is one red line."""
        assert "unknown export 'csv'" in fail(
            project, "preference", "export", "prefs", str(tmp_path / "x"), "--what", "csv"
        )

    def test_ranking_by_a_missing_key_is_refused(self, project: str) -> None:
        """Ranking by a key the responses lack names the item and the key."""
        assert "has no 'author' key" in fail(
            project, "preference", "ranking", "prefs", "--by", "author"
        )


def test_ranking_weighs_stated_strength(tmp_path: Path) -> None:
    """Two strong votes for m2 outweigh three weak ones for m1 in the Bradley–Terry ranking."""
    db = f"sqlite:///{tmp_path / 'strength.db'}"
    run(db, "init")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"kind": "pairwise", "max_strength": 3}))
    run(db, "project", "create", "strong", "--schema", str(schema))
    lines = []
    for index in range(10):
        votes = [("m1", 1)] * 3 + [("m2", 3)] * 2
        annotations = [
            {"annotator": f"w{k}", "value": {"choice": "AB"[int(m == "m2")], "strength": s}}
            for k, (m, s) in enumerate(votes)
        ]
        payload = {
            "prompt": f"question {index}",
            "responses": [{"text": f"{m} answer {index}", "model": m} for m in ("m1", "m2")],
        }
        lines.append(
            json.dumps({"id": f"s{index}", "payload": payload, "annotations": annotations})
        )
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run(db, "import", "strong", str(items))
    output = run(
        db, "preference", "ranking", "strong", "--by", "model", "--method", "bt", "--resamples", "5"
    )
    assert output.index("m2") < output.index("m1")

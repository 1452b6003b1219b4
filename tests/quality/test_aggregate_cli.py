"""``labelshare aggregate`` on CSV files, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from labelshare.cli import app

LABELS = (
    "worker,task,label\na,t1,0\nb,t1,0\nc,t1,1\na,t2,1\nb,t2,1\nc,t2,0\na,t3,0\nb,t3,0\nc,t3,1\n"
)


def flat(output: str) -> str:
    """Output with rich's box characters and line wrapping removed."""
    return " ".join(output.replace("│", " ").split())


@pytest.fixture
def labels_csv(tmp_path: Path) -> Path:
    """Three tasks labelled by a, b (agreeing) and c (always dissenting)."""
    path = tmp_path / "labels.csv"
    path.write_text(LABELS)
    return path


class TestAggregate:
    def test_writes_labels_workers_and_gold_accuracy(
        self, tmp_path: Path, labels_csv: Path
    ) -> None:
        """The CSV gets one inferred label per task, workers get skills, gold is scored."""
        gold = tmp_path / "gold.csv"
        gold.write_text("task,label\nt1,0\nt2,1\nt9,1\n")
        out, workers = tmp_path / "out.csv", tmp_path / "workers.csv"
        result = CliRunner().invoke(
            app,
            [
                "aggregate",
                str(labels_csv),
                "--method",
                "ds",
                "--gold",
                str(gold),
                "--out",
                str(out),
                "--workers-out",
                str(workers),
            ],
        )
        assert result.exit_code == 0, result.output
        rows = out.read_text().splitlines()
        assert rows[0] == "task,label,confidence"
        assert [r.split(",")[:2] for r in rows[1:]] == [["t1", "0"], ["t2", "1"], ["t3", "0"]]
        assert workers.read_text().splitlines()[0] == "worker,n_labels,agreement,skill"
        assert "gold accuracy: 1.0000 (2/2 tasks)" in result.output

    def test_stdout_by_default(self, labels_csv: Path) -> None:
        """Without --out the labels go to standard output."""
        result = CliRunner().invoke(app, ["aggregate", str(labels_csv), "--method", "mv"])
        assert result.exit_code == 0, result.output
        assert "t3,0,0.666667" in result.output

    def test_unknown_method_fails(self, labels_csv: Path) -> None:
        """An unknown method is refused before reading anything."""
        result = CliRunner().invoke(app, ["aggregate", str(labels_csv), "--method", "em"])
        assert result.exit_code == 2
        assert "must be one of" in result.output

    def test_bad_csv_fails_with_message(self, tmp_path: Path) -> None:
        """A CSV without the task column exits 1 with the reason."""
        bad = tmp_path / "bad.csv"
        bad.write_text("worker,label\na,0\n")
        result = CliRunner().invoke(app, ["aggregate", str(bad)])
        assert result.exit_code == 1
        assert "missing column(s) ['task']" in result.output


class TestAggregateProject:
    @pytest.fixture
    def db(self, tmp_path: Path) -> str:
        """A migrated SQLite database with a classification project holding two labels."""
        url = f"sqlite:///{tmp_path / 'cli.db'}"
        schema = tmp_path / "schema.json"
        schema.write_text('{"kind": "classification", "classes": ["pos", "neg"]}')
        labels = tmp_path / "labels.csv"
        labels.write_text("worker,task,label\nw1,0,pos\nw2,0,pos\nw1,1,neg\n")
        runner = CliRunner()
        for args in (
            ["init"],
            ["project", "create", "p", "--schema", str(schema), "--activate"],
            ["labels", "import", "p", str(labels)],
        ):
            result = runner.invoke(app, ["--db", url, *args])
            assert result.exit_code == 0, result.output
        return url

    def test_infers_and_stores(self, db: str) -> None:
        """--project infers every labelled item of the project through the services."""
        result = CliRunner().invoke(app, ["--db", db, "aggregate", "--project", "p"])
        assert result.exit_code == 0, result.output
        assert "inferred labels of 2 items of p from 3 labels" in result.output

    def test_project_with_csv_options_fails(self, db: str, labels_csv: Path) -> None:
        """A CSV argument together with --project is refused."""
        result = CliRunner().invoke(
            app, ["--db", db, "aggregate", str(labels_csv), "--project", "p"]
        )
        assert result.exit_code == 2
        assert "do not apply to a project" in flat(result.output)

    def test_neither_csv_nor_project_fails(self) -> None:
        """Without LABELS.csv or --project the command says what it needs."""
        result = CliRunner().invoke(app, ["aggregate"])
        assert result.exit_code == 2
        assert "give LABELS.csv or --project NAME" in flat(result.output)

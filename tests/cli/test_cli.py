"""Tests of the command line, run in process against a fresh database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from labelshare.cli import app
from labelshare.store.models import Item
from labelshare.store.session import make_engine

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A migrated SQLite database URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["--db", url, "init"])
    assert result.exit_code == 0, result.output
    assert "migrated from empty" in result.output
    return url


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    """A classification schema on disk."""
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"kind": "classification", "classes": ["pos", "neg"]}))
    return path


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
    return result.output


class TestInit:
    def test_init_twice_is_a_no_op(self, db: str) -> None:
        """A second init reports the database is up to date."""
        assert "up to date" in run(db, "init")

    def test_commands_refuse_an_uninitialised_database(self, tmp_path: Path) -> None:
        """Using a database before init names the fix."""
        output = fail(f"sqlite:///{tmp_path / 'new.db'}", "project", "list")
        assert "run `labelshare init`" in output


class TestProjects:
    def test_create_list_show(self, db: str, schema_file: Path) -> None:
        """A project created from a schema file is listed and shown with its terms."""
        output = run(
            db,
            "project",
            "create",
            "reviews",
            "--schema",
            str(schema_file),
            "--reward",
            "0.05",
            "--budget",
            "100",
            "--activate",
        )
        assert "created project reviews" in output and "active" in output
        assert "reviews" in run(db, "project", "list")
        shown = run(db, "project", "show", "reviews")
        assert "0.05" in shown and "classification" in shown

    def test_pause_and_close(self, db: str, schema_file: Path) -> None:
        """Status commands move a project through its life cycle."""
        run(db, "project", "create", "p", "--schema", str(schema_file), "--activate")
        assert "paused" in run(db, "project", "pause", "p")
        assert "closed" in run(db, "project", "close", "p")
        assert "cannot become active" in fail(db, "project", "activate", "p")

    def test_bad_schema_file(self, db: str, tmp_path: Path) -> None:
        """A schema file that is not JSON is refused with its line."""
        bad = tmp_path / "bad.json"
        bad.write_text('{"kind": ')
        assert "schema:" in fail(db, "project", "create", "p", "--schema", str(bad))

    def test_bad_terms(self, db: str, schema_file: Path) -> None:
        """A bad term names its field."""
        output = fail(
            db, "project", "create", "p", "--schema", str(schema_file), "--royalty-bps", "20000"
        )
        assert "royalty_share_bps" in output

    def test_unknown_project(self, db: str) -> None:
        """Showing a missing project is one clear line."""
        assert "no project 'ghost'" in fail(db, "project", "show", "ghost")


class TestAnnotators:
    def test_add_with_domain_and_token(self, db: str) -> None:
        """Adding an annotator prints the checksum address and a one-time token."""
        output = run(
            db,
            "annotator",
            "add",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "--domain",
            "medical",
            "--token",
        )
        assert "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" in output
        assert "token: lsk_" in output

    def test_bad_address(self, db: str) -> None:
        """A malformed address is refused in one line."""
        assert "not an Ethereum address" in fail(db, "annotator", "add", "0x12")


class TestImportExport:
    def test_import_then_export_every_format(
        self, db: str, schema_file: Path, tmp_path: Path
    ) -> None:
        """Items imported from JSONL come back out in each export format."""
        run(db, "project", "create", "p", "--schema", str(schema_file), "--activate")
        items = tmp_path / "items.jsonl"
        items.write_text("".join(json.dumps({"id": n, "text": f"t{n}"}) + "\n" for n in range(5)))
        assert "imported 5 items" in run(db, "import", "p", str(items))
        labels = tmp_path / "labels.csv"
        labels.write_text("worker,task,label\nw1,0,pos\nw2,0,neg\n")
        assert "imported 2 labels" in run(db, "labels", "import", "p", str(labels))
        out = tmp_path / "out.jsonl"
        assert "exported 5 items" in run(db, "export", "p", str(out))
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert sorted(a["value"] for a in rows[0]["annotations"]) == ["neg", "pos"]
        for fmt in ("csv", "labelstudio"):
            target = tmp_path / f"out.{fmt}"
            run(db, "export", "p", str(target), "--format", fmt)
            assert target.stat().st_size > 0

    def test_malformed_file_names_the_line_and_imports_nothing(
        self, db: str, schema_file: Path, tmp_path: Path
    ) -> None:
        """A bad line fails the whole import with its number; the project stays empty."""
        run(db, "project", "create", "p", "--schema", str(schema_file))
        items = tmp_path / "items.jsonl"
        items.write_text('{"id": 1, "text": "a"}\n{"id": 2, "text": \n')
        output = fail(db, "import", "p", str(items))
        assert "line 2" in output
        engine = make_engine(db)
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Item)) == 0
        engine.dispose()

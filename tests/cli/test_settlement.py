"""The settlement commands, through the command line on a committed database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from labelshare.cli import app
from labelshare.store.session import make_engine, make_sessionmaker
from tests.services.settlement_world import honest, label_round, make_world

runner = CliRunner()


def _labelled(url: str) -> str:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        world = make_world(session, tag="cli", n_items=15, answers=[honest(0.9)] * 3)
        label_round(session, world, per_annotator=10)
        address = world.annotators[0].address
        session.commit()
    engine.dispose()
    return address


class TestSettlementCommands:
    def test_fund_close_proof_verify_claim_audit(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        """The whole payout path works from the command line and audit passes after it."""
        address = _labelled(fresh_database_url)
        db = ["--db", fresh_database_url]
        result = runner.invoke(app, [*db, "project", "fund", "world-cli", "--amount", "20"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, [*db, "epoch", "close", "world-cli"])
        assert result.exit_code == 0, result.output
        assert "epoch 1" in result.output
        again = runner.invoke(app, [*db, "epoch", "close", "world-cli"])
        assert "nothing new since epoch 1" in again.output
        listed = runner.invoke(app, [*db, "epoch", "list", "world-cli"])
        assert listed.exit_code == 0, listed.output
        assert "0x" in listed.output
        result = runner.invoke(
            app, [*db, "license", "buy", "world-cli", "--buyer", "0x" + "56" * 20, "--amount", "3"]
        )
        assert result.exit_code == 0, result.output
        proof = runner.invoke(app, [*db, "claim", "proof", "world-cli", address])
        assert proof.exit_code == 0, proof.output
        proof_file = tmp_path / "proof.json"
        proof_file.write_text(proof.output, encoding="utf-8")
        assert json.loads(proof.output)["address"] == address
        verified = runner.invoke(app, ["claim", "verify", str(proof_file)])
        assert verified.exit_code == 0, verified.output
        paid = runner.invoke(app, [*db, "claim", "world-cli", address])
        assert paid.exit_code == 0, paid.output
        assert "paid" in paid.output
        audited = runner.invoke(app, [*db, "audit"])
        assert audited.exit_code == 0, audited.output
        assert "audit passed" in audited.output

    def test_tampered_proof_fails_verification(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        """A proof whose amount was raised is reported invalid with exit code 1."""
        address = _labelled(fresh_database_url)
        db = ["--db", fresh_database_url]
        runner.invoke(app, [*db, "project", "fund", "world-cli", "--amount", "20"])
        runner.invoke(app, [*db, "epoch", "close", "world-cli"])
        proof = json.loads(runner.invoke(app, [*db, "claim", "proof", "world-cli", address]).output)
        proof["amount"] = str(int(proof["amount"]) + 1)
        path = tmp_path / "proof.json"
        path.write_text(json.dumps(proof), encoding="utf-8")
        result = runner.invoke(app, ["claim", "verify", str(path)])
        assert result.exit_code == 1
        assert "invalid" in result.output

    def test_bad_amount_is_one_clear_error(self, fresh_database_url: str) -> None:
        """A malformed amount names the field and exits 1."""
        _labelled(fresh_database_url)
        result = runner.invoke(
            app, ["--db", fresh_database_url, "project", "fund", "world-cli", "--amount", "lots"]
        )
        assert result.exit_code == 1
        assert "amount" in result.output

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


class TestBackendGuards:
    def test_claim_pay_on_evm_points_to_claim_send(self, fresh_database_url: str) -> None:
        """On the evm backend 'claim PROJECT ADDRESS' refuses and names 'claim send'."""
        address = _labelled(fresh_database_url)
        db = ["--db", fresh_database_url]
        runner.invoke(app, [*db, "project", "fund", "world-cli", "--amount", "20"])
        runner.invoke(app, [*db, "epoch", "close", "world-cli"])
        evm = {"LABELSHARE_SETTLEMENT_BACKEND": "evm"}
        result = runner.invoke(app, [*db, "claim", "world-cli", address], env=evm)
        assert result.exit_code == 1
        assert f"use 'labelshare claim send world-cli {address}'" in result.output
        assert len(result.output.strip().splitlines()) == 1
        proof = json.loads(runner.invoke(app, [*db, "claim", "proof", "world-cli", address]).output)
        assert proof["amount_due"] == proof["amount"] != "0"

    def test_claim_pay_on_local_pays(self, fresh_database_url: str) -> None:
        """On the local backend the same command pays what is due."""
        address = _labelled(fresh_database_url)
        db = ["--db", fresh_database_url]
        runner.invoke(app, [*db, "project", "fund", "world-cli", "--amount", "20"])
        runner.invoke(app, [*db, "epoch", "close", "world-cli"])
        local = {"LABELSHARE_SETTLEMENT_BACKEND": "local"}
        result = runner.invoke(app, [*db, "claim", "world-cli", address], env=local)
        assert result.exit_code == 0, result.output
        proof = json.loads(runner.invoke(app, [*db, "claim", "proof", "world-cli", address]).output)
        assert proof["amount_due"] == "0"

    def test_licence_on_evm_needs_a_key_file(self, fresh_database_url: str) -> None:
        """On the evm backend a licence cannot be recorded without the wallet that pays it."""
        _labelled(fresh_database_url)
        buy = ["license", "buy", "world-cli", "--buyer", "0x" + "56" * 20, "--amount", "3"]
        evm = {"LABELSHARE_SETTLEMENT_BACKEND": "evm"}
        result = runner.invoke(app, ["--db", fresh_database_url, *buy], env=evm)
        assert result.exit_code == 1
        assert "key_file: on the evm backend the price is paid into the Distributor" in (
            result.output
        )

    def test_key_file_on_local_backend_is_refused(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        """A key file on the local backend is refused rather than silently ignored."""
        _labelled(fresh_database_url)
        key_file = tmp_path / "wallet.key"
        key_file.write_text("0x" + "11" * 32)
        buy = ["license", "buy", "world-cli", "--buyer", "0x" + "56" * 20, "--amount", "3"]
        local = {"LABELSHARE_SETTLEMENT_BACKEND": "local"}
        for args in (
            [*buy, "--key-file", str(key_file)],
            ["epoch", "close", "world-cli", "--key-file", str(key_file)],
        ):
            result = runner.invoke(app, ["--db", fresh_database_url, *args], env=local)
            assert result.exit_code == 1
            assert "key_file: only the evm backend signs transactions" in result.output


class TestSimulateScenario:
    def test_preference_scenario_writes_the_report(self, tmp_path: Path) -> None:
        """``simulate --scenario preference`` writes a report with the preference strategies."""
        scenario = tmp_path / "tiny.toml"
        scenario.write_text(
            "items = 12\ngold_items = 2\nannotators = 4\nepochs = 1\n"
            "compare_fixed_redundancy = false\n",
            encoding="utf-8",
        )
        out = tmp_path / "out"
        result = runner.invoke(
            app,
            ["simulate", "--scenario", "preference", "--config", str(scenario), "--out", str(out)],
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert "always_a" in summary["rules"]["labelshare"]["earnings_per_label"]
        assert "always a" in (out / "report.md").read_text(encoding="utf-8")

    def test_unknown_scenario_is_one_red_line(self, tmp_path: Path) -> None:
        """An unknown scenario name exits 1 naming the field."""
        result = runner.invoke(app, ["simulate", "--scenario", "audio", "--out", str(tmp_path)])
        assert result.exit_code == 1
        assert "scenario: 'audio' is not one of" in result.output

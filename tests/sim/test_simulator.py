"""The market simulator: a small scenario end to end, and its configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labelshare.errors import InvalidInput
from labelshare.sim import RULES, STRATEGIES, gini, load_config, run_simulation, write_report


class TestSimulation:
    def test_small_scenario_writes_report_and_summary(self, tmp_path: Path) -> None:
        """A small run writes report.md, plots and summary.json in the documented shape."""
        config = load_config(
            items=20,
            gold_items=8,
            annotators=4,
            epochs=2,
            population={"expert": 0.5, "random_spammer": 0.25, "colluder": 0.25},
            compare_fixed_redundancy=False,
        )
        steps: list[int] = []
        result = run_simulation(config, on_progress=steps.append, workdir=tmp_path)
        assert len(steps) == config.total_steps()
        paths = write_report(result, tmp_path / "out")
        assert paths.report.read_text(encoding="utf-8").startswith("# labelshare market")
        assert all(plot.stat().st_size > 0 for plot in paths.plots)
        summary = json.loads(paths.summary.read_text(encoding="utf-8"))
        assert set(summary) == {"rules"}
        assert set(summary["rules"]) == set(RULES)
        for figures in summary["rules"].values():
            assert set(figures) == {
                "accuracy",
                "earnings_per_label",
                "spammer_payout_share",
                "gini",
                "cost_per_correct_label",
            }
            assert set(figures["earnings_per_label"]) == set(STRATEGIES)
        flat = summary["rules"]["flat"]["earnings_per_label"]
        assert flat["expert"] == pytest.approx(1.0)
        ours = summary["rules"]["labelshare"]["earnings_per_label"]
        assert ours["expert"] > ours["random_spammer"]


class TestConfig:
    def test_population_is_split_by_largest_remainder(self) -> None:
        """Shares become whole annotators that add up to the population."""
        config = load_config(annotators=7)
        strategies = config.strategies()
        assert len(strategies) == 7
        assert strategies.count("expert") == 4

    def test_toml_file_overrides_defaults(self, tmp_path: Path) -> None:
        """Keys in the TOML file replace the defaults, token amounts included."""
        path = tmp_path / "scenario.toml"
        path.write_text('items = 10\nreward_per_label = "0.5"\n', encoding="utf-8")
        config = load_config(path)
        assert config.items == 10
        assert config.reward_per_label == 5 * 10**17

    def test_unknown_key_is_refused(self, tmp_path: Path) -> None:
        """A misspelt key is named instead of being ignored."""
        path = tmp_path / "scenario.toml"
        path.write_text("itemz = 10\n", encoding="utf-8")
        with pytest.raises(InvalidInput, match="itemz"):
            load_config(path)

    def test_population_must_sum_to_one(self) -> None:
        """Shares that do not sum to one are refused."""
        with pytest.raises(InvalidInput, match="sum to 1"):
            load_config(population={"expert": 0.5})


class TestGini:
    def test_equal_earnings_have_zero_gini(self) -> None:
        """Everyone earning the same gives 0."""
        assert gini([2.0, 2.0, 2.0]) == pytest.approx(0.0)

    def test_one_earner_has_high_gini(self) -> None:
        """One earner among many gives a value near 1."""
        assert gini([0.0] * 9 + [5.0]) == pytest.approx(0.9)

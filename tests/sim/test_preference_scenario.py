"""The preference market: always-A and longer-answer annotators against honest ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labelshare.errors import InvalidInput
from labelshare.sim import STRATEGIES, load_config, run_simulation, write_report
from labelshare.sim.config import PREFERENCE_POPULATION


class TestPreferenceScenario:
    def test_spammers_earn_less_than_honest_annotators(self, tmp_path: Path) -> None:
        """Honest annotators out-earn always-A and longer-answer ones per label."""
        config = load_config(
            scenario="preference",
            items=24,
            gold_items=4,
            annotators=6,
            epochs=1,
            population={"expert": 0.5, "always_a": 0.25, "prefers_longer": 0.25},
            compare_fixed_redundancy=False,
        )
        result = run_simulation(config, workdir=tmp_path)
        paths = write_report(result, tmp_path / "out")
        summary = json.loads(paths.summary.read_text(encoding="utf-8"))
        assert set(summary["rules"]["labelshare"]["earnings_per_label"]) == set(STRATEGIES)
        assert summary["rules"]["flat"]["earnings_per_label"]["always_a"] == pytest.approx(1.0)
        ours = summary["rules"]["labelshare"]["earnings_per_label"]
        assert ours["expert"] > 0.0
        assert ours["always_a"] < 0.2 * ours["expert"]
        assert ours["prefers_longer"] < 0.2 * ours["expert"]
        assert summary["rules"]["labelshare"]["accuracy"] > 0.8

    def test_preference_has_its_own_default_population(self) -> None:
        """Choosing the scenario without a population takes the preference shares."""
        config = load_config(scenario="preference")
        shares = {name: share for name, share in config.population.items() if share}
        assert shares == PREFERENCE_POPULATION


class TestPreferenceConfig:
    def test_unknown_scenario_is_refused(self) -> None:
        """A scenario name outside the known ones is an error on ``scenario``."""
        with pytest.raises(InvalidInput, match="scenario: 'audio' is not one of"):
            load_config(scenario="audio")

    def test_preference_strategy_needs_the_preference_scenario(self) -> None:
        """Always-A annotators in a classification market are refused."""
        with pytest.raises(InvalidInput, match="population: 'always_a' needs scenario"):
            load_config(population={"expert": 0.5, "always_a": 0.5})

"""The simulator's scenario: populations, project terms and scale, from a TOML file.

Every key is optional; the defaults are the issue's default scenario (60% experts,
10% novices, 20% random spammers, 10% colluders, 5,000 items, redundancy 3 to 5)::

    seed = 1
    items = 5000
    gold_items = 150
    annotators = 50
    epochs = 4
    redundancy_min = 3
    redundancy_max = 5
    gold_rate = 0.2
    slash_bar = 0.6
    reward_per_label = "1"        # tokens
    stake = "10"                  # tokens per annotator
    compare_fixed_redundancy = true

    [population]                  # shares of the annotators
    expert = 0.6
    novice = 0.1
    random_spammer = 0.2
    constant_spammer = 0.0
    colluder = 0.1

    [accuracy]
    expert = 0.9
    novice = 0.7

``scenario = "preference"`` runs a pairwise-preference market instead: items are two
responses to a prompt, honest annotators pick the better one, ``always_a`` annotators
pick response A, and ``prefers_longer`` annotators pick the longer response (which is
the better one only half the time). Its default population is
:data:`PREFERENCE_POPULATION`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from labelshare.core.money import parse_token_amount
from labelshare.errors import InvalidInput

__all__ = [
    "PREFERENCE_POPULATION",
    "PREFERENCE_STRATEGIES",
    "SCENARIOS",
    "STRATEGIES",
    "SimConfig",
    "load_config",
]

STRATEGIES = (
    "expert",
    "novice",
    "random_spammer",
    "constant_spammer",
    "colluder",
    "always_a",
    "prefers_longer",
)
"""The agents' strategies, in report order."""

PREFERENCE_STRATEGIES = ("always_a", "prefers_longer")
"""Strategies that only make sense when items are pairs of responses."""

SCENARIOS = ("classification", "preference")
"""The kinds of market simulated: three-class labels, or pairwise preferences."""

PREFERENCE_POPULATION = {"expert": 0.6, "novice": 0.1, "always_a": 0.15, "prefers_longer": 0.15}
"""Default shares of the ``preference`` scenario."""


@dataclass(frozen=True)
class SimConfig:
    """One scenario. Amounts are base units.

    Attributes:
        seed: seeds every random choice of the run.
        items: regular items to label.
        gold_items: hidden gold items (answers known to the platform).
        annotators: agents in the market.
        epochs: settlement epochs the labelling is spread over.
        redundancy_min: labels every item gets.
        redundancy_max: labels an item may get where annotators disagree.
        gold_rate: share of work requests served a gold item.
        slash_bar: gold accuracy an annotator must plausibly reach.
        reward_per_label: base units per full-quality label.
        stake: base units each annotator stakes.
        population: share of annotators per strategy (sums to 1).
        accuracy: accuracy of the honest strategies (expert, novice).
        compare_fixed_redundancy: also run at fixed redundancy 3 without gold screening.
        scenario: one of :data:`SCENARIOS`.
    """

    seed: int = 1
    items: int = 5_000
    gold_items: int = 150
    annotators: int = 50
    epochs: int = 4
    redundancy_min: int = 3
    redundancy_max: int = 5
    gold_rate: float = 0.2
    slash_bar: float = 0.6
    reward_per_label: int = 10**18
    stake: int = 10 * 10**18
    population: dict[str, float] = field(
        default_factory=lambda: {
            "expert": 0.6,
            "novice": 0.1,
            "random_spammer": 0.2,
            "constant_spammer": 0.0,
            "colluder": 0.1,
        }
    )
    accuracy: dict[str, float] = field(default_factory=lambda: {"expert": 0.9, "novice": 0.7})
    compare_fixed_redundancy: bool = True
    scenario: str = "classification"

    def strategies(self) -> list[str]:
        """Each annotator's strategy, by largest remainder over the population shares."""
        shares = {name: self.population.get(name, 0.0) for name in STRATEGIES}
        exact = {name: share * self.annotators for name, share in shares.items()}
        counts = {name: int(value) for name, value in exact.items()}
        left = self.annotators - sum(counts.values())
        for name in sorted(STRATEGIES, key=lambda n: (-(exact[n] - counts[n]), n))[:left]:
            counts[name] += 1
        return [name for name in STRATEGIES for _ in range(counts[name])]

    def total_steps(self) -> int:
        """Progress steps of a run: one per epoch of each simulated platform."""
        return self.epochs * (2 if self.compare_fixed_redundancy else 1)


def _check(config: SimConfig) -> SimConfig:
    positive = ("items", "annotators", "epochs", "redundancy_min")
    for name in positive:
        if getattr(config, name) < 1:
            raise InvalidInput(f"{name}: must be at least 1", field=name)
    if config.redundancy_max < config.redundancy_min:
        raise InvalidInput("redundancy_max: below redundancy_min", field="redundancy_max")
    if not 0.0 <= config.gold_rate < 1.0:
        raise InvalidInput("gold_rate: must be in [0, 1)", field="gold_rate")
    unknown = set(config.population) - set(STRATEGIES)
    if unknown:
        raise InvalidInput(
            f"population: unknown strategy {sorted(unknown)[0]!r}", field="population"
        )
    if abs(sum(config.population.values()) - 1.0) > 1e-9:
        raise InvalidInput("population: shares must sum to 1", field="population")
    if config.scenario not in SCENARIOS:
        raise InvalidInput(
            f"scenario: {config.scenario!r} is not one of {', '.join(SCENARIOS)}",
            field="scenario",
        )
    if config.scenario != "preference":
        for name in PREFERENCE_STRATEGIES:
            if config.population.get(name, 0.0) > 0.0:
                raise InvalidInput(
                    f'population: {name!r} needs scenario = "preference"', field="population"
                )
    return config


def load_config(
    path: Path | None = None, *, seed: int | None = None, **overrides: Any
) -> SimConfig:
    """The default scenario, updated from a TOML file and keyword overrides.

    Raises:
        InvalidInput: naming an unknown key or an out-of-range value.
    """
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"config: cannot read {path}: {exc}", field="config") from exc
    data.update(overrides)
    if seed is not None:
        data["seed"] = seed
    known = {f.name for f in fields(SimConfig)}
    for key in data:
        if key not in known:
            raise InvalidInput(f"config: unknown key {key!r}", field=key)
    for key in ("reward_per_label", "stake"):
        if key in data and isinstance(data[key], str):
            data[key] = parse_token_amount(data[key], field=key)
    base = SimConfig()
    if data.get("scenario") == "preference" and "population" not in data:
        data["population"] = dict(PREFERENCE_POPULATION)
    if "population" in data:
        data["population"] = dict.fromkeys(STRATEGIES, 0.0) | dict(data["population"])
    if "accuracy" in data:
        data["accuracy"] = base.accuracy | dict(data["accuracy"])
    return _check(replace(base, **data))

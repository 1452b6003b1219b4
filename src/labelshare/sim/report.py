"""Figures of a simulation: per-rule metrics, ``report.md`` with PNG plots, ``summary.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from labelshare.sim.config import STRATEGIES
from labelshare.sim.run import PlatformRun, SimResult

__all__ = ["RULES", "ReportPaths", "RuleSummary", "gini", "summarise", "write_report"]

RULES = ("flat", "majority", "labelshare")
"""The pay rules compared, in report order."""

_TOKEN = 10**18
_SPAMMERS = ("random_spammer", "constant_spammer", "always_a", "prefers_longer")


@dataclass(frozen=True)
class RuleSummary:
    """One pay rule's figures on one platform run (earnings in whole tokens).

    Attributes:
        accuracy: share of regular items whose label, as the rule's platform infers
            it, is true (plurality vote for flat and majority, the settlement's truth
            inference for labelshare).
        earnings_per_label: mean pay per submitted label, per strategy.
        spammer_payout_share: the spammers' (random, constant, always-A, longer-answer)
            part of all payouts.
        gini: Gini coefficient of total earnings over annotators.
        cost_per_correct_label: tokens paid per correctly labelled regular item.
    """

    accuracy: float
    earnings_per_label: dict[str, float]
    spammer_payout_share: float
    gini: float
    cost_per_correct_label: float

    def to_json(self) -> dict[str, Any]:
        """The shape ``summary.json`` uses for one rule."""
        return {
            "accuracy": self.accuracy,
            "earnings_per_label": dict(self.earnings_per_label),
            "spammer_payout_share": self.spammer_payout_share,
            "gini": self.gini,
            "cost_per_correct_label": self.cost_per_correct_label,
        }


def gini(values: list[float]) -> float:
    """Gini coefficient of non-negative values (0: all equal; towards 1: one holds all)."""
    data = np.sort(np.asarray(values, dtype=np.float64))
    if data.size == 0 or data.sum() == 0:
        return 0.0
    ranks = np.arange(1, data.size + 1)
    return float(
        (2 * (ranks * data).sum()) / (data.size * data.sum()) - (data.size + 1) / data.size
    )


def summarise(run: PlatformRun, rule: str) -> RuleSummary:
    """The figures of ``rule`` on ``run``."""
    paid = run.paid[rule]
    total = sum(paid.values())
    per_label: dict[str, float] = {}
    for strategy in STRATEGIES:
        members = [a for a, agent in run.agents.items() if agent.strategy == strategy]
        labels = sum(run.labels.get(a, 0) for a in members)
        earned = sum(paid.get(a, 0) for a in members)
        per_label[strategy] = earned / labels / _TOKEN if labels else 0.0
    spam = sum(paid.get(a, 0) for a, agent in run.agents.items() if agent.strategy in _SPAMMERS)
    accuracy = run.accuracy_model if rule == "labelshare" else run.accuracy_majority
    correct = run.items_correct_model if rule == "labelshare" else run.items_correct_majority
    return RuleSummary(
        accuracy=accuracy,
        earnings_per_label=per_label,
        spammer_payout_share=spam / total if total else 0.0,
        gini=gini([paid.get(a, 0) / _TOKEN for a in run.agents]),
        cost_per_correct_label=total / _TOKEN / correct if correct else float("inf"),
    )


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_report` wrote."""

    report: Path
    summary: Path
    plots: tuple[Path, ...]


def _plots(result: SimResult, out: Path) -> tuple[Path, ...]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = result.runs["labelshare"]
    summaries = {rule: summarise(run, rule) for rule in RULES}
    paths = []

    figure, axes = plt.subplots(figsize=(8, 4))
    width = 0.25
    x = np.arange(len(STRATEGIES))
    for offset, rule in enumerate(RULES):
        values = [summaries[rule].earnings_per_label[s] for s in STRATEGIES]
        axes.bar(x + (offset - 1) * width, values, width, label=rule)
    axes.set_xticks(x, [s.replace("_", " ") for s in STRATEGIES])
    axes.set_ylabel("tokens per label")
    axes.set_title("Earnings per label by strategy and pay rule")
    axes.legend()
    figure.tight_layout()
    paths.append(out / "earnings_per_label.png")
    figure.savefig(paths[-1], dpi=120)
    plt.close(figure)

    figure, axes = plt.subplots(1, 3, figsize=(10, 3.5))
    names = list(RULES)
    for axis, metric, label in zip(
        axes,
        ("accuracy", "cost_per_correct_label", "gini"),
        ("inferred-label accuracy", "tokens per correct label", "Gini of earnings"),
        strict=True,
    ):
        axis.bar(names, [getattr(summaries[rule], metric) for rule in names], color="#4c72b0")
        axis.set_title(label)
        if metric == "accuracy":
            axis.set_ylim(0.8, 1.0)
    figure.tight_layout()
    paths.append(out / "accuracy_cost_gini.png")
    figure.savefig(paths[-1], dpi=120)
    plt.close(figure)
    return tuple(paths)


def _table(run: PlatformRun) -> list[str]:
    lines = [
        "| rule | accuracy | "
        + " | ".join(s.replace("_", " ") for s in STRATEGIES)
        + " | spammer share | Gini | tokens per correct label |",
        "|---" * (len(STRATEGIES) + 5) + "|",
    ]
    for rule in RULES:
        s = summarise(run, rule)
        cells = " | ".join(f"{s.earnings_per_label[k]:.3f}" for k in STRATEGIES)
        lines.append(
            f"| {rule} | {s.accuracy:.4f} | {cells} | {s.spammer_payout_share:.2%} | "
            f"{s.gini:.3f} | {s.cost_per_correct_label:.3f} |"
        )
    return lines


def write_report(result: SimResult, out: Path) -> ReportPaths:
    """Write ``report.md``, its PNG plots and ``summary.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    plots = _plots(result, out)
    config = result.config
    run = result.runs["labelshare"]
    population = ", ".join(
        f"{count} {name.replace('_', ' ')}"
        for name in STRATEGIES
        if (count := sum(1 for a in run.agents.values() if a.strategy == name))
    )
    lines = [
        "# labelshare market simulation",
        "",
        f"Scenario: {config.items} items, {config.gold_items} hidden gold items, "
        f"{config.annotators} annotators ({population}), redundancy "
        f"{config.redundancy_min} to {config.redundancy_max}, gold rate {config.gold_rate}, "
        f"gold bar {config.slash_bar}, {config.epochs} epochs, seed {config.seed}.",
        "",
        "Earnings are tokens per submitted label. Accuracy is the share of regular items "
        "whose inferred label is true: plurality vote for the flat and majority rules, the "
        "settlement's truth inference for labelshare's.",
        "",
        "## labelshare platform (hidden gold screening, adaptive redundancy)",
        "",
        *_table(run),
        "",
        f"Labels submitted: {sum(run.labels.values())}; annotators stopped by hidden gold: "
        f"{len(run.blocked)} ("
        + ", ".join(
            f"{sum(1 for a in run.blocked if run.agents[a].strategy == s)} {s.replace('_', ' ')}"
            for s in STRATEGIES
        )
        + ").",
        "",
        *[f"![{p.stem}]({p.name})" for p in plots],
        "",
    ]
    if "fixed3" in result.runs:
        fixed = result.runs["fixed3"]
        lines += [
            f"## Fixed redundancy {config.redundancy_min}, no gold screening",
            "",
            *_table(fixed),
            "",
            f"Labels submitted: {sum(fixed.labels.values())}.",
            "",
        ]
    report = out / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    summary = out / "summary.json"
    summary.write_text(
        json.dumps({"rules": {rule: summarise(run, rule).to_json() for rule in RULES}}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    return ReportPaths(report=report, summary=summary, plots=plots)

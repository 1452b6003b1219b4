"""``labelshare preference``: exports and rankings of pairwise, ranking and rubric projects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labelshare.cli._context import ErrorReportingGroup, console, context

if TYPE_CHECKING:
    from labelshare.services.preference import PreferenceLabels

preference_app = typer.Typer(
    help="Preference data: DPO / Hugging Face exports, global rankings, annotator quality.",
    no_args_is_help=True,
    cls=ErrorReportingGroup,
)


def _load(ctx: typer.Context, project: str, *, kinds: tuple[str, ...]) -> PreferenceLabels:
    from labelshare.services.preference import load_preference_labels
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        return load_preference_labels(session, get_project(session, project), kinds=kinds)


def export(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
    out: Annotated[Path, typer.Argument(help="File (jsonl, parquet) or folder (disk).")],
    what: Annotated[
        str, typer.Option(help="dpo (chosen/rejected pairs), ranking, or rubric.")
    ] = "dpo",
    to: Annotated[
        str, typer.Option(help="jsonl, disk (datasets.save_to_disk) or parquet.")
    ] = "jsonl",
    min_confidence: Annotated[
        float, typer.Option(help="Least posterior probability of an exported preference.")
    ] = 0.5,
    with_metadata: Annotated[
        bool, typer.Option(help="Keep the item id and the confidence in DPO rows.")
    ] = False,
) -> None:
    """Export aggregated preferences for training (DPO/RLHF JSONL or Hugging Face)."""
    from labelshare.errors import InvalidInput
    from labelshare.io.preference import HF_FORMATS, save_hf_dataset, write_jsonl_rows
    from labelshare.services.preference import export_kinds, preference_rows

    kinds = export_kinds(what)
    if to != "jsonl" and to not in HF_FORMATS:
        raise InvalidInput(f"unknown target {to!r}; expected jsonl, disk or parquet", field="to")
    labels = _load(ctx, project, kinds=kinds)
    rows = preference_rows(labels, what, min_confidence=min_confidence, with_metadata=with_metadata)
    if to == "jsonl":
        with out.open("w", encoding="utf-8") as handle:
            count = write_jsonl_rows(rows, handle)
    else:
        count = save_hf_dataset(rows, out, format=to)
    console.print(f"exported {count} {what} rows to {out} ({to})")


def ranking(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
    by: Annotated[
        str | None,
        typer.Option(help="Rank what produced the responses: this key of each response."),
    ] = None,
    method: Annotated[str, typer.Option(help="bt (Bradley–Terry) or crowd-bt.")] = "crowd-bt",
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals.")] = 200,
    level: Annotated[float, typer.Option(help="Interval mass.")] = 0.95,
    top: Annotated[int, typer.Option(help="Rows to print.")] = 20,
) -> None:
    """Print the global ranking of responses (or of models) with bootstrap intervals."""
    from rich.table import Table

    from labelshare.errors import InvalidInput
    from labelshare.quality.preference import (
        BradleyTerry,
        CrowdBT,
        PairwiseEstimator,
        bootstrap_scores,
        comparisons_from_values,
    )
    from labelshare.services.preference import PAIR_KINDS, quality_errors

    estimators: dict[str, PairwiseEstimator] = {"bt": BradleyTerry(), "crowd-bt": CrowdBT()}
    if method not in estimators:
        raise InvalidInput(f"unknown method {method!r}; expected bt or crowd-bt", field="method")
    labels = _load(ctx, project, kinds=PAIR_KINDS)
    objects: dict[str, list[str]] | None = None
    if by is not None:
        objects = {}
        for item in labels.items:
            found = []
            for index, response in enumerate(item.payload.get("responses") or []):
                if not isinstance(response, dict) or by not in response:
                    raise InvalidInput(
                        f"item {item.external_id!r}: response {index} has no {by!r} key",
                        field="by",
                    )
                found.append(str(response[by]))
            objects[item.external_id] = found
    with quality_errors():
        comparisons = comparisons_from_values(
            labels.item_ids,
            labels.annotators,
            labels.values,
            response_objects=objects,
            # A pairwise label's strength weighs its judgement; rankings state none.
            max_strength=labels.schema.to_json().get("max_strength"),
        )
        intervals = bootstrap_scores(
            comparisons, estimator=estimators[method], n_resamples=resamples, level=level
        )
    table = Table(title=f"{project}: {method} scores, {level:.0%} bootstrap intervals")
    for column in ("rank", "object", "score", "interval", "rank interval"):
        table.add_column(column)
    for place, index in enumerate(intervals.ranking()[:top], start=1):
        table.add_row(
            str(place),
            str(intervals.object_ids[index]),
            f"{intervals.scores[index]:+.3f}",
            f"[{intervals.lower[index]:+.3f}, {intervals.upper[index]:+.3f}]",
            f"{intervals.rank_lower[index]}..{intervals.rank_upper[index]}",
        )
    console.print(table)


def annotators(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
) -> None:
    """Print each annotator's reliability, mean label weight and position bias."""
    import numpy as np
    from rich.table import Table

    from labelshare.quality.preference import preference_quality
    from labelshare.services.preference import PAIR_KINDS, quality_errors

    labels = _load(ctx, project, kinds=PAIR_KINDS)
    with quality_errors():
        quality = preference_quality(labels.item_ids, labels.annotators, labels.values)
    who = np.asarray(labels.annotators, dtype=object)
    bias = quality.position_bias
    table = Table(title=f"{project}: annotators")
    for column in ("annotator", "labels", "reliability", "weight", "first", "of", "biased"):
        table.add_column(column)
    for index, worker in enumerate(quality.worker_ids.tolist()):
        mine = who == worker
        judged = int(bias.n_judged[index])
        table.add_row(
            str(worker),
            str(int(mine.sum())),
            f"{quality.reliability[index]:.2f}",
            f"{quality.label_weights[mine].mean():.2f}",
            f"{bias.first_rate[index]:.2f}" if judged else "-",
            str(judged),
            "yes" if bias.is_biased[index] else "no",
        )
    console.print(table)


preference_app.command("export")(export)
preference_app.command("ranking")(ranking)
preference_app.command("annotators")(annotators)

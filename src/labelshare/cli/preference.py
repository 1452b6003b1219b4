"""``labelshare preference``: exports and rankings of pairwise, ranking and rubric projects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from labelshare.cli._context import ErrorReportingGroup, console, context

if TYPE_CHECKING:
    from labelshare.io.records import ExportItem
    from labelshare.schema import LabelSchema

preference_app = typer.Typer(
    help="Preference data: DPO / Hugging Face exports, global rankings, annotator quality.",
    no_args_is_help=True,
    cls=ErrorReportingGroup,
)

_PAIR_KINDS = ("pairwise", "ranking")


@dataclass(frozen=True)
class _Labels:
    """A preference project's items and its labels as three parallel lists."""

    schema: LabelSchema
    items: list[ExportItem]
    item_ids: list[str]
    annotators: list[str]
    values: list[Any]


@contextmanager
def _quality_errors() -> Iterator[None]:
    """Report the quality engine's input errors like the project's own."""
    from labelshare.errors import InvalidInput
    from labelshare.quality import QualityInputError

    try:
        yield
    except QualityInputError as exc:
        raise InvalidInput(str(exc)) from exc


def _load(ctx: typer.Context, project: str, *, kinds: tuple[str, ...]) -> _Labels:
    from labelshare.errors import InvalidInput
    from labelshare.services.exports import iter_export_items
    from labelshare.services.projects import get_project, project_schema

    with context(ctx).session() as session:
        target = get_project(session, project)
        schema = project_schema(target)
        if schema.kind not in kinds:
            raise InvalidInput(
                f"project {project!r} is a {schema.kind} project; this command needs "
                f"{' or '.join(kinds)}",
                field="project",
            )
        items = list(iter_export_items(session, target))
    item_ids: list[str] = []
    annotators: list[str] = []
    values: list[Any] = []
    for item in items:
        for annotation in item.annotations:
            item_ids.append(item.external_id)
            annotators.append(annotation.annotator)
            values.append(annotation.value)
    if not values and schema.kind in _PAIR_KINDS:
        raise InvalidInput(f"project {project!r} has no labels yet", field="project")
    return _Labels(schema, items, item_ids, annotators, values)


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
    from labelshare.io.preference import (
        HF_FORMATS,
        dpo_examples,
        dpo_rows,
        ranking_rows,
        rubric_rows,
        save_hf_dataset,
        write_jsonl_rows,
    )
    from labelshare.quality.preference import preference_quality

    if what not in ("dpo", "ranking", "rubric"):
        raise InvalidInput(
            f"unknown export {what!r}; expected dpo, ranking or rubric", field="what"
        )
    if to != "jsonl" and to not in HF_FORMATS:
        raise InvalidInput(f"unknown target {to!r}; expected jsonl, disk or parquet", field="to")
    labels = _load(ctx, project, kinds=("rubric",) if what == "rubric" else _PAIR_KINDS)
    rows: Iterator[dict[str, Any]]
    if what == "rubric":
        criteria = list(labels.schema.to_json()["criteria"])
        rows = rubric_rows(labels.items, criteria=criteria)
    else:
        with _quality_errors():
            quality = preference_quality(labels.item_ids, labels.annotators, labels.values)
        posteriors = {
            (str(item), i, j): probas.tolist()
            for (item, i, j), probas in zip(quality.tasks, quality.task_probas, strict=True)
        }
        if what == "dpo":
            examples = dpo_examples(labels.items, posteriors, min_confidence=min_confidence)
            rows = dpo_rows(examples, with_metadata=with_metadata)
        else:
            rows = ranking_rows(labels.items, posteriors)
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

    estimators: dict[str, PairwiseEstimator] = {"bt": BradleyTerry(), "crowd-bt": CrowdBT()}
    if method not in estimators:
        raise InvalidInput(f"unknown method {method!r}; expected bt or crowd-bt", field="method")
    labels = _load(ctx, project, kinds=_PAIR_KINDS)
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
    with _quality_errors():
        comparisons = comparisons_from_values(
            labels.item_ids, labels.annotators, labels.values, response_objects=objects
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

    labels = _load(ctx, project, kinds=_PAIR_KINDS)
    with _quality_errors():
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

"""``labelshare aggregate``: infer true labels from a worker,task,label CSV, no database."""

from __future__ import annotations

import csv
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from labelshare.cli._context import console, context, err_console

if TYPE_CHECKING:
    from labelshare.quality import LabelEstimator, LabelMatrix

_METHODS = ("auto", "mv", "wv", "ds", "ods", "glad", "mace", "bcc")


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _write_labels(handle: TextIO, matrix: LabelMatrix, estimator: LabelEstimator) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["task", "label", "confidence"])
    confidence = estimator.probas_.max(axis=1)
    for task_id, label, conf in zip(
        matrix.task_ids.tolist(),
        matrix.class_ids[estimator.labels_].tolist(),
        confidence.tolist(),
        strict=True,
    ):
        writer.writerow([task_id, label, f"{conf:.6f}"])


def _write_workers(path: Path, matrix: LabelMatrix, estimator: LabelEstimator) -> None:
    import numpy as np

    n = np.bincount(matrix.workers, minlength=matrix.n_workers)
    agree = np.bincount(
        matrix.workers,
        weights=(estimator.labels_[matrix.tasks] == matrix.labels).astype(np.float64),
        minlength=matrix.n_workers,
    )
    learned = vars(estimator)
    skills = learned.get("skills_")
    if skills is None and "confusions_" in learned:
        # Accuracy implied by the confusion matrix, averaged over the class prior.
        skills = np.diagonal(learned["confusions_"], axis1=1, axis2=2) @ learned["priors_"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["worker", "n_labels", "agreement", "skill"])
        for i, worker_id in enumerate(matrix.worker_ids.tolist()):
            skill = "" if skills is None else f"{float(skills[i]):.6f}"
            writer.writerow([worker_id, int(n[i]), f"{agree[i] / n[i]:.6f}", skill])


def _gold_accuracy(path: Path, matrix: LabelMatrix, estimator: LabelEstimator) -> tuple[int, int]:
    """(correct, gold tasks present in the matrix) for a task,label gold CSV."""
    from labelshare.quality import QualityInputError

    correct = total = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"task", "label"} <= set(reader.fieldnames):
            raise QualityInputError(f"{path}: expected the header task,label")
        for row in reader:
            try:
                t = matrix.task_index(row["task"])
            except QualityInputError:
                continue  # gold for a task nobody labelled says nothing about the inference
            total += 1
            correct += int(str(matrix.class_ids[estimator.labels_[t]]) == row["label"])
    return correct, total


def _aggregate_project(ctx: typer.Context, project: str, method: str) -> None:
    """Infer and store the labels of a project's items (shown in its exports)."""
    from labelshare.services.inference import infer_project_labels
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        summary = infer_project_labels(session, get_project(session, project), method=method)
    console.print(
        f"inferred labels of {summary.items} items of {project} from {summary.labels} labels"
        f" ({summary.kind}, mean confidence {summary.mean_confidence:.3f})",
        highlight=False,
    )


def aggregate(
    ctx: typer.Context,
    labels: Annotated[
        Path | None, typer.Argument(help="CSV with the header worker,task,label.")
    ] = None,
    method: Annotated[
        str, typer.Option(help=f"Inference method: {', '.join(_METHODS)} (auto: the default).")
    ] = "auto",
    gold: Annotated[
        Path | None, typer.Option(help="CSV task,label of known answers, to report accuracy.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write task,label,confidence here (default: stdout).")
    ] = None,
    workers_out: Annotated[
        Path | None, typer.Option(help="Write worker,n_labels,agreement,skill here.")
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(help="Infer and store the labels of this project's items instead."),
    ] = None,
) -> None:
    """Infer each task's label from a CSV (no database needed) or for a project."""
    from labelshare.quality import (
        ConvergenceWarning,
        LabelMatrix,
        QualityInputError,
        make_estimator,
    )

    if method not in _METHODS:
        raise typer.BadParameter(f"must be one of {', '.join(_METHODS)}", param_hint="--method")
    if project is not None:
        if labels is not None or gold is not None or out is not None or workers_out is not None:
            raise typer.BadParameter(
                "LABELS, --gold, --out and --workers-out do not apply to a project",
                param_hint="--project",
            )
        _aggregate_project(ctx, project, method)
        return
    if labels is None:
        raise typer.BadParameter("give LABELS.csv or --project NAME", param_hint="LABELS")
    for path, hint in ((labels, "LABELS"), (gold, "--gold")):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{path} is not a file", param_hint=hint)
    try:
        matrix = LabelMatrix.from_csv(labels)
        estimator = make_estimator(method)
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            estimator.fit(matrix)
        elapsed = time.perf_counter() - started
        for warning in caught:
            err_console.print(f"[yellow]warning:[/] {warning.message}", highlight=False)
        if out is None:
            _write_labels(typer.get_text_stream("stdout"), matrix, estimator)
        else:
            with out.open("w", newline="", encoding="utf-8") as handle:
                _write_labels(handle, matrix, estimator)
        if workers_out is not None:
            _write_workers(workers_out, matrix, estimator)
        summary = (
            f"{type(estimator).__name__}: {matrix.n_tasks} tasks, {matrix.n_workers} workers, "
            f"{matrix.n_labels} labels, {estimator.n_iter_} iterations, {elapsed:.2f} s"
        )
        target = err_console if out is None else console
        target.print(summary, highlight=False)
        if gold is not None:
            correct, total = _gold_accuracy(gold, matrix, estimator)
            if total == 0:
                target.print("gold: no gold task appears in the labels", highlight=False)
            else:
                target.print(
                    f"gold accuracy: {correct / total:.4f} ({correct}/{total} tasks)",
                    highlight=False,
                )
    except (QualityInputError, OSError) as exc:
        raise _fail(str(exc)) from exc

"""Adaptive redundancy: labels spent per item to reach the accuracy of fixed redundancy.

Every item's labels are replayed in a random order (seeded). Worker confusions and the
class prior come from the default estimator fitted on all labels (standing in for the
previous epoch's fit), and the posterior of an item after its first r labels is the
prior times those labels' likelihoods (``labelshare.quality.item_posterior``, vectorised
here over items). Fixed redundancy r stops every item at r labels; adaptive stops an
item as soon as ``needs_more`` says so (min 1 label, max all available) for a given
confidence. For each fixed r the table gives the cheapest confidence whose accuracy is
at least as good, and the labels per item it spent.

Usage (from the project root)::

    .venv/bin/python benchmarks/redundancy.py [--data DIR] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import warnings
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.special import softmax

from labelshare.quality import LabelMatrix, make_estimator, needs_more

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "aggregation"
CONFIDENCES = [0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]
FIXED = [3, 5]


def replay_posteriors(
    matrix: LabelMatrix, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``(n_tasks, R, K)`` posterior after each item's first r labels, and label counts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make_estimator("auto").fit(matrix)
    confusions, priors = est.confusions_, est.priors_  # type: ignore[attr-defined]
    log_conf = np.log(np.maximum(confusions, 1e-12))
    factors = log_conf[matrix.workers, :, matrix.labels]  # (n_labels, K)
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(matrix.n_labels), matrix.tasks))
    tasks = matrix.tasks[order]
    counts = np.bincount(matrix.tasks, minlength=matrix.n_tasks)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(matrix.n_labels) - starts[tasks]
    R = int(counts.max())
    steps = np.zeros((matrix.n_tasks, R, matrix.n_classes))
    steps[tasks, rank] = factors[order]
    cumulative = np.cumsum(steps, axis=1) + np.log(np.maximum(priors, 1e-12))
    return softmax(cumulative, axis=2), counts


def evaluate(
    posteriors: NDArray[np.float64],
    counts: NDArray[np.int64],
    tasks: NDArray[np.int64],
    truth: NDArray[np.int64],
) -> list[str]:
    """Table rows for one data set."""
    post, n = posteriors[tasks], counts[tasks]
    R = post.shape[1]
    rows = []
    adaptive = []
    for conf in CONFIDENCES:
        spent = np.full(tasks.size, -1)
        for r in range(1, R + 1):
            more = needs_more(
                post[:, r - 1],
                np.minimum(r, n),
                min_redundancy=1,
                max_redundancy=R,
                confidence=conf,
            )
            done = (spent < 0) & (~more | (r >= n))
            spent[done] = np.minimum(r, n[done])
        final = post[np.arange(tasks.size), spent - 1]
        adaptive.append((conf, float(spent.mean()), float((final.argmax(1) == truth).mean())))
    for r in [*[f for f in FIXED if f < counts.max()], R]:
        used = np.minimum(r, n)
        acc = float((post[np.arange(tasks.size), used - 1].argmax(1) == truth).mean())
        match = [a for a in adaptive if a[2] >= acc - 1e-12]
        label = "all" if r == R else str(r)
        if match:
            conf, spent_mean, acc_a = min(match, key=lambda a: a[1])
            saving = 100 * (1 - spent_mean / used.mean())
            rows.append(
                f"{label} | {used.mean():.2f} | {acc:.4f} | {conf} | {spent_mean:.2f} | {acc_a:.4f}"
                f" | {saving:+.0f}%"
            )
        else:
            best = max(adaptive, key=lambda a: a[2])
            rows.append(
                f"{label} | {used.mean():.2f} | {acc:.4f} | none (best {best[0]}: {best[2]:.4f})"
                f" | {best[1]:.2f} | - | -"
            )
    return rows


def synthetic(
    n_tasks: int, n_workers: int, n_classes: int, per_task: int, spam: float, seed: int
) -> tuple[LabelMatrix, NDArray[np.int64]]:
    """A pool of workers with accuracies 0.55..0.95 and a share of uniform spammers."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_tasks)
    accuracy = rng.uniform(0.55, 0.95, n_workers)
    spammer = rng.random(n_workers) < spam
    accuracy[spammer] = 1.0 / n_classes
    workers = np.concatenate(
        [rng.choice(n_workers, per_task, replace=False) for _ in range(n_tasks)]
    )
    tasks = np.repeat(np.arange(n_tasks), per_task)
    right = rng.random(tasks.size) < accuracy[workers]
    wrong = (truth[tasks] + rng.integers(1, n_classes, tasks.size)) % n_classes
    labels = np.where(right, truth[tasks], wrong)
    matrix = LabelMatrix.from_arrays(tasks, workers, labels, classes=range(n_classes))
    return matrix, truth


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print("Adaptive redundancy (min 1, max all available); fixed r vs cheapest adaptive")
    print("set | fixed r | labels/item | accuracy | confidence | labels/item | accuracy | saving")
    sets: list[tuple[str, LabelMatrix, NDArray[np.int64], NDArray[np.int64]]] = []
    for folder in sorted(p for p in args.data.iterdir() if (p / "labels.csv").is_file()):
        matrix = LabelMatrix.from_csv(folder / "labels.csv")
        with (folder / "gold.csv").open(newline="") as handle:
            gold = [(r["task"], r["label"]) for r in csv.DictReader(handle)]
        tasks = np.array([matrix.task_index(t) for t, _ in gold], dtype=np.int64)
        truth = np.array([matrix.class_index(c) for _, c in gold], dtype=np.int64)
        sets.append((folder.name, matrix, tasks, truth))
    for name, spec in {
        "synthetic 2-class, 15/item": (5000, 300, 2, 15, 0.1),
        "synthetic 4-class, 10/item, 25% spam": (5000, 300, 4, 10, 0.25),
    }.items():
        matrix, truth = synthetic(*spec, seed=args.seed)
        sets.append((name, matrix, np.arange(matrix.n_tasks), truth))
    for name, matrix, tasks, truth in sets:
        posteriors, counts = replay_posteriors(matrix, args.seed)
        for row in evaluate(posteriors, counts, tasks, truth):
            print(f"{name} | {row}", flush=True)


if __name__ == "__main__":
    main()

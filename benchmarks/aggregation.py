"""Truth-inference benchmark: labelshare.quality against crowd-kit, in one run.

Tables:
  1. accuracy on every public data set (``../shared/benchmarks/aggregation`` from the
     project root, or ``--data DIR``) for each of our methods and crowd-kit's;
  2. fit time and peak memory on a synthetic pool (default 1,000,000 labels: 100,000
     tasks, 2,000 workers with their own confusion matrices, 10 classes) at equal
     iteration caps, each fit in a fresh subprocess, with ratios;
  3. time of the leave-one-out quality weights on that pool.

crowd-kit 1.4.2 runs in its own virtual environment (``benchmarks/.venv-crowdkit``,
created on first use with ``scikit-learn<1.6``, without which Wawa and ZeroBasedSkill
fail), as a subprocess of this script.

Usage (from the project root)::

    .venv/bin/python benchmarks/aggregation.py                      # everything
    .venv/bin/python benchmarks/aggregation.py --skip-scale         # accuracy only
    .venv/bin/python benchmarks/aggregation.py --skip-accuracy --scale-labels 200000 \
        --scale-methods ds,glad

This file is also the child process of both sides (``--child``); the crowd-kit side
imports only numpy, pandas and crowdkit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "aggregation"
PEER_VENV = HERE / ".venv-crowdkit"
PEER_REQUIREMENTS = ["crowd-kit==1.4.2", "scikit-learn<1.6", "psutil"]

OUR_METHODS = ["mv", "wv", "ds", "ods", "glad", "mace", "bcc", "auto"]
PEER_METHODS = [
    "MajorityVote",
    "Wawa",
    "ZeroBasedSkill",
    "DawidSkene",
    "OneCoinDawidSkene",
    "GLAD",
    "MACE",
]
SCALE_PAIRS = {"ds": "DawidSkene", "glad": "GLAD", "mace": "MACE"}


# ---------------------------------------------------------------- child processes


def _reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark so that VmHWM measures the fit alone (Linux)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field} not in /proc/self/status")


def _child_peer_accuracy(data: Path, methods: list[str]) -> dict[str, dict[str, float]]:
    import pandas as pd
    from crowdkit import aggregation

    warnings.simplefilter("ignore")
    out: dict[str, dict[str, float]] = {}
    for folder in sorted(p for p in data.iterdir() if (p / "labels.csv").is_file()):
        frame = pd.read_csv(folder / "labels.csv", dtype=str)
        gold = pd.read_csv(folder / "gold.csv", dtype=str).set_index("task")["label"]
        out[folder.name] = {}
        for name in methods:
            est = getattr(aggregation, name)()
            if hasattr(est, "silent"):
                est.silent = True
            labels = est.fit_predict(frame).astype(str)
            out[folder.name][name] = float((labels.reindex(gold.index) == gold).mean())
            if name == "DawidSkene":
                # E-steps crowd-kit ran: its stopping test is signed, so it may stop early.
                out[folder.name]["DawidSkene iterations"] = float(len(est.loss_history_))
            print(f"  crowd-kit {name} on {folder.name} done", file=sys.stderr, flush=True)
    return out


def _child_fit(
    side: str, method: str, pool: Path, n_iter: int, run_to_cap: bool = False
) -> dict[str, float]:
    arrays = np.load(pool)
    warnings.simplefilter("ignore")
    if side == "ours":
        from labelshare.quality import LabelMatrix, make_estimator

        matrix = LabelMatrix.from_arrays(arrays["tasks"], arrays["workers"], arrays["labels"])
        # tol=0 never stops early: every iteration up to the cap runs, as crowd-kit's MACE does.
        est = make_estimator(method, n_iter=n_iter, **({"tol": 0.0} if run_to_cap else {}))
        base = _status_mib("VmRSS")
        _reset_peak_rss()
        start = time.perf_counter()
        est.fit(matrix)
        seconds = time.perf_counter() - start
        iters = est.n_iter_
    else:
        import pandas as pd
        from crowdkit import aggregation

        frame = pd.DataFrame(
            {"worker": arrays["workers"], "task": arrays["tasks"], "label": arrays["labels"]}
        )
        if method == "MACE":
            peer = aggregation.MACE(n_restarts=1, n_iter=n_iter, random_state=0)
        elif method == "GLAD":
            peer = aggregation.GLAD(n_iter=n_iter, silent=True)
        else:
            peer = getattr(aggregation, method)(n_iter=n_iter)
        base = _status_mib("VmRSS")
        _reset_peak_rss()
        start = time.perf_counter()
        peer.fit(frame)
        seconds = time.perf_counter() - start
        iters = len(getattr(peer, "loss_history_", [])) or n_iter
    peak = _status_mib("VmHWM")
    return {"seconds": seconds, "peak_mib": peak, "extra_mib": peak - base, "iters": iters}


# ---------------------------------------------------------------- parent helpers


def ensure_peer_python(venv: Path) -> Path:
    """Python of the crowd-kit environment, created and filled on first use."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import crowdkit, sklearn, psutil"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"installing {' '.join(PEER_REQUIREMENTS)} into {venv} ...", file=sys.stderr)
    uv = ROOT / ".venv" / "bin" / "uv"
    if uv.exists():
        subprocess.run([str(uv), "venv", "--python", sys.executable, str(venv)], check=True)
        subprocess.run(
            [str(uv), "pip", "install", "--python", str(python), *PEER_REQUIREMENTS], check=True
        )
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS], check=True)
    return python


def _run_child(python: Path, args: list[str]) -> Any:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--child", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def our_accuracy(
    data: Path, methods: list[str], peer: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """Accuracy on gold of each of our methods on each data set.

    Where crowd-kit's DawidSkene result carries its iteration count k, also runs our
    DawidSkene for the same number of E-steps (``n_iter = k - 1``: ours ends with one
    more E-step) as ``ds@ck-iters``, to separate model from stopping rule.
    """
    import csv

    from labelshare.quality import DawidSkene, LabelMatrix, make_estimator

    out: dict[str, dict[str, float]] = {}
    for folder in sorted(p for p in data.iterdir() if (p / "labels.csv").is_file()):
        matrix = LabelMatrix.from_csv(folder / "labels.csv")
        with (folder / "gold.csv").open(newline="") as handle:
            gold = [(row["task"], row["label"]) for row in csv.DictReader(handle)]
        tasks = np.array([matrix.task_index(t) for t, _ in gold])
        truth = np.array([label for _, label in gold])
        estimators = {m: make_estimator(m) for m in methods}
        ck_iters = peer.get(folder.name, {}).get("DawidSkene iterations")
        if ck_iters:
            estimators["ds@ck-iters"] = DawidSkene(n_iter=max(int(ck_iters) - 1, 1))
        out[folder.name] = {}
        for name, est in estimators.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(matrix)
            predicted = matrix.class_ids[est.labels_[tasks]].astype(str)
            out[folder.name][name] = float((predicted == truth).mean())
    return out


def _data_sets(data: Path) -> list[tuple[str, Any, np.ndarray, np.ndarray]]:
    """(name, matrix, gold task indices, gold class indices) of every set in ``data``."""
    import csv

    from labelshare.quality import LabelMatrix

    sets = []
    for folder in sorted(p for p in data.iterdir() if (p / "labels.csv").is_file()):
        matrix = LabelMatrix.from_csv(folder / "labels.csv")
        with (folder / "gold.csv").open(newline="") as handle:
            gold = [(row["task"], row["label"]) for row in csv.DictReader(handle)]
        tasks = np.array([matrix.task_index(t) for t, _ in gold])
        classes = np.array([matrix.class_index(label) for _, label in gold])
        sets.append((folder.name, matrix, tasks, classes))
    return sets


def _fit_quietly(method: str, matrix: Any, **kwargs: Any) -> Any:
    from labelshare.quality import make_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_estimator(method).fit(matrix, **kwargs)


def heldout_label_likelihood(matrix: Any, method: str, folds: int = 5) -> float:
    """Mean log P(label | the other labels) over labels held out in ``folds`` folds.

    Each fold refits on the other labels; a held-out label's probability is
    sum_k P(task's truth = k | its training labels) P(worker answers it | k). Labels of
    a task or worker absent from the training folds are skipped. No gold is used.
    """
    from labelshare.quality import LabelMatrix

    fold = np.random.default_rng(0).permutation(matrix.n_labels) % folds
    task_ids, worker_ids = matrix.task_ids[matrix.tasks], matrix.worker_ids[matrix.workers]
    total, count = 0.0, 0
    for f in range(folds):
        train = fold != f
        sub = LabelMatrix.from_arrays(
            task_ids[train],
            worker_ids[train],
            matrix.class_ids[matrix.labels[train]],
            classes=matrix.class_ids,
        )
        est = _fit_quietly(method, sub)
        task_of = {t: i for i, t in enumerate(sub.task_ids.tolist())}
        worker_of = {w: i for i, w in enumerate(sub.worker_ids.tolist())}
        rows = [
            (task_of[t], worker_of[w], y)
            for t, w, y in zip(
                task_ids[~train].tolist(),
                worker_ids[~train].tolist(),
                matrix.labels[~train].tolist(),
                strict=True,
            )
            if t in task_of and w in worker_of
        ]
        t, w, y = (np.array(c) for c in zip(*rows, strict=True))
        p = (est.probas_[t] * est.confusions_[w, :, y]).sum(axis=1)
        total += float(np.log(p).sum())
        count += len(rows)
    return total / count


def gold_ceiling(matrix: Any, tasks: np.ndarray, classes: np.ndarray, method: str) -> float:
    """Accuracy on gold when the other 80% of the gold clamps its tasks (5 folds)."""
    fold = np.random.default_rng(0).permutation(tasks.size) % 5
    correct = 0
    for f in range(5):
        test = fold == f
        est = _fit_quietly(method, matrix, gold=(tasks[~test], classes[~test]))
        correct += int((est.labels_[tasks[test]] == classes[test]).sum())
    return correct / tasks.size


def print_evidence(data: Path, peer: dict[str, dict[str, float]]) -> None:
    """Tables 1b and 1c: label-only evidence for ``auto``, and the gold-aided ceiling."""
    methods = ["ds", "mace", "bcc", "auto"]
    sets = _data_sets(data)
    print("\nTable 1b. 5-fold held-out label log-likelihood per label (labels only, no gold)")
    print(" | ".join(["data set", *methods]))
    sums = np.zeros(len(methods))
    for name, matrix, _, _ in sets:
        row = np.array([heldout_label_likelihood(matrix, m) for m in methods])
        sums += row
        print(" | ".join([name, *(f"{v:.4f}" for v in row)]), flush=True)
    print(" | ".join(["sum", *(f"{v:.4f}" for v in sums)]))
    ceiling = ["ds", "bcc", "auto"]
    print("\nTable 1c. Accuracy on gold with 80% of the gold given (5 folds), minus ck best")
    print(" | ".join(["data set", *ceiling]))
    table = []
    for name, matrix, tasks, classes in sets:
        pr = peer.get(name, {})
        best = max((v for k, v in pr.items() if not k.endswith("iterations")), default=0.0)
        row = [gold_ceiling(matrix, tasks, classes, m) - best for m in ceiling]
        table.append(row)
        print(" | ".join([name, *(f"{100 * v:+.2f} pt" for v in row)]), flush=True)
    mean = np.mean(np.array(table), axis=0)
    print(" | ".join(["mean", *(f"{100 * v:+.2f} pt" for v in mean)]))


def print_accuracy(ours: dict[str, dict[str, float]], peer: dict[str, dict[str, float]]) -> None:
    """Table 1: every method on every set, crowd-kit's best, and the differences."""
    ours_cols = list(next(iter(ours.values())))
    peer_cols = [c for c in next(iter(peer.values()))] if peer else []
    peer_cols = [c for c in peer_cols if not c.endswith("iterations")]
    extra = ["ck best", "auto-ckbest", "ds-ckDS", "ds@ck-ckDS"] if peer else []
    print("\nTable 1. Accuracy on gold (ck: = crowd-kit 1.4.2 with default parameters)")
    print(" | ".join(["data set", *ours_cols, *[f"ck:{c}" for c in peer_cols], *extra]))
    table: dict[str, list[float]] = {}
    for name, row in ours.items():
        pr = peer.get(name, {})
        values = [row[c] for c in ours_cols] + [pr[c] for c in peer_cols]
        if peer:
            best = max(pr[c] for c in peer_cols)
            values += [
                best,
                row["auto"] - best,
                row["ds"] - pr["DawidSkene"],
                row.get("ds@ck-iters", float("nan")) - pr["DawidSkene"],
            ]
        table[name] = values
        print(" | ".join([name, *_cells(values, len(ours_cols) + len(peer_cols) + 1)]))
    mean = list(np.mean(np.array(list(table.values())), axis=0))
    print(" | ".join(["mean", *_cells(mean, len(ours_cols) + len(peer_cols) + 1)]))


def _cells(values: list[float], n_plain: int) -> list[str]:
    """Accuracies as 0.xxxx, differences (after the first n_plain) in points."""
    return [f"{v:.4f}" if i < n_plain else f"{100 * v:+.2f} pt" for i, v in enumerate(values)]


def make_pool(
    n_tasks: int, n_workers: int, n_classes: int, per_task: int, seed: int = 7
) -> dict[str, Any]:
    """Synthetic labels: each worker has its own confusion matrix (accuracy 0.3..0.95)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_tasks)
    accuracy = rng.uniform(0.3, 0.95, n_workers)
    errors = rng.dirichlet(np.ones(n_classes), size=(n_workers, n_classes))
    confusion = errors * (1 - accuracy)[:, None, None]
    diag = np.arange(n_classes)
    confusion[:, diag, diag] += accuracy[:, None]
    confusion /= confusion.sum(axis=2, keepdims=True)
    workers = np.concatenate(
        [rng.choice(n_workers, per_task, replace=False) for _ in range(n_tasks)]
    )
    tasks = np.repeat(np.arange(n_tasks), per_task)
    cumulative = np.cumsum(confusion[workers, truth[tasks]], axis=1)
    labels = np.minimum((rng.random(tasks.size)[:, None] > cumulative).sum(axis=1), n_classes - 1)
    return {"tasks": tasks, "workers": workers, "labels": labels, "truth": truth}


def scale_table(
    python_ours: Path,
    python_peer: Path | None,
    pool: Path,
    methods: list[str],
    caps: dict[str, int],
    n_labels: int,
    run_to_cap: bool = False,
) -> None:
    """Table 2: each fit in a fresh subprocess on both sides, with ratios."""
    print(
        f"\nTable 2. Fit at {n_labels:,} labels, one fresh process per fit; extra MiB = peak RSS"
        " during the fit minus RSS before it"
    )
    print(
        "method | cap | ours s (iters) | ck s (iters) | speed-up | speed-up per iter"
        " | ours extra MiB | ck extra MiB | mem ours/ck"
    )
    for method in methods:
        cap = caps[method]
        ours = _run_child(
            python_ours, ["fit", "ours", method, str(pool), str(cap), str(int(run_to_cap))]
        )
        line = f"{method} | {cap} | {ours['seconds']:.2f} ({ours['iters']})"
        if python_peer is None:
            print(line + f" | - | - | - | {ours['extra_mib']:.0f} | - | -", flush=True)
            continue
        peer = _run_child(
            python_peer, ["fit", "peer", SCALE_PAIRS[method], str(pool), str(cap), "0"]
        )
        per_iter = (peer["seconds"] / peer["iters"]) / (ours["seconds"] / ours["iters"])
        print(
            f"{line} | {peer['seconds']:.2f} ({peer['iters']})"
            f" | {peer['seconds'] / ours['seconds']:.1f}x | {per_iter:.1f}x"
            f" | {ours['extra_mib']:.0f} | {peer['extra_mib']:.0f}"
            f" | {ours['extra_mib'] / max(peer['extra_mib'], 1e-9):.3f}",
            flush=True,
        )


def loo_timing(pool_arrays: dict[str, Any], method: str) -> None:
    """Table 3: leave-one-out quality weights for every label of the pool."""
    from labelshare.quality import LabelMatrix, loo_quality_weights, make_estimator

    matrix = LabelMatrix.from_arrays(
        pool_arrays["tasks"], pool_arrays["workers"], pool_arrays["labels"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make_estimator(method).fit(matrix)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        weights = loo_quality_weights(est, matrix)
        times.append(time.perf_counter() - start)
    print(
        f"\nTable 3. loo_quality_weights({method}) on {matrix.n_labels:,} labels:"
        f" best of 3 {min(times):.3f} s "
        f"(all: {', '.join(f'{t:.3f}' for t in times)}); mean weight {weights.mean():.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of data sets")
    parser.add_argument("--peer-venv", type=Path, default=PEER_VENV, help="crowd-kit virtualenv")
    parser.add_argument("--no-peer", action="store_true", help="skip crowd-kit")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument(
        "--evidence",
        action="store_true",
        help="also tables 1b (held-out label likelihood) and 1c (accuracy with 80%% gold)",
    )
    parser.add_argument("--peer-methods", default=",".join(PEER_METHODS))
    parser.add_argument("--scale-labels", type=int, default=1_000_000, help="10 labels per task")
    parser.add_argument("--scale-workers", type=int, default=2_000)
    parser.add_argument("--scale-classes", type=int, default=10)
    parser.add_argument("--scale-methods", default="ds,glad,mace")
    parser.add_argument(
        "--caps", default="ds=100,glad=100,mace=50", help="iteration caps, both sides"
    )
    parser.add_argument(
        "--run-to-cap",
        action="store_true",
        help="ours with tol=0, so it runs every iteration up to the cap (table 2)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        if kind == "accuracy":
            result: Any = _child_peer_accuracy(Path(rest[0]), rest[1].split(","))
        else:
            result = _child_fit(rest[0], rest[1], Path(rest[2]), int(rest[3]), rest[4] == "1")
        print(json.dumps(result))
        return

    python_peer = None if args.no_peer else ensure_peer_python(args.peer_venv)
    if not args.skip_accuracy:
        if not args.data.is_dir():
            parser.error(f"--data: {args.data} is not a folder")
        peer = (
            {}
            if python_peer is None
            else _run_child(python_peer, ["accuracy", str(args.data), args.peer_methods])
        )
        print_accuracy(our_accuracy(args.data, OUR_METHODS, peer), peer)
        if args.evidence:
            print_evidence(args.data, peer)
    if not args.skip_scale:
        per_task = 10
        arrays = make_pool(
            args.scale_labels // per_task, args.scale_workers, args.scale_classes, per_task
        )
        caps = {k: int(v) for k, v in (c.split("=") for c in args.caps.split(","))}
        with tempfile.TemporaryDirectory() as tmp:
            pool = Path(tmp) / "pool.npz"
            np.savez(pool, **{k: v for k, v in arrays.items() if k != "truth"})
            scale_table(
                Path(sys.executable),
                python_peer,
                pool,
                args.scale_methods.split(","),
                caps,
                arrays["tasks"].size,
                args.run_to_cap,
            )
        loo_timing(arrays, "auto")


if __name__ == "__main__":
    main()

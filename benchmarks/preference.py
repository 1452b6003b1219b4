"""Preference aggregation benchmark: labelshare against crowd-kit, in one run.

Synthetic pools with known true scores: objects with log-strengths drawn from
N(0, 1.5^2); each judgement compares two random objects, shown in random order
(``left`` is the one displayed first). Annotators are honest (answer by
Bradley–Terry on the true scores, then are right with their own skill in [0.8, 1]),
random (a coin), or always-left (pick the first-shown response). Scenarios:

  clean   every annotator honest;
  noisy   30% random and 10% always-left annotators.

Methods: our ``BradleyTerry`` and ``CrowdBT`` against crowd-kit 1.4.2's
``BradleyTerry`` and ``NoisyBradleyTerry`` (crowd-kit's ``NoisyBT``), each fit in a
fresh subprocess with BLAS on one thread (both sides alike). Reported: Spearman
correlation of the fitted scores with the true ones, fit time (ours includes
building ``Comparisons``; crowd-kit's includes its own factorisation) and ratios.

crowd-kit runs in its own virtual environment (``benchmarks/.venv-crowdkit``, created
on first use with ``scikit-learn<1.6``) as a subprocess of this script.

Usage (from the project root)::

    .venv/bin/python benchmarks/preference.py
    .venv/bin/python benchmarks/preference.py --sizes 20000 --objects 500 --repeats 1
    .venv/bin/python benchmarks/preference.py --objects 5000 --sizes 100000 --methods bt
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
PEER_VENV = HERE / ".venv-crowdkit"
PEER_REQUIREMENTS = ["crowd-kit==1.4.2", "scikit-learn<1.6", "psutil"]
OURS = {"bt": "BradleyTerry", "crowd_bt": "CrowdBT"}
PEERS = {"bt": "BradleyTerry", "crowd_bt": "NoisyBradleyTerry"}
N_ITER = 100


# ---------------------------------------------------------------- child processes


def _child(side: str, method: str, pool: Path) -> dict[str, Any]:
    arrays = np.load(pool)
    left, right, winner_left = arrays["left"], arrays["right"], arrays["winner_left"]
    workers = arrays["workers"]
    n_objects = int(arrays["n_objects"])
    warnings.simplefilter("ignore")
    if side == "ours":
        from labelshare.quality.preference import BradleyTerry, Comparisons, CrowdBT

        start = time.perf_counter()
        comparisons = Comparisons.from_arrays(
            left,
            right,
            np.where(winner_left, 0, 1),
            workers=workers,
            shown_first=np.zeros(left.shape[0], dtype=np.int64),
        )
        model = BradleyTerry() if method == "bt" else CrowdBT(n_iter=N_ITER)
        model.fit(comparisons)
        seconds = time.perf_counter() - start
        scores = np.full(n_objects, np.nan)
        scores[comparisons.object_ids.astype(np.int64)] = model.scores_
        return {"seconds": seconds, "scores": scores.tolist()}
    import pandas as pd
    from crowdkit import aggregation

    frame = pd.DataFrame(
        {
            "worker": workers,
            "left": left,
            "right": right,
            "label": np.where(winner_left, left, right),
        }
    )
    peer = (
        aggregation.BradleyTerry(n_iter=N_ITER)
        if method == "bt"
        else aggregation.NoisyBradleyTerry(n_iter=N_ITER)
    )
    start = time.perf_counter()
    fitted = peer.fit_predict(frame)
    seconds = time.perf_counter() - start
    scores = fitted.reindex(range(n_objects)).to_numpy(dtype=float)
    return {"seconds": seconds, "scores": scores.tolist()}


# ---------------------------------------------------------------- parent helpers


def ensure_peer_python(venv: Path) -> Path:
    """Python of the crowd-kit environment, created and filled on first use."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import crowdkit.aggregation"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"installing {' '.join(PEER_REQUIREMENTS)} into {venv} ...", file=sys.stderr)
    uv = ROOT / ".venv" / "bin" / "uv"
    subprocess.run([str(uv), "venv", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [str(uv), "pip", "install", "--python", str(python), *PEER_REQUIREMENTS], check=True
    )
    return python


def run_child(python: Path, side: str, method: str, pool: Path) -> dict[str, Any]:
    """Run one fit in a fresh process with BLAS on one thread; return its JSON result."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    args = [str(python), str(Path(__file__)), "--child", side, method, str(pool)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{side} {method} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def make_pool(
    *, n_objects: int, n_judgements: int, n_workers: int, scenario: str, seed: int
) -> dict[str, Any]:
    """Draw a pool; the truth is returned beside the judgements."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(scale=1.5, size=n_objects)
    left = rng.integers(0, n_objects, n_judgements)
    right = (left + rng.integers(1, n_objects, n_judgements)) % n_objects
    workers = rng.integers(0, n_workers, n_judgements)
    kind = np.zeros(n_workers, dtype=np.int64)  # 0 honest, 1 random, 2 always-left
    if scenario == "noisy":
        kind[: int(0.3 * n_workers)] = 1
        kind[int(0.3 * n_workers) : int(0.4 * n_workers)] = 2
    skill = rng.uniform(0.8, 1.0, n_workers)
    p_left = 1.0 / (1.0 + np.exp(-(truth[left] - truth[right])))
    bt_left = rng.random(n_judgements) < p_left
    truthful = rng.random(n_judgements) < skill[workers]
    honest = np.where(truthful, bt_left, ~bt_left)
    coin = rng.random(n_judgements) < 0.5
    worker_kind = kind[workers]
    winner_left = np.where(worker_kind == 0, honest, np.where(worker_kind == 1, coin, True))
    return {
        "left": left,
        "right": right,
        "winner_left": winner_left,
        "workers": workers,
        "n_objects": np.int64(n_objects),
        "truth": truth,
    }


def spearman(scores: list[float], truth: np.ndarray) -> float:
    """Spearman correlation; objects a method did not score rank last."""
    from scipy.stats import spearmanr

    values = np.asarray(scores, dtype=float)
    values = np.where(np.isfinite(values), values, -np.inf)
    return float(spearmanr(values, truth).statistic)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every scenario and size on both sides, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "METHOD", "POOL"))
    parser.add_argument("--sizes", default="20000,100000", help="judgements per pool")
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--scenarios", default="clean,noisy")
    parser.add_argument("--repeats", type=int, default=3, help="seeds per cell (mean reported)")
    parser.add_argument("--methods", default="bt,crowd_bt", help="bt and/or crowd_bt")
    parser.add_argument("--peer-venv", type=Path, default=PEER_VENV)
    args = parser.parse_args(argv)
    if args.child:
        side, method, pool = args.child
        print(json.dumps(_child(side, method, Path(pool))))
        return
    peer_python = ensure_peer_python(args.peer_venv)
    ours_python = Path(sys.executable)
    print(
        f"Preference aggregation: {args.objects} objects, {args.workers} annotators, "
        f"mean of {args.repeats} seeds; crowd-kit 1.4.2 n_iter={N_ITER}; BLAS 1 thread"
    )
    header = "scenario | judgements | method | ours rho | ck rho | ours s | ck s | ck/ours time"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenarios.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                methods = [m for m in args.methods.split(",") if m in OURS]
                cells: dict[str, dict[str, list[float]]] = {
                    m: {"ours_rho": [], "ck_rho": [], "ours_s": [], "ck_s": []} for m in methods
                }
                for seed in range(args.repeats):
                    pool = make_pool(
                        n_objects=args.objects,
                        n_judgements=size,
                        n_workers=args.workers,
                        scenario=scenario,
                        seed=seed,
                    )
                    path = Path(tmp) / f"{scenario}-{size}-{seed}.npz"
                    np.savez(path, **pool)
                    for method in methods:
                        ours = run_child(ours_python, "ours", method, path)
                        peer = run_child(peer_python, "peer", method, path)
                        cell = cells[method]
                        cell["ours_rho"].append(spearman(ours["scores"], pool["truth"]))
                        cell["ck_rho"].append(spearman(peer["scores"], pool["truth"]))
                        cell["ours_s"].append(ours["seconds"])
                        cell["ck_s"].append(peer["seconds"])
                for method, cell in cells.items():
                    mean = {k: float(np.mean(v)) for k, v in cell.items()}
                    label = f"{OURS[method]} vs ck:{PEERS[method]}"
                    print(
                        f"{scenario} | {size} | {label} | {mean['ours_rho']:.4f} | "
                        f"{mean['ck_rho']:.4f} | {mean['ours_s']:.3f} | {mean['ck_s']:.3f} | "
                        f"{mean['ck_s'] / mean['ours_s']:.1f}x",
                        flush=True,
                    )


if __name__ == "__main__":
    main()

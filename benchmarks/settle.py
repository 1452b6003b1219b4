"""Epoch-close benchmark: one epoch of a large project settled end to end on SQLite.

Builds a project with N annotations over M items by K annotators (default 1,000,000 /
100,000 / 10,000; three classes, 2% of items gold, each annotator right with their own
accuracy between 0.55 and 0.95), written straight into the tables, then times
``labelshare.services.epochs.close_epoch`` in one unit of work (commit included) and
prints each step and the peak resident memory of the process.

Usage (from the project root)::

    .venv/bin/python benchmarks/settle.py
    .venv/bin/python benchmarks/settle.py --annotations 100000 --items 10000 --annotators 1000
    .venv/bin/python benchmarks/settle.py --db postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from labelshare.core.ids import placeholder_address
from labelshare.schema import value_sha256
from labelshare.services.accounts import ensure_account
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.projects import create_project, get_project, set_project_status
from labelshare.store.migrate import upgrade
from labelshare.store.models import Account, Annotation, Item
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work

CLASSES = ("a", "b", "c")
_BATCH = 50_000


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(url: str, *, annotations: int, items: int, annotators: int, seed: int) -> None:
    """Write the project, its items, annotators and annotations."""
    rng = np.random.default_rng(seed)
    engine = make_engine(url, sqlite_synchronous="NORMAL")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        owner = ensure_account(session, placeholder_address("bench-owner"), roles=["requester"])
        project = create_project(
            session,
            owner,
            {
                "name": "bench",
                "schema": {"kind": "classification", "classes": list(CLASSES)},
                "reward_per_label": 10**16,
                "redundancy_min": 10,
                "redundancy_max": 10,
            },
        )
        set_project_status(session, project, "active")
        fund_project(session, project, amount=annotations * 10**16)
        truth = rng.integers(0, 3, size=items)
        is_gold = rng.random(items) < 0.02
        session.execute(
            insert(Item),
            [
                {
                    "project_id": project.id,
                    "external_id": f"i{n}",
                    "payload": {"text": f"item {n}"},
                    "gold": CLASSES[int(truth[n])] if is_gold[n] else None,
                    "is_gold": bool(is_gold[n]),
                    "label_target": 10,
                }
                for n in range(items)
            ],
        )
        session.execute(
            insert(Account),
            [
                {"address": placeholder_address(f"bench-{k}"), "roles": ["annotator"]}
                for k in range(annotators)
            ],
        )
        item_ids = np.array(
            session.scalars(
                select(Item.id).where(Item.project_id == project.id).order_by(Item.id)
            ).all()
        )
        account_ids = np.array(
            session.scalars(
                select(Account.id).where(Account.id != owner.id).order_by(Account.id)
            ).all()
        )
        project_id = project.id
    digests = [value_sha256(c) for c in CLASSES]
    accuracy = rng.uniform(0.55, 0.95, size=annotators)
    per_item = annotations // items
    with engine.begin() as connection:
        for start in range(0, items, _BATCH // per_item):
            block = np.arange(start, min(start + _BATCH // per_item, items))
            rows = []
            for n in block:
                workers = rng.choice(annotators, size=per_item, replace=False)
                right = rng.random(per_item) < accuracy[workers]
                wrong = (truth[n] + rng.integers(1, 3, size=per_item)) % 3
                values = np.where(right, truth[n], wrong)
                for w, v in zip(workers, values, strict=True):
                    rows.append(
                        {
                            "project_id": project_id,
                            "item_id": int(item_ids[n]),
                            "annotator_id": int(account_ids[w]),
                            "value": CLASSES[int(v)],
                            "value_sha256": digests[int(v)],
                        }
                    )
            connection.execute(insert(Annotation), rows)
    engine.dispose()


def main() -> None:
    """Build the data set, close one epoch and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=10_000)
    parser.add_argument("--estimator", default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'settle.db'}"
        started = time.perf_counter()
        build(
            url,
            annotations=args.annotations,
            items=args.items,
            annotators=args.annotators,
            seed=args.seed,
        )
        print(f"built {args.annotations:,} annotations in {time.perf_counter() - started:.1f} s")
        rss_before = _peak_rss_mib()
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            outcome = close_epoch(session, get_project(session, "bench"), estimator=args.estimator)
            commit_started = time.perf_counter()
        total = time.perf_counter() - started
        engine.dispose()
        settlement = outcome.settlement
        assert settlement is not None
        print(f"epoch close end to end: {total:.2f} s (estimator {args.estimator})")
        for step, seconds in outcome.timings_s.items():
            print(f"  {step:<16} {seconds:8.2f} s")
        print(f"  {'commit':<16} {time.perf_counter() - commit_started:8.2f} s")
        print(
            f"labels settled {sum(settlement.label_counts):,}; "
            f"annotators {len(settlement.addresses):,}; "
            f"paid {sum(settlement.rewards) / 10**18:,.2f} tokens; root {outcome.epoch.merkle_root}"
        )
        print(
            f"peak RSS: {_peak_rss_mib():,.0f} MiB (after building the data: {rss_before:,.0f} MiB)"
        )


if __name__ == "__main__":
    main()

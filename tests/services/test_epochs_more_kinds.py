"""Epoch settlement of multilabel, bbox and free-text projects: quality decides pay."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from labelshare.ledger import escrow_account
from labelshare.services.audit import audit
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.journal import balance_of
from labelshare.store.models import Item
from tests.services.kind_world import make_kind_world
from tests.services.settlement_world import TOKEN, label_round

ESCROW = 1000 * TOKEN
CLASSES = ["cat", "dog", "bird", "fish"]
WORDS = ["the", "a", "red", "blue", "small", "large", "car", "bike", "house", "tree"]


def _multilabel(rng: random.Random) -> dict[str, Any]:
    return {"truth": sorted(rng.sample(CLASSES, rng.randint(1, 2)))}


def _honest_multilabel(item: Item, rng: random.Random) -> Any:
    truth = set(item.payload["truth"])
    if rng.random() < 0.1:
        truth ^= {rng.choice(CLASSES)}
    return sorted(truth) or [item.payload["truth"][0]]


def _random_multilabel(item: Item, rng: random.Random) -> Any:
    return sorted(rng.sample(CLASSES, rng.randint(1, 3)))


def _bbox(rng: random.Random) -> dict[str, Any]:
    x, y = rng.randint(0, 150), rng.randint(0, 150)
    return {
        "width": 200,
        "height": 200,
        "truth": [{"x": x, "y": y, "w": 40, "h": 40, "class": "car"}],
    }


def _honest_bbox(item: Item, rng: random.Random) -> Any:
    (box,) = item.payload["truth"]
    return [{**box, "x": box["x"] + rng.randint(0, 3), "y": box["y"] + rng.randint(0, 3)}]


def _random_bbox(item: Item, rng: random.Random) -> Any:
    return [{"x": rng.randint(0, 150), "y": rng.randint(0, 150), "w": 30, "h": 30, "class": "car"}]


def _text(rng: random.Random) -> dict[str, Any]:
    return {"truth": " ".join(rng.choice(WORDS) for _ in range(4))}


def _honest_text(item: Item, rng: random.Random) -> Any:
    return str(item.payload["truth"])


def _random_text(item: Item, rng: random.Random) -> Any:
    return " ".join(rng.choice(WORDS) for _ in range(4))


Answer = Callable[[Item, random.Random], Any]
KINDS: dict[
    str, tuple[dict[str, Any], Callable[[random.Random], dict[str, Any]], Answer, Answer]
] = {
    "multilabel": (
        {"kind": "multilabel", "classes": CLASSES},
        _multilabel,
        _honest_multilabel,
        _random_multilabel,
    ),
    "bbox": ({"kind": "bbox", "classes": ["car"]}, _bbox, _honest_bbox, _random_bbox),
    "text": ({"kind": "text", "max_length": 100}, _text, _honest_text, _random_text),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_spammer_earns_far_less_and_money_is_conserved(session: Session, kind: str) -> None:
    """Honest labels out-earn random ones per label; paid equals debited; audit is clean."""
    schema, make_payload, honest_answer, random_answer = KINDS[kind]
    rng = random.Random(4)
    world = make_kind_world(
        session,
        tag=f"more-{kind}",
        schema=schema,
        payloads=[make_payload(rng) for _ in range(30)],
        answers=[honest_answer] * 4 + [random_answer],
    )
    fund_project(session, world.project, amount=ESCROW)
    label_round(session, world, per_annotator=30)
    outcome = close_epoch(session, world.project)
    settlement = outcome.settlement
    assert settlement is not None
    counts = np.asarray(settlement.label_counts, dtype=float)
    per_label = np.asarray(settlement.rewards, dtype=float) / np.maximum(counts, 1)
    by_address = dict(zip(settlement.addresses, per_label, strict=True))
    honest = [by_address[a.address] for a in world.annotators[:4]]
    spammer = by_address[world.annotators[4].address]
    assert min(honest) > 0
    assert spammer < 0.25 * min(honest)
    paid, debited = (
        sum(settlement.rewards),
        ESCROW + sum(settlement.slashes) - settlement.escrow_balance,
    )
    assert paid == debited
    assert balance_of(session, escrow_account(settlement.project_id)) == settlement.escrow_balance
    assert close_epoch(session, world.project).is_new is False
    assert audit(session, project=world.project).is_clean

"""A small labelled project for settlement tests: annotators who answer by a rule."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from labelshare.core.ids import placeholder_address
from labelshare.errors import NoWorkAvailable
from labelshare.services.accounts import ensure_account
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.models import Account, Item, Project

CLASSES = ("pos", "neg", "neu")
TOKEN = 10**18
Answer = Callable[[Item, random.Random], str]


def truth_of(item: Item) -> str:
    """The true class of a world item (stored in its payload)."""
    return str(item.payload["truth"])


def honest(accuracy: float) -> Answer:
    """An annotator right with probability ``accuracy``, else a random wrong class."""

    def answer(item: Item, rng: random.Random) -> str:
        truth = truth_of(item)
        if rng.random() < accuracy:
            return truth
        return rng.choice([c for c in CLASSES if c != truth])

    return answer


def constant(value: str) -> Answer:
    """An annotator who always gives ``value``."""
    return lambda item, rng: value


@dataclass
class World:
    """A project, its items and its annotators."""

    project: Project
    items: list[Item]
    annotators: list[Account]
    answers: list[Answer]


def make_world(
    session: Session,
    *,
    tag: str,
    n_items: int,
    answers: Sequence[Answer],
    reward_per_label: int = TOKEN,
    n_gold: int = 0,
    redundancy: int = 3,
    gold_rate: float = 0.2,
    seed: int = 7,
) -> World:
    """A project ``world-<tag>`` with items whose truth is random, and its annotators."""
    rng = random.Random(seed)
    owner = ensure_account(session, placeholder_address(f"{tag}-owner"), roles=["requester"])
    project = create_project(
        session,
        owner,
        {
            "name": f"world-{tag}",
            "schema": {"kind": "classification", "classes": list(CLASSES)},
            "reward_per_label": reward_per_label,
            "redundancy_min": redundancy,
            "redundancy_max": redundancy,
            "gold_rate": gold_rate if n_gold else 0.0,
            "slash_bar": 0.6,
        },
    )
    set_project_status(session, project, "active")
    items = []
    for n in range(n_items):
        truth = rng.choice(CLASSES)
        is_gold = n < n_gold
        item = Item(
            project_id=project.id,
            external_id=f"item-{n}",
            payload={"text": f"text {n}", "truth": truth},
            gold=truth if is_gold else None,
            is_gold=is_gold,
            label_target=redundancy,
        )
        session.add(item)
        items.append(item)
    annotators = [
        ensure_account(session, placeholder_address(f"{tag}-annotator-{i}"), roles=["annotator"])
        for i in range(len(answers))
    ]
    session.flush()
    return World(project=project, items=items, annotators=annotators, answers=list(answers))


def label_round(session: Session, world: World, *, per_annotator: int, seed: int = 11) -> int:
    """Each annotator in turn takes and answers items, up to ``per_annotator`` each.

    Gold screening is off: these worlds test what settlement does with every label,
    including those of annotators screening would have stopped early.
    """
    rng = random.Random(seed)
    done = 0
    for _ in range(per_annotator):
        for annotator, answer in zip(world.annotators, world.answers, strict=True):
            try:
                lease = next_item(session, world.project, annotator, rng=rng, screen_gold=False)
            except NoWorkAvailable:
                continue
            submit_annotation(
                session,
                world.project,
                annotator,
                item_id=lease.item.id,
                value=answer(lease.item, rng),
            )
            done += 1
    return done

"""Settlement worlds of kinds without classes: spans, pairwise preferences and rubrics.

Items carry their true answer in ``payload["truth"]``; annotators answer by a rule, as
in :mod:`tests.services.settlement_world`, whose ``World`` and ``label_round`` these
worlds reuse.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from labelshare.core.ids import placeholder_address
from labelshare.services.accounts import ensure_account
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.models import Item
from tests.services.settlement_world import TOKEN, World

ValueAnswer = Callable[[Item, random.Random], Any]

TAGS = ("PER", "LOC")
WORDS = ("alba", "brno", "cora", "dana", "emil", "fero", "gita", "hugo", "ivan", "jana")
SPANS_SCHEMA = {"kind": "spans", "tags": list(TAGS), "allow_empty": True}
PAIRWISE_SCHEMA = {"kind": "pairwise", "allow_ties": False, "record_display_order": True}
CRITERIA = ("helpfulness", "harmlessness", "honesty")
RUBRIC_SCHEMA = {"kind": "rubric", "criteria": list(CRITERIA), "min_score": 1, "max_score": 5}


def _word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for word in text.split(" "):
        spans.append((start, start + len(word)))
        start += len(word) + 1
    return spans


def spans_item(rng: random.Random) -> dict[str, Any]:
    """A payload of eight words, two or three of them tagged in ``truth``."""
    text = " ".join(rng.choice(WORDS) for _ in range(8))
    places = rng.sample(_word_spans(text), rng.randint(2, 3))
    truth = sorted(
        ({"start": s, "end": e, "tag": rng.choice(TAGS)} for s, e in places),
        key=lambda span: (span["start"], span["end"], span["tag"]),
    )
    return {"text": text, "truth": truth}


def honest_spans(recall: float) -> ValueAnswer:
    """Keeps each true span with probability ``recall``."""

    def answer(item: Item, rng: random.Random) -> Any:
        return [span for span in item.payload["truth"] if rng.random() < recall]

    return answer


def random_spans(item: Item, rng: random.Random) -> Any:
    """Tags two random words with random tags, ignoring the truth."""
    places = rng.sample(_word_spans(item.payload["text"]), 2)
    return [{"start": s, "end": e, "tag": rng.choice(TAGS)} for s, e in places]


def pairwise_item(rng: random.Random) -> dict[str, Any]:
    """Two responses, the better one (``truth``) at a random place."""
    better = rng.choice("AB")
    good, bad = {"text": "a careful answer"}, {"text": "a sloppy answer"}
    return {
        "prompt": "question",
        "responses": [good, bad] if better == "A" else [bad, good],
        "truth": better,
    }


def honest_choice(accuracy: float) -> ValueAnswer:
    """Picks the better response with probability ``accuracy``; shown order shuffled."""

    def answer(item: Item, rng: random.Random) -> Any:
        truth = item.payload["truth"]
        choice = truth if rng.random() < accuracy else ("B" if truth == "A" else "A")
        return {"choice": choice, "shown_first": rng.choice("AB")}

    return answer


def always_a(item: Item, rng: random.Random) -> Any:
    """Picks response A whatever is shown."""
    return {"choice": "A", "shown_first": rng.choice("AB")}


def always_left(item: Item, rng: random.Random) -> Any:
    """Picks the response shown first (on the left); the order is shuffled per label."""
    shown = rng.choice("AB")
    return {"choice": shown, "shown_first": shown}


def rubric_item(rng: random.Random) -> dict[str, Any]:
    """A prompt and a response with a true score 1..5 per criterion (``truth``)."""
    return {
        "prompt": "question",
        "response": "an answer",
        "truth": {criterion: rng.randint(1, 5) for criterion in CRITERIA},
    }


def honest_rubric(accuracy: float) -> ValueAnswer:
    """Gives each true score with probability ``accuracy``, else one point off (in 1..5)."""

    def answer(item: Item, rng: random.Random) -> Any:
        scores = {}
        for criterion, truth in item.payload["truth"].items():
            off = 0 if rng.random() < accuracy else rng.choice((-1, 1))
            scores[criterion] = min(max(truth + off, 1), 5)
        return scores

    return answer


def random_rubric(item: Item, rng: random.Random) -> Any:
    """Scores every criterion uniformly at random, ignoring the response."""
    return {criterion: rng.randint(1, 5) for criterion in CRITERIA}


def _gold_of(schema: dict[str, Any], truth: Any) -> Any:
    # A schema that records the display order wants it on gold answers too; it is
    # not judged (see labelshare.services.gold_correctness).
    return {"choice": truth, "shown_first": "A"} if schema["kind"] == "pairwise" else truth


def make_kind_world(
    session: Session,
    *,
    tag: str,
    schema: dict[str, Any],
    payloads: Sequence[dict[str, Any]],
    answers: Sequence[ValueAnswer],
    n_gold: int = 0,
    redundancy: int = 4,
) -> World:
    """A project ``kinds-<tag>`` over ``payloads`` (the first ``n_gold`` are gold)."""
    owner = ensure_account(session, placeholder_address(f"{tag}-owner"), roles=["requester"])
    project = create_project(
        session,
        owner,
        {
            "name": f"kinds-{tag}",
            "schema": schema,
            "reward_per_label": TOKEN,
            "redundancy_min": redundancy,
            "redundancy_max": redundancy,
            "gold_rate": 0.2 if n_gold else 0.0,
            "slash_bar": 0.6,
        },
    )
    set_project_status(session, project, "active")
    items = []
    for n, payload in enumerate(payloads):
        is_gold = n < n_gold
        truth = payload["truth"]
        item = Item(
            project_id=project.id,
            external_id=f"item-{n}",
            payload=payload,
            gold=_gold_of(schema, truth) if is_gold else None,
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

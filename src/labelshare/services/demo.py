"""Seeded projects so that a new user sees a working platform at once.

One project of each main label kind: review sentiment (classification), answer
helpfulness (rating), named entities (spans) and shapes on generated images (bbox).
Annotators are simulated through the real services (assignment, submission), so the
demo's data has the same shape as real use; the sentiment project is funded and has one
settled epoch. Everything is derived from a fixed seed.
"""

from __future__ import annotations

import base64
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account import Account as EthAccount
from eth_utils.crypto import keccak
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from labelshare.core.money import parse_token_amount
from labelshare.errors import NoWorkAvailable
from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.models import Account, Item, Project
from labelshare.store.repositories import ProjectRepository

__all__ = [
    "DEMO_PROJECT",
    "DEMO_PROJECTS",
    "DemoAccount",
    "seed_demo",
]

DEMO_PROJECT = "demo-sentiment"
"""The classification project (settled once)."""

DEMO_PROJECTS = (DEMO_PROJECT, "demo-helpfulness", "demo-entities", "demo-shapes")
"""Every project the demo seeds, one per label kind shown."""

_SKILLS = (0.95, 0.9, 0.85, 0.75, 0.4)
"""Each simulated annotator's chance of giving the true answer (the last one is careless)."""

_SENTENCES = [
    ("The delivery came early and the support team was lovely.", "pos"),
    ("Broken on arrival, and nobody answers my emails.", "neg"),
    ("It does what the box says.", "neu"),
    ("Best purchase I made this year.", "pos"),
    ("The battery died after two days.", "neg"),
    ("Arrived on Tuesday.", "neu"),
    ("I would buy it again without a second thought.", "pos"),
    ("Cheap plastic that cracked in a week.", "neg"),
    ("The manual is twelve pages long.", "neu"),
    ("Fantastic sound for the price.", "pos"),
    ("Refund took a month and three phone calls.", "neg"),
    ("Comes in blue and grey.", "neu"),
]

_ANSWERS = [
    (
        "How do I reset my password?",
        "Click 'Forgot password' on the sign-in page and follow the email.",
        5,
    ),
    ("How do I reset my password?", "Passwords are important.", 1),
    (
        "Can I change my delivery address?",
        "Yes, until the parcel ships: open the order and edit it.",
        5,
    ),
    ("Can I change my delivery address?", "Maybe, contact someone.", 2),
    ("Does the charger work abroad?", "It takes 100-240 V, so it works with a plug adapter.", 4),
    ("Does the charger work abroad?", "It depends.", 2),
    ("How long is the warranty?", "Two years from the date on your receipt.", 4),
    ("How long is the warranty?", "Warranties exist for most products.", 1),
    ("Is the case waterproof?", "It resists splashes (IP54) but not immersion.", 4),
    ("Is the case waterproof?", "Yes.", 3),
]

_ENTITIES = [
    (
        "Ada Lovelace worked with Charles Babbage in London.",
        [(0, 12, "PER"), (25, 40, "PER"), (44, 50, "LOC")],
    ),
    ("Siemens opened a plant in Lisbon last spring.", [(0, 7, "ORG"), (26, 32, "LOC")]),
    ("Grace Hopper joined the Navy in 1943.", [(0, 12, "PER"), (24, 28, "ORG")]),
    ("The Red Cross sent supplies to Nairobi.", [(4, 13, "ORG"), (31, 38, "LOC")]),
    (
        "Marie Curie studied in Paris at the Sorbonne.",
        [(0, 11, "PER"), (23, 28, "LOC"), (36, 44, "ORG")],
    ),
    (
        "Toyota and Honda both build cars in Ohio.",
        [(0, 6, "ORG"), (11, 16, "ORG"), (36, 40, "LOC")],
    ),
    ("Alan Turing was born in Maida Vale.", [(0, 11, "PER"), (24, 34, "LOC")]),
    ("UNESCO listed the old town of Tallinn.", [(0, 6, "ORG"), (30, 37, "LOC")]),
]

_IMAGE_SIZE = (320, 240)
_SHAPE_COLOURS = ("#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9")


@dataclass(frozen=True)
class DemoAccount:
    """An account the demo created, with its API token (printed for the user)."""

    role: str
    address: str
    token: str


@dataclass(frozen=True)
class _Seeded:
    """A demo item to store: its payload, its true answer, whether it is gold."""

    external_id: str
    payload: dict[str, Any]
    truth: Any
    is_gold: bool


def _demo_key(label: str) -> str:
    # Deterministic demo keys: the same accounts on every machine, never for real funds.
    return "0x" + keccak(f"labelshare demo account {label}".encode()).hex()


def _shape_image(rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    """A PNG (as a data URL, so it shows without a media server) and its true boxes."""
    width, height = _IMAGE_SIZE
    image = Image.new("RGB", _IMAGE_SIZE, "#f1f3f5")
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 40):  # a faint grid, so the picture is not flat
        draw.line([(0, y), (width, y)], fill="#e3e7eb")
    boxes: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        size = rng.randint(40, 80)
        x, y = rng.randint(5, width - size - 5), rng.randint(5, height - size - 5)
        if any(
            x < b["x"] + b["w"] and b["x"] < x + size and y < b["y"] + b["h"] and b["y"] < y + size
            for b in boxes
        ):
            continue
        kind = rng.choice(["circle", "square"])
        colour = rng.choice(_SHAPE_COLOURS)
        shape = (x, y, x + size, y + size)
        if kind == "circle":
            draw.ellipse(shape, fill=colour)
        else:
            draw.rectangle(shape, fill=colour)
        boxes.append({"x": x, "y": y, "w": size, "h": size, "class": kind})
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(), boxes


def _jitter_boxes(
    rng: random.Random, boxes: list[dict[str, Any]], accuracy: float
) -> list[dict[str, Any]]:
    """An annotator's boxes: the true ones, a few pixels off, sometimes missed or misnamed."""
    width, height = _IMAGE_SIZE
    drawn = []
    for box in boxes:
        if rng.random() > accuracy + 0.05:
            continue
        x = min(max(box["x"] + rng.randint(-3, 3), 0), width - box["w"])
        y = min(max(box["y"] + rng.randint(-3, 3), 0), height - box["h"])
        name = box["class"] if rng.random() < accuracy else rng.choice(["circle", "square"])
        drawn.append({**box, "x": x, "y": y, "class": name})
    return drawn


def _jitter_spans(
    rng: random.Random, spans: list[dict[str, Any]], accuracy: float
) -> list[dict[str, Any]]:
    """An annotator's spans: the true ones, some missed or with a wrong tag."""
    kept = [span for span in spans if rng.random() < accuracy + 0.05]
    return [
        span if rng.random() < accuracy else {**span, "tag": rng.choice(["PER", "ORG", "LOC"])}
        for span in kept
    ]


def _seed_project(
    session: Session,
    requester: Account,
    annotators: Sequence[Account],
    spec: dict[str, Any],
    items: Sequence[_Seeded],
    answer: Callable[[random.Random, Any, float], Any],
    rng: random.Random,
) -> Project:
    """Create, activate and label one demo project through the real services."""
    project = create_project(session, requester, spec)
    set_project_status(session, project, "active")
    truth: dict[int, Any] = {}
    for seeded in items:
        item = Item(
            project_id=project.id,
            external_id=seeded.external_id,
            payload=seeded.payload,
            gold=seeded.truth if seeded.is_gold else None,
            is_gold=seeded.is_gold,
            label_target=project.redundancy_min,
        )
        session.add(item)
        session.flush()
        truth[item.id] = seeded.truth
    # Leave some items unlabelled, so that the workspace has work the moment it opens.
    rounds = max(1, len(items) * project.redundancy_min * 2 // (3 * len(annotators)))
    for _ in range(rounds):
        for annotator, accuracy in zip(annotators, _SKILLS, strict=True):
            try:
                lease = next_item(session, project, annotator, rng=rng)
            except NoWorkAvailable:
                continue
            submit_annotation(
                session,
                project,
                annotator,
                item_id=lease.item.id,
                value=answer(rng, truth[lease.item.id], accuracy),
                lead_time_ms=rng.randint(1_500, 9_000),
            )
    return project


def _pick(classes: Sequence[Any]) -> Callable[[random.Random, Any, float], Any]:
    def answer(rng: random.Random, right: Any, accuracy: float) -> Any:
        return right if rng.random() < accuracy else rng.choice(list(classes))

    return answer


def _rating_answer(rng: random.Random, right: Any, accuracy: float) -> Any:
    if rng.random() < accuracy:
        return right
    return min(5, max(1, int(right) + rng.choice([-2, -1, 1, 2])))


def _sentiment(rng: random.Random) -> tuple[dict[str, Any], list[_Seeded], Callable[..., Any]]:
    spec = {
        "name": DEMO_PROJECT,
        "schema": {"kind": "classification", "classes": ["pos", "neg", "neu"]},
        "instructions": "Is the customer's review **positive**, **negative** or **neutral**?",
        "domain": "sentiment",
        "redundancy_min": 3,
        "redundancy_max": 5,
        "gold_rate": 0.1,
        "reward_per_label": "0.05",
        "budget": "100",
        "exam_size": 3,
    }
    items = [
        _Seeded(f"review-{n + 1:03d}", {"text": text}, label, n < 3)
        for n, (text, label) in enumerate(_SENTENCES * 3)
    ]
    return spec, items, _pick(["pos", "neg", "neu"])


def _helpfulness(rng: random.Random) -> tuple[dict[str, Any], list[_Seeded], Callable[..., Any]]:
    spec = {
        "name": "demo-helpfulness",
        "schema": {"kind": "rating", "max_rating": 5},
        "instructions": "How well does the answer help the one who asked? 1 useless, 5 complete.",
        "domain": "support",
        "redundancy_min": 3,
        "redundancy_max": 4,
        "reward_per_label": "0.04",
        "budget": "50",
    }
    items = [
        _Seeded(f"answer-{n + 1:03d}", {"question": question, "text": text}, rating, n < 2)
        for n, (question, text, rating) in enumerate(_ANSWERS * 2)
    ]
    return spec, items, _rating_answer


def _entities(rng: random.Random) -> tuple[dict[str, Any], list[_Seeded], Callable[..., Any]]:
    spec = {
        "name": "demo-entities",
        "schema": {"kind": "spans", "tags": ["PER", "ORG", "LOC"]},
        "instructions": "Tag every person (PER), organisation (ORG) and place (LOC).",
        "domain": "ner",
        "redundancy_min": 2,
        "redundancy_max": 3,
        "reward_per_label": "0.1",
        "budget": "40",
    }
    items = [
        _Seeded(
            f"sentence-{n + 1:03d}",
            {"text": text},
            [{"start": start, "end": end, "tag": tag} for start, end, tag in spans],
            False,
        )
        for n, (text, spans) in enumerate(_ENTITIES)
    ]
    return spec, items, _jitter_spans


def _shapes(rng: random.Random) -> tuple[dict[str, Any], list[_Seeded], Callable[..., Any]]:
    spec = {
        "name": "demo-shapes",
        "schema": {"kind": "bbox", "classes": ["circle", "square"]},
        "instructions": "Draw a tight box around every circle and every square, with its class.",
        "domain": "vision",
        "redundancy_min": 2,
        "redundancy_max": 3,
        "reward_per_label": "0.2",
        "budget": "40",
    }
    items = []
    for n in range(8):
        url, boxes = _shape_image(rng)
        payload = {"image": url, "width": _IMAGE_SIZE[0], "height": _IMAGE_SIZE[1]}
        items.append(_Seeded(f"shapes-{n + 1:03d}", payload, boxes, False))
    return spec, items, _jitter_boxes


def seed_demo(session: Session, *, seed: int = 7) -> list[DemoAccount]:
    """Create the demo projects with labelled items, unless they exist already.

    The sentiment project is funded from its budget and its first epoch is settled,
    so earnings, shares and Merkle roots exist from the start.

    Args:
        session: the unit of work (the caller commits).
        seed: seed of every random choice.

    Returns:
        The demo's requester and annotators with fresh API tokens.
    """
    rng = random.Random(seed)
    requester = ensure_account(
        session,
        EthAccount.from_key(_demo_key("requester")).address,
        roles=["requester"],
        display_name="demo requester",
    )
    annotators = [
        ensure_account(
            session,
            EthAccount.from_key(_demo_key(f"annotator {n}")).address,
            roles=["annotator"],
            domains=["sentiment", "support", "ner", "vision"],
            display_name=f"demo annotator {n}",
        )
        for n in range(1, 6)
    ]
    repository = ProjectRepository(session)
    for make in (_sentiment, _helpfulness, _entities, _shapes):
        spec, items, answer = make(rng)
        if repository.get_by_name(spec["name"]) is not None:
            continue
        project = _seed_project(session, requester, annotators, spec, items, answer, rng)
        if project.name == DEMO_PROJECT:
            fund_project(session, project, amount=parse_token_amount(spec["budget"]))
            close_epoch(session, project)
    accounts = [requester, *annotators]
    return [
        DemoAccount(
            role="requester" if account is requester else "annotator",
            address=account.address,
            token=create_api_token(session, account, name="demo")[0],
        )
        for account in accounts
    ]

"""A seeded project so that a new user sees a working platform at once.

Annotators are simulated through the real services (assignment, submission), so the
demo's data has the same shape as real use. Everything is derived from a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from eth_account import Account as EthAccount
from eth_utils.crypto import keccak
from sqlalchemy.orm import Session

from labelshare.errors import NoWorkAvailable
from labelshare.services.accounts import create_api_token, ensure_account
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.projects import create_project, get_project, set_project_status
from labelshare.store.models import Item
from labelshare.store.repositories import ProjectRepository

DEMO_PROJECT = "demo-sentiment"
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


@dataclass(frozen=True)
class DemoAccount:
    """An account the demo created, with its API token (printed for the user)."""

    role: str
    address: str
    token: str


def _demo_key(label: str) -> str:
    # Deterministic demo keys: the same accounts on every machine, never for real funds.
    return "0x" + keccak(f"labelshare demo account {label}".encode()).hex()


def seed_demo(session: Session, *, seed: int = 7) -> list[DemoAccount]:
    """Create the demo project with labelled items, unless it exists already.

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
            domains=["sentiment"],
            display_name=f"demo annotator {n}",
        )
        for n in range(1, 6)
    ]
    if ProjectRepository(session).get_by_name(DEMO_PROJECT) is None:
        project = create_project(
            session,
            requester,
            {
                "name": DEMO_PROJECT,
                "schema": {"kind": "classification", "classes": ["pos", "neg", "neu"]},
                "instructions": (
                    "Is the customer's review **positive**, **negative** or **neutral**?"
                ),
                "domain": "sentiment",
                "redundancy_min": 3,
                "redundancy_max": 5,
                "gold_rate": 0.1,
                "reward_per_label": "0.05",
                "budget": "100",
            },
        )
        set_project_status(session, project, "active")
        truth: dict[int, str] = {}
        for index, (text, label) in enumerate(_SENTENCES * 3):
            item = Item(
                project_id=project.id,
                external_id=f"review-{index + 1:03d}",
                payload={"text": text},
                gold=label if index < 3 else None,
                is_gold=index < 3,
                label_target=project.redundancy_min,
            )
            session.add(item)
            session.flush()
            truth[item.id] = label
        skill = [0.95, 0.9, 0.85, 0.75, 0.4]
        classes = ["pos", "neg", "neu"]
        for _ in range(60):
            for annotator, accuracy in zip(annotators, skill, strict=True):
                try:
                    lease = next_item(session, project, annotator, rng=rng)
                except NoWorkAvailable:
                    continue
                right = truth[lease.item.id]
                value = right if rng.random() < accuracy else rng.choice(classes)
                submit_annotation(
                    session,
                    project,
                    annotator,
                    item_id=lease.item.id,
                    value=value,
                    lead_time_ms=rng.randint(1_500, 9_000),
                )
    get_project(session, DEMO_PROJECT)
    accounts = [requester, *annotators]
    return [
        DemoAccount(
            role="requester" if account is requester else "annotator",
            address=account.address,
            token=create_api_token(session, account, name="demo")[0],
        )
        for account in accounts
    ]

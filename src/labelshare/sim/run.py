"""One simulated market: agents label through the real services on a temporary SQLite.

Each platform run creates a project, its items and agents, funds the escrow, then for
every epoch lets the agents ask for work (``next_item``), answer, and submit
(``submit_annotation``), and closes the epoch (``close_epoch``). With gold screening the
platform checks each agent's hidden-gold record before handing out work
(``next_item``'s gold screening); with adaptive redundancy items where labels disagree get up
to ``redundancy_max`` labels. The same labels are then priced under three pay rules:
flat pay per label, pay per label that agrees with its item's plurality, and the
labelshare settlement's actual rewards.

The ``preference`` scenario runs the same market over pairwise items (two responses,
the better one at a random place, the longer one at an independent random place);
every label records a shuffled display order (``shown_first``). Its model accuracy is
that of the choices the settlement infers (the preference posterior of
:mod:`labelshare.services.epoch_weights`).
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from labelshare.core.ids import placeholder_address
from labelshare.errors import Forbidden, NoWorkAvailable
from labelshare.services.accounts import ensure_account
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import deposit_stake, fund_project
from labelshare.services.projects import create_project, get_project, set_project_status
from labelshare.sim.agents import Agent, answer
from labelshare.sim.config import SimConfig
from labelshare.store.migrate import upgrade
from labelshare.store.models import Account, Annotation, Item
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work

__all__ = ["PlatformRun", "SimResult", "run_platform", "run_simulation"]

CLASSES = ("a", "b", "c")
SIDES = ("A", "B")
PROJECT = "simulated"
_PAIRWISE = {"kind": "pairwise", "allow_ties": False, "record_display_order": True}
_SHORT, _LONG = "a short reply", "a reply that goes on at much greater length"
_COMMIT_EVERY = 200


@dataclass(frozen=True)
class PlatformRun:
    """What one simulated platform produced.

    Attributes:
        name: ``labelshare`` (gold screening, adaptive redundancy) or ``fixed3``.
        agents: the agents, by address.
        labels: regular and gold labels submitted per address.
        paid: base units per address under each rule (``flat``, ``majority``,
            ``labelshare``).
        accuracy_model: share of regular items whose settled (inferred) label is true.
        accuracy_majority: share of regular items whose plurality label is true.
        items_correct_model: regular items whose inferred label is true.
        items_correct_majority: regular items whose plurality label is true.
        blocked: addresses stopped by gold screening.
        slashed: base units slashed per address.
        epoch_seconds: wall time of each epoch close.
    """

    name: str
    agents: dict[str, Agent]
    labels: dict[str, int]
    paid: dict[str, dict[str, int]]
    accuracy_model: float
    accuracy_majority: float
    items_correct_model: int
    items_correct_majority: int
    blocked: frozenset[str]
    slashed: dict[str, int]
    epoch_seconds: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class SimResult:
    """The platforms simulated for one scenario."""

    config: SimConfig
    runs: dict[str, PlatformRun]


def _classes(config: SimConfig) -> tuple[str, ...]:
    return SIDES if config.scenario == "preference" else CLASSES


def _item_row(config: SimConfig, n: int, truth: int, longer: int) -> dict[str, object]:
    """An item's payload and gold answer; ``truth`` and ``longer`` index the classes."""
    is_gold = n >= config.items
    if config.scenario != "preference":
        return {"payload": {"text": f"item {n}"}, "gold": CLASSES[truth] if is_gold else None}
    responses = [_SHORT, _SHORT]
    responses[longer] = _LONG
    return {
        "payload": {"prompt": f"prompt {n}", "responses": responses},
        "gold": {"choice": SIDES[truth], "shown_first": "A"} if is_gold else None,
    }


def _value(config: SimConfig, choice: int, rng: random.Random) -> object:
    if config.scenario != "preference":
        return CLASSES[choice]
    return {"choice": SIDES[choice], "shown_first": rng.choice(SIDES)}


def _class_index(value: object) -> int:
    if isinstance(value, dict):
        return SIDES.index(value["choice"])
    return CLASSES.index(str(value))


def _setup(
    sessions: sessionmaker[Session], config: SimConfig, *, adaptive: bool, rng: random.Random
) -> tuple[list[Agent], dict[int, int], dict[int, int]]:
    classes = _classes(config)
    schema = (
        _PAIRWISE
        if config.scenario == "preference"
        else {"kind": "classification", "classes": list(CLASSES)}
    )
    with unit_of_work(sessions) as session:
        owner = ensure_account(session, placeholder_address("sim-requester"), roles=["requester"])
        project = create_project(
            session,
            owner,
            {
                "name": PROJECT,
                "schema": schema,
                "redundancy_min": config.redundancy_min,
                "redundancy_max": config.redundancy_max if adaptive else config.redundancy_min,
                "gold_rate": config.gold_rate if config.gold_items else 0.0,
                "reward_per_label": config.reward_per_label,
                "slash_bar": config.slash_bar,
            },
        )
        set_project_status(session, project, "active")
        n_items = config.items + config.gold_items
        truths = [rng.randrange(len(classes)) for _ in range(n_items)]
        longers = [rng.randrange(len(SIDES)) for _ in range(n_items)]
        session.execute(
            insert(Item),
            [
                {
                    "project_id": project.id,
                    "external_id": f"item-{n}",
                    **_item_row(config, n, truth, longer),
                    "is_gold": n >= config.items,
                    "label_target": config.redundancy_min,
                }
                for n, (truth, longer) in enumerate(zip(truths, longers, strict=True))
            ],
        )
        ids = session.scalars(
            select(Item.id).where(Item.project_id == project.id).order_by(Item.id)
        ).all()
        truth_of = dict(zip(ids, truths, strict=True))
        longer_of = dict(zip(ids, longers, strict=True))
        agents = []
        for index, strategy in enumerate(config.strategies()):
            address = placeholder_address(f"sim-annotator-{index}")
            ensure_account(session, address, roles=["annotator"])
            if config.stake:
                deposit_stake(session, address, amount=config.stake)
            agents.append(Agent(address, strategy, config.accuracy.get(strategy, 0.0)))
        budget = config.reward_per_label * (
            config.items * config.redundancy_max + config.gold_items * config.annotators
        )
        if budget:
            fund_project(session, project, amount=budget)
    return agents, truth_of, longer_of


def _label_epoch(
    sessions: sessionmaker[Session],
    config: SimConfig,
    active: list[Agent],
    *,
    quota: int | None,
    truth_of: dict[int, int],
    longer_of: dict[int, int],
    screening: bool,
    rng: random.Random,
    blocked: set[str],
) -> int:
    done = 0
    accounts: dict[str, Account] = {}
    while active and (quota is None or done < quota):
        with unit_of_work(sessions) as session:
            project = get_project(session, PROJECT)
            for _ in range(_COMMIT_EVERY):
                if not active or (quota is not None and done >= quota):
                    break
                agent = rng.choice(active)
                account = accounts.get(agent.address)
                if account is None:
                    account = session.scalars(
                        select(Account).where(Account.address == agent.address)
                    ).one()
                    accounts[agent.address] = account
                try:
                    lease = next_item(session, project, account, rng=rng, screen_gold=screening)
                except Forbidden:
                    blocked.add(agent.address)
                    active.remove(agent)
                    continue
                except NoWorkAvailable:
                    active.remove(agent)
                    continue
                choice = answer(
                    agent,
                    item_id=lease.item.id,
                    truth=truth_of[lease.item.id],
                    n_classes=len(_classes(config)),
                    rng=rng,
                    longer=longer_of[lease.item.id],
                )
                submit_annotation(
                    session,
                    project,
                    account,
                    item_id=lease.item.id,
                    value=_value(config, choice, rng),
                )
                done += 1
        accounts = {}
    return done


def _plurality(votes: list[int]) -> int | None:
    counts = Counter(votes).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return None
    return counts[0][0]


def run_platform(
    config: SimConfig,
    *,
    name: str,
    adaptive: bool,
    screening: bool,
    on_progress: Callable[[int], object] = lambda n: None,
    workdir: Path | None = None,
) -> PlatformRun:
    """Simulate one platform from empty database to last epoch close.

    Args:
        config: the scenario.
        name: the run's name in reports.
        adaptive: raise redundancy up to ``redundancy_max`` where labels disagree.
        screening: stop agents whose hidden-gold record is confidently below the bar.
        on_progress: called with 1 after each epoch.
        workdir: folder for the SQLite file (a temporary one when None).

    Returns:
        Labels, payouts under each rule, accuracies and timings.
    """
    rng = random.Random(config.seed)
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        engine = make_engine(f"sqlite:///{scratch}/sim.db", sqlite_synchronous="NORMAL")
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        agents, truth_of, longer_of = _setup(sessions, config, adaptive=adaptive, rng=rng)
        by_address = {agent.address: agent for agent in agents}
        active = list(agents)
        blocked: set[str] = set()
        rewards: dict[str, int] = defaultdict(int)
        slashed: dict[str, int] = defaultdict(int)
        inferred: dict[int, int] = {}
        seconds: list[float] = []
        quota = -(-config.items * config.redundancy_min // config.epochs)
        for epoch in range(config.epochs):
            _label_epoch(
                sessions,
                config,
                active,
                quota=None if epoch == config.epochs - 1 else quota,
                truth_of=truth_of,
                longer_of=longer_of,
                screening=screening,
                rng=rng,
                blocked=blocked,
            )
            with unit_of_work(sessions) as session:
                outcome = close_epoch(session, get_project(session, PROJECT))
            if outcome.is_new and outcome.settlement is not None and outcome.labels is not None:
                settlement, labels = outcome.settlement, outcome.labels
                for address, paid, slash in zip(
                    settlement.addresses, settlement.rewards, settlement.slashes, strict=True
                ):
                    rewards[address] += paid
                    slashed[address] += slash
                for item_id, label in zip(labels.item_ids, labels.inferred, strict=True):
                    inferred[int(item_id)] = int(label)
                seconds.append(sum(outcome.timings_s.values()))
            on_progress(1)
        with sessions() as session:
            rows = session.execute(
                select(Annotation.item_id, Account.address, Annotation.value).join(
                    Account, Account.id == Annotation.annotator_id
                )
            ).all()
        engine.dispose()

    votes: dict[int, list[int]] = defaultdict(list)
    for item_id, _, value in rows:
        votes[item_id].append(_class_index(value))
    plurality = {item_id: _plurality(v) for item_id, v in votes.items()}
    regular = sorted(truth_of)[: config.items]
    labels_by: dict[str, int] = Counter(address for _, address, _ in rows)
    flat = {address: count * config.reward_per_label for address, count in labels_by.items()}
    majority: dict[str, int] = defaultdict(int)
    for item_id, address, value in rows:
        if plurality[item_id] == _class_index(value):
            majority[address] += config.reward_per_label
    correct_model = sum(1 for i in regular if inferred.get(i) == truth_of[i])
    correct_majority = sum(1 for i in regular if plurality.get(i) == truth_of[i])
    return PlatformRun(
        name=name,
        agents=by_address,
        labels=dict(labels_by),
        paid={"flat": flat, "majority": dict(majority), "labelshare": dict(rewards)},
        accuracy_model=correct_model / len(regular),
        accuracy_majority=correct_majority / len(regular),
        items_correct_model=correct_model,
        items_correct_majority=correct_majority,
        blocked=frozenset(blocked),
        slashed=dict(slashed),
        epoch_seconds=seconds,
    )


def run_simulation(
    config: SimConfig,
    *,
    on_progress: Callable[[int], object] = lambda n: None,
    workdir: Path | None = None,
) -> SimResult:
    """Run the labelshare platform and, if configured, the fixed-redundancy baseline."""
    runs = {
        "labelshare": run_platform(
            config,
            name="labelshare",
            adaptive=True,
            screening=True,
            on_progress=on_progress,
            workdir=workdir,
        )
    }
    if config.compare_fixed_redundancy:
        runs["fixed3"] = run_platform(
            config,
            name="fixed3",
            adaptive=False,
            screening=False,
            on_progress=on_progress,
            workdir=workdir,
        )
    return SimResult(config=config, runs=runs)

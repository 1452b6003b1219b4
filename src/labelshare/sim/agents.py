"""The simulated annotators: how each strategy answers an item."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Agent", "answer"]

# Colluders answer the same function of the item id, so they always agree with each
# other whatever the truth; the multiplier is any odd constant that mixes the ids.
_COLLUSION_MIX = 2_654_435_761


@dataclass(frozen=True)
class Agent:
    """One simulated annotator.

    Attributes:
        address: its account's address.
        strategy: one of ``labelshare.sim.config.STRATEGIES``.
        accuracy: probability of the true class for honest strategies, else 0.
    """

    address: str
    strategy: str
    accuracy: float


def answer(
    agent: Agent,
    *,
    item_id: int,
    truth: int,
    n_classes: int,
    rng: random.Random,
    longer: int = 0,
) -> int:
    """The class ``agent`` gives an item whose true class is ``truth``.

    Honest agents are right with their accuracy and otherwise pick a wrong class
    uniformly; random spammers pick uniformly; constant spammers and ``always_a``
    always pick class 0 (response A); ``prefers_longer`` picks ``longer``, the index of
    the longer response; colluders pick ``hash(item_id) mod K`` regardless of the item.
    """
    if agent.strategy in ("expert", "novice"):
        if rng.random() < agent.accuracy:
            return truth
        return rng.choice([k for k in range(n_classes) if k != truth])
    if agent.strategy == "random_spammer":
        return rng.randrange(n_classes)
    if agent.strategy in ("constant_spammer", "always_a"):
        return 0
    if agent.strategy == "prefers_longer":
        return longer
    return (item_id * _COLLUSION_MIX >> 7) % n_classes

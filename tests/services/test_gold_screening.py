"""Hidden gold as a gate: confidently bad annotators stop getting work."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from labelshare.errors import Forbidden
from labelshare.services.gold_screening import check_gold_standing, gold_standing
from tests.services.settlement_world import constant, honest, label_round, make_world


class TestGoldScreening:
    def test_constant_answerer_is_blocked(self, session: Session) -> None:
        """Always answering one class fails the gold bar with confidence and is refused."""
        world = make_world(
            session,
            tag="screen",
            n_items=30,
            n_gold=30,
            gold_rate=0.9,
            answers=[honest(1.0), constant("neu")],
        )
        label_round(session, world, per_annotator=25)
        good, bad = world.annotators
        standing = gold_standing(session, world.project, bad)
        assert standing.total > 10 and standing.is_blocked
        with pytest.raises(Forbidden, match="hidden gold"):
            check_gold_standing(session, world.project, bad)
        assert not gold_standing(session, world.project, good).is_blocked
        check_gold_standing(session, world.project, good)

    def test_newcomer_is_not_blocked(self, session: Session) -> None:
        """Without gold answers nobody is blocked: the prior claims nothing."""
        world = make_world(session, tag="fresh", n_items=3, answers=[constant("neu")])
        standing = gold_standing(session, world.project, world.annotators[0])
        assert standing.total == 0 and not standing.is_blocked

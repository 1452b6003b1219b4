"""Tests of the portable column types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from labelshare.core.money import UINT256_MAX
from labelshare.store.models import Project
from tests.factories import make_project


class TestAmount:
    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(amount=st.integers(min_value=0, max_value=UINT256_MAX))
    def test_round_trips_uint256_exactly(self, session: Session, amount: int) -> None:
        """Any uint256 amount is stored and read back without losing a digit."""
        project = make_project(session, budget=amount)
        session.expire_all()
        assert session.get(Project, project.id).budget == amount  # type: ignore[union-attr]

    def test_refuses_floats(self, session: Session) -> None:
        """A float amount is a bug: it is refused instead of rounded."""
        project = make_project(session)
        project.budget = 1.5  # type: ignore[assignment]
        with pytest.raises(StatementError, match="amounts are integers of base units"):
            session.flush()


class TestUTCDateTime:
    def test_returns_aware_utc(self, session: Session) -> None:
        """A time stored in any zone comes back as the same instant in UTC."""
        project = make_project(session)
        moment = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        project.created_at = moment
        session.flush()
        session.expire_all()
        loaded = session.get(Project, project.id)
        assert loaded is not None
        assert loaded.created_at == moment
        assert loaded.created_at.tzinfo == UTC

    def test_refuses_naive(self, session: Session) -> None:
        """A naive datetime is refused rather than guessed."""
        project = make_project(session)
        project.created_at = datetime(2026, 5, 1, 12, 0)
        with pytest.raises(StatementError, match="timestamps must be timezone-aware"):
            session.flush()

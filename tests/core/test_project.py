"""Tests of project terms and status transitions."""

from __future__ import annotations

from typing import Any

import pytest

from labelshare.core.project import ProjectSpec
from labelshare.core.statuses import ProjectStatus, check_project_transition
from labelshare.core.validation import validate_model
from labelshare.errors import InvalidInput, InvalidTransition

BASE: dict[str, Any] = {"name": "reviews", "schema": {"kind": "rating", "max_rating": 5}}


class TestProjectSpec:
    def test_defaults_and_amounts(self) -> None:
        """Token strings become base units; the schema is stored in canonical JSON."""
        spec = validate_model(ProjectSpec, {**BASE, "reward_per_label": "0.05", "budget": 10})
        assert spec.reward_per_label == 5 * 10**16
        assert spec.budget == 10
        assert spec.label_schema["kind"] == "rating"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "a/b"}, "name"),
            ({"schema": {"kind": "nope"}}, "schema"),
            ({"redundancy_min": 0}, "redundancy_min"),
            ({"redundancy_min": 4, "redundancy_max": 3}, "body"),
            ({"gold_rate": 1.0}, "gold_rate"),
            ({"royalty_share_bps": 10_001}, "royalty_share_bps"),
            ({"reward_per_label": "-1"}, "reward_per_label"),
            ({"budget": 1.5}, "budget"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_rejects_bad_terms_naming_the_field(self, change: dict[str, Any], field: str) -> None:
        """Every bad term is refused with the field it concerns."""
        with pytest.raises(InvalidInput, match=f"^{field}: ") as caught:
            validate_model(ProjectSpec, {**BASE, **change})
        assert caught.value.field == field


class TestTransitions:
    @pytest.mark.parametrize(
        ("current", "target"),
        [("draft", "active"), ("active", "paused"), ("paused", "active"), ("active", "closed")],
    )
    def test_allowed(self, current: str, target: str) -> None:
        """The life cycle's edges are allowed."""
        check_project_transition(ProjectStatus(current), ProjectStatus(target))

    @pytest.mark.parametrize(
        ("current", "target"), [("closed", "active"), ("draft", "paused"), ("active", "draft")]
    )
    def test_refused(self, current: str, target: str) -> None:
        """Anything else is refused, naming both statuses."""
        with pytest.raises(InvalidTransition, match=f"a {current} project cannot become {target}"):
            check_project_transition(ProjectStatus(current), ProjectStatus(target))

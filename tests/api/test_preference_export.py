"""``GET /projects/{id}/export/preferences``: training rows of a preference project."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from labelshare.services.preference import load_preference_labels, preference_rows
from labelshare.services.projects import get_project
from labelshare.store.session import unit_of_work
from tests.api.conftest import Actor, Api, jsonl

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)

ITEMS = 12


def _labelled_lines(*, rationales: bool = False) -> list[str]:
    """Pairwise items where model m2's answer is better; three honest annotators, a clicker.

    With ``rationales`` the honest annotators say why (the clicker never does).
    """
    rng = np.random.default_rng(1)
    lines = []
    for index in range(ITEMS):
        models = ["m2", "m1"] if index % 2 else ["m1", "m2"]
        right = "A" if index % 2 else "B"
        annotations: list[dict[str, Any]] = []
        for who in ("alice", "bob", "carol", "clicker"):
            shown = str(rng.choice(["A", "B"]))
            choice = shown if who == "clicker" else right
            value = {"choice": choice, "shown_first": shown}
            if rationales and who != "clicker":
                value["rationale"] = f"{who}: m2 answers question {index}"
            annotations.append({"annotator": who, "value": value})
        payload = {
            "prompt": f"question {index}",
            "responses": [f"{model} answer {index}" for model in models],
        }
        lines.append(
            json.dumps({"id": f"q{index}", "payload": payload, "annotations": annotations})
        )
    return lines


def _pairwise_project(api: Api, owner: Actor, *, rationales: bool = False) -> int:
    """An active pairwise project of ``owner`` with labelled items, uploaded through the API."""
    spec = {"name": f"prefs-{owner.address[-8:]}", "schema": {"kind": "pairwise"}, "gold_rate": 0}
    created = api.client.post("/api/v1/projects", json=spec, headers=owner.headers)
    assert created.status_code == 201, created.text
    project_id = int(created.json()["id"])
    uploaded = api.client.post(
        f"/api/v1/projects/{project_id}/items",
        files={
            "files": (
                "items.jsonl",
                jsonl(*_labelled_lines(rationales=rationales)),
                "application/x-ndjson",
            )
        },
        headers=owner.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    activated = api.client.post(
        f"/api/v1/projects/{project_id}/status", json={"status": "active"}, headers=owner.headers
    )
    assert activated.status_code == 200, activated.text
    return project_id


def _rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


class TestPreferenceExport:
    def test_dpo_rows_choose_the_better_answer(self, api: Api) -> None:
        """Every DPO row chooses model m2's answer, as the honest majority said."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            params={"what": "dpo", "min_confidence": 0.5},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-ndjson")
        rows = _rows(response.text)
        assert len(rows) == ITEMS
        assert all(row["chosen"].startswith("m2") for row in rows)
        assert all(row["rejected"].startswith("m1") for row in rows)
        assert {row["prompt"] for row in rows} == {f"question {n}" for n in range(ITEMS)}
        assert all("rationales" not in row for row in rows)

    def test_dpo_rows_carry_the_rationales(self, api: Api) -> None:
        """Where labels give reasons, each row lists those of the labels that chose m2."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner, rationales=True)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            params={"what": "dpo"},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.text
        rows = _rows(response.text)
        assert len(rows) == ITEMS
        for row in rows:
            index = row["prompt"].split()[-1]
            assert row["rationales"] == [
                f"{who}: m2 answers question {index}" for who in ("alice", "bob", "carol")
            ]

    def test_rows_are_those_of_the_shared_service(self, api: Api) -> None:
        """The ranking export equals the rows the CLI's service builds for the same project."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            params={"what": "ranking"},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.text
        with unit_of_work(api.sessions) as session:
            labels = load_preference_labels(
                session, get_project(session, project_id), kinds=("pairwise",)
            )
            expected = list(preference_rows(labels, "ranking"))
        assert len(expected) == ITEMS
        assert _rows(response.text) == json.loads(json.dumps(expected))

    def test_rubric_export_of_a_pairwise_project_is_refused(self, api: Api) -> None:
        """Asking a pairwise project for rubric rows is a 422 naming the project."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            params={"what": "rubric"},
            headers=owner.headers,
        )
        assert response.status_code == 422
        assert response.json()["field"] == "project"
        assert "is a pairwise project" in response.json()["detail"]

    def test_confidence_outside_zero_to_one_is_refused(self, api: Api) -> None:
        """A min_confidence of 1.5 is refused before anything is read."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            params={"min_confidence": 1.5},
            headers=owner.headers,
        )
        assert response.status_code == 422
        assert "min_confidence" in response.text

    def test_an_annotator_may_not_export(self, api: Api) -> None:
        """Only the owner or an admin may export; an annotator who sees the project gets 403."""
        owner = api.actor("requester")
        project_id = _pairwise_project(api, owner)
        response = api.client.get(
            f"/api/v1/projects/{project_id}/export/preferences",
            headers=api.actor("annotator").headers,
        )
        assert response.status_code == 403
        assert response.json()["error"] == "MissingRole"

"""Tests of the work loop: next item, submission, idempotency, skips, stats, export."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Api, make_project

# On both backends: the rules must not depend on the database.
pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)


class TestSubmission:
    """POST /annotations and what it leads to."""

    def test_label_flow(self, api: Api) -> None:
        """An annotator leases an item, labels it, and the label shows in stats and export."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=2)
        task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
        assert task.status_code == 200, task.text
        assert "gold" not in task.json()
        sent = api.client.post(
            "/api/v1/annotations",
            json={"project_id": project_id, "item_id": task.json()["item_id"], "value": "pos"},
            headers=worker.headers,
        )
        assert sent.status_code == 201, sent.text
        stats = api.client.get(f"/api/v1/projects/{project_id}/stats", headers=owner.headers)
        assert stats.json()["labels"] == 1
        export = api.client.get(
            f"/api/v1/projects/{project_id}/export?format=jsonl", headers=owner.headers
        )
        rows = [json.loads(line) for line in export.text.splitlines()]
        assert len(rows) == 2
        assert sum(len(row["annotations"]) for row in rows) == 1
        mine = api.client.get("/api/v1/me/stats", headers=worker.headers).json()
        assert mine["labels"] == 1

    def test_invalid_value_names_the_field(self, api: Api) -> None:
        """A value outside the schema's classes is a 422 naming ``value``."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        item_id = api.client.get(
            f"/api/v1/projects/{project_id}/next", headers=worker.headers
        ).json()["item_id"]
        sent = api.client.post(
            "/api/v1/annotations",
            json={"project_id": project_id, "item_id": item_id, "value": "maybe"},
            headers=worker.headers,
        )
        assert sent.status_code == 422
        assert sent.json()["error"] == "InvalidInput"
        assert sent.json()["field"].startswith("value")

    def test_idempotent_retry(self, api: Api) -> None:
        """A retry with the same Idempotency-Key returns the stored label with 200."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        item_id = api.client.get(
            f"/api/v1/projects/{project_id}/next", headers=worker.headers
        ).json()["item_id"]
        body = {"project_id": project_id, "item_id": item_id, "value": "neg"}
        headers = {**worker.headers, "Idempotency-Key": "k-1"}
        first = api.client.post("/api/v1/annotations", json=body, headers=headers)
        again = api.client.post("/api/v1/annotations", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"]

    def test_repeat_without_key_conflicts(self, api: Api) -> None:
        """Without a key, labelling the same item twice is a 409."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        item_id = api.client.get(
            f"/api/v1/projects/{project_id}/next", headers=worker.headers
        ).json()["item_id"]
        body = {"project_id": project_id, "item_id": item_id, "value": "neg"}
        assert (
            api.client.post("/api/v1/annotations", json=body, headers=worker.headers).status_code
            == 201
        )
        again = api.client.post("/api/v1/annotations", json=body, headers=worker.headers)
        assert again.status_code == 409
        assert again.json()["error"] == "AlreadyAnnotated"

    def test_key_reused_for_other_value(self, api: Api) -> None:
        """A key reused for a different value is a 409 naming the key."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        item_id = api.client.get(
            f"/api/v1/projects/{project_id}/next", headers=worker.headers
        ).json()["item_id"]
        headers = {**worker.headers, "Idempotency-Key": "k-2"}
        body = {"project_id": project_id, "item_id": item_id, "value": "neg"}
        api.client.post("/api/v1/annotations", json=body, headers=headers)
        other = api.client.post(
            "/api/v1/annotations", json={**body, "value": "pos"}, headers=headers
        )
        assert other.status_code == 409
        assert "idempotency_key" in other.json()["detail"]


class TestSkip:
    """POST /projects/{id}/items/{item}/skip."""

    def test_skip_gives_next_item(self, api: Api) -> None:
        """After a skip the annotator is offered another item."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=2)
        first = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
        item_id = first.json()["item_id"]
        skipped = api.client.post(
            f"/api/v1/projects/{project_id}/items/{item_id}/skip", headers=worker.headers
        )
        assert skipped.json()["status"] == "skipped"
        second = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
        assert second.json()["item_id"] != item_id

    def test_skip_unleased_item(self, api: Api) -> None:
        """Skipping an item not leased to the caller is a 404."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        skipped = api.client.post(
            f"/api/v1/projects/{project_id}/items/1/skip", headers=worker.headers
        )
        assert skipped.status_code == 404
        assert skipped.json()["error"] == "UnknownAssignment"

"""Every endpoint against every role: allowed, 403, or 404 where existence must not leak."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import SENTIMENT, Actor, Api, jsonl, make_project

# On both backends: the rules must not depend on the database.
pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)


ROLES = ("anonymous", "admin", "owner", "requester", "annotator", "outsider", "reviewer")


@dataclass(frozen=True)
class Case:
    """One endpoint and the status each role gets."""

    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[str], dict[str, Any]] | None = None
    upload: bool = False


def _statuses(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES} | {
        "anonymous": by_role.get("anonymous", 401)
    }


CASES = [
    Case("GET", "/me", _statuses(200)),
    Case("GET", "/me/stats", _statuses(200)),
    Case("GET", "/tokens", _statuses(200)),
    Case("GET", "/projects", _statuses(200)),
    Case(
        "POST",
        "/projects",
        _statuses(403, admin=201, owner=201, requester=201),
        body=lambda role: {"name": f"new-{role}", "schema": SENTIMENT},
    ),
    Case("GET", "/projects/{p}", _statuses(200, requester=404)),
    Case("GET", "/projects/{draft}", _statuses(404, admin=200, owner=200)),
    Case(
        "PATCH",
        "/projects/{p}",
        _statuses(403, admin=200, owner=200, requester=404),
        body=lambda role: {"instructions": f"by {role}"},
    ),
    # Allowed callers get past the check and meet the state rule: active -> active.
    Case(
        "POST",
        "/projects/{p}/status",
        _statuses(403, admin=409, owner=409, requester=404),
        body=lambda role: {"status": "active"},
    ),
    Case(
        "POST",
        "/projects/{p}/items",
        _statuses(403, admin=201, owner=201, requester=404),
        upload=True,
    ),
    Case(
        "GET",
        "/projects/{p}/items",
        _statuses(403, admin=200, owner=200, reviewer=200, requester=404),
    ),
    Case(
        "POST",
        "/projects/{p}/gold",
        _statuses(403, admin=200, owner=200, requester=404),
        body=lambda role: {"gold": {"t0": "pos"}},
    ),
    Case(
        "GET",
        "/projects/{p}/stats",
        _statuses(403, admin=200, owner=200, reviewer=200, requester=404),
    ),
    Case("GET", "/projects/{p}/export", _statuses(403, admin=200, owner=200, requester=404)),
    # Admins hold every role but not the project's domain; owners are not annotators.
    Case("GET", "/projects/{p}/next", _statuses(403, annotator=200, requester=404)),
    Case(
        "POST",
        "/projects/{p}/exam",
        _statuses(403, annotator=409, outsider=201, admin=201, requester=404),
    ),
    Case(
        "POST",
        "/accounts/{address}/grants",
        _statuses(403, admin=200),
        body=lambda role: {"domains": ["law"]},
    ),
]


@pytest.fixture
def world(api: Api) -> tuple[Api, dict[str, Actor | None], dict[str, str]]:
    """A private active project in the ``med`` domain with gold, a draft, and one actor per role."""
    actors: dict[str, Actor | None] = {
        "anonymous": None,
        "admin": api.actor("admin"),
        "owner": api.actor("requester"),
        "requester": api.actor("requester"),
        "annotator": api.actor("annotator", domains=("med",)),
        "outsider": api.actor("annotator"),
        "reviewer": api.actor("reviewer"),
    }
    owner = actors["owner"]
    assert owner is not None
    project = make_project(api, owner, items=4, domain="med", exam_size=1)
    gold = api.client.post(
        f"/api/v1/projects/{project}/gold", json={"gold": {"t3": "neg"}}, headers=owner.headers
    )
    assert gold.status_code == 200
    draft = api.client.post(
        "/api/v1/projects", json={"name": "draft", "schema": SENTIMENT}, headers=owner.headers
    ).json()["id"]
    names = {"p": str(project), "draft": str(draft), "address": actors["outsider"].address}  # type: ignore[union-attr]
    return api, actors, names


def test_endpoint_by_role(world: tuple[Api, dict[str, Actor | None], dict[str, str]]) -> None:
    """Each endpoint answers each role as the access rules say (collected, then compared)."""
    api, actors, names = world
    wrong = []
    for case in CASES:
        for role, expected in case.expected.items():
            actor = actors[role]
            headers = actor.headers if actor else {}
            url = "/api/v1" + case.path.format(**names)
            kwargs: dict[str, Any] = {"headers": headers}
            if case.body is not None:
                kwargs["json"] = case.body(role)
            if case.upload:
                kwargs["files"] = {
                    "files": ("i.jsonl", jsonl(f'{{"id": "{role}", "text": "x"}}'), "text/plain")
                }
            answer = api.client.request(case.method, url, **kwargs)
            if answer.status_code != expected:
                wrong.append(
                    f"{case.method} {case.path} as {role}: {answer.status_code} "
                    f"(expected {expected}) {answer.text[:120]}"
                )
            elif answer.status_code >= 400:
                assert set(answer.json()) >= {"error", "detail"}
    assert not wrong, "\n".join(wrong)


def test_private_project_not_listed(
    world: tuple[Api, dict[str, Actor | None], dict[str, str]],
) -> None:
    """Another requester's list omits a private project; the owner's list has it."""
    api, actors, names = world

    def ids(role: str) -> set[int]:
        actor = actors[role]
        assert actor is not None
        page = api.client.get("/api/v1/projects", headers=actor.headers).json()
        return {p["id"] for p in page["items"]}

    assert int(names["p"]) in ids("owner")
    assert int(names["p"]) not in ids("requester")
    assert int(names["draft"]) not in ids("annotator")


def test_annotator_never_sees_gold(
    world: tuple[Api, dict[str, Actor | None], dict[str, str]],
) -> None:
    """Leases and exams carry payloads only, never a gold answer."""
    api, actors, names = world
    annotator, outsider = actors["annotator"], actors["outsider"]
    assert annotator is not None and outsider is not None
    for _ in range(4):
        task = api.client.get(f"/api/v1/projects/{names['p']}/next", headers=annotator.headers)
        if task.status_code != 200:
            break
        assert "gold" not in task.text
        api.client.post(
            f"/api/v1/projects/{names['p']}/items/{task.json()['item_id']}/skip",
            headers=annotator.headers,
        )
    exam = api.client.post(f"/api/v1/projects/{names['p']}/exam", headers=outsider.headers)
    assert exam.status_code == 201
    assert "neg" not in str(exam.json()["items"])

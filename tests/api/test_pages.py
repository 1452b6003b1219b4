"""Tests of the project list page and its JSON twin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelshare.api import create_app
from labelshare.config import load_settings
from labelshare.services.demo import DEMO_PROJECT, seed_demo
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work


def test_index_lists_projects(fresh_database_url: str) -> None:
    """The page at / lists the seeded demo project with its progress."""
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        accounts = seed_demo(session)
    engine.dispose()
    assert {account.role for account in accounts} == {"requester", "annotator"}
    app = create_app(load_settings(database_url=fresh_database_url))
    with TestClient(app) as client:
        page = client.get("/plain/")
        requester = next(a for a in accounts if a.role == "requester")
        headers = {"Authorization": f"Bearer {requester.token}"}
        listed = client.get("/api/v1/projects", headers=headers).json()["items"]
        (project,) = [p for p in listed if p["name"] == DEMO_PROJECT]
        stats = client.get(f"/api/v1/projects/{project['id']}/stats", headers=headers).json()
    assert page.status_code == 200
    assert DEMO_PROJECT in page.text
    assert stats["items"] == 36
    assert stats["labels"] > 36


def test_index_empty_state(fresh_database_url: str) -> None:
    """With no projects the page says how to create one."""
    app = create_app(load_settings(database_url=fresh_database_url))
    with TestClient(app) as client:
        page = client.get("/plain/")
    assert "No projects yet" in page.text

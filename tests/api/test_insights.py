"""Dashboard figures over HTTP: annotators, licences, per-epoch earnings, claim transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.api.routers.insights import claim_transaction_builder
from labelshare.config import Settings
from labelshare.errors import UnknownProject
from labelshare.services.access import earnings_project, has_labelled
from labelshare.services.reports import epoch_totals
from labelshare.store.models import Account, Project
from labelshare.store.session import unit_of_work
from tests.api.conftest import Actor, Api, make_project

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)


def _label_all(api: Api, project_id: int, workers: list[Actor], values: list[str]) -> None:
    """Each worker labels every item it is offered with its own value."""
    for worker, value in zip(workers, values, strict=True):
        while True:
            task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
            if task.status_code != 200:
                break
            sent = api.client.post(
                "/api/v1/annotations",
                json={"project_id": project_id, "item_id": task.json()["item_id"], "value": value},
                headers=worker.headers,
            )
            assert sent.status_code == 201, sent.text


def _settled(api: Api, *, items: int = 4) -> tuple[Actor, Actor, list[Actor], int]:
    """A funded project of ``items`` items labelled by three workers, one dissenting,
    with its first epoch closed; returns owner, admin, workers and the project id."""
    owner, admin = api.actor("requester"), api.actor("admin")
    workers = [api.actor("annotator") for _ in range(3)]
    project_id = make_project(api, owner, items=items, reward_per_label="1")
    _label_all(api, project_id, workers, ["pos", "pos", "neg"])
    funded = api.client.post(
        f"/api/v1/projects/{project_id}/fund", json={"amount": "100"}, headers=admin.headers
    )
    assert funded.status_code == 200, funded.text
    closed = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=owner.headers)
    assert closed.status_code == 200, closed.text
    return owner, admin, workers, project_id


def _close(api: Api, owner: Actor, project_id: int) -> None:
    closed = api.client.post(
        f"/api/v1/projects/{project_id}/status", json={"status": "closed"}, headers=owner.headers
    )
    assert closed.status_code == 200, closed.text


class TestAnnotators:
    def test_owner_reads_labels_reliability_and_gold_accuracy(self, api: Api) -> None:
        """The owner sees each annotator's labels, a reliability in [0, 1] that ranks the
        dissenter last, and gold accuracy on the items marked gold."""
        owner = api.actor("requester")
        workers = [api.actor("annotator") for _ in range(3)]
        project_id = make_project(api, owner, items=4)
        _label_all(api, project_id, workers, ["pos", "pos", "neg"])
        gold = api.client.post(
            f"/api/v1/projects/{project_id}/gold",
            json={"gold": {"t0": "pos", "t1": "pos"}},
            headers=owner.headers,
        )
        assert gold.status_code == 200, gold.text
        listed = api.client.get(f"/api/v1/projects/{project_id}/annotators", headers=owner.headers)
        assert listed.status_code == 200, listed.text
        rows = {row["address"]: row for row in listed.json()}
        assert set(rows) == {worker.address for worker in workers}
        assert all(row["labels"] == 4 for row in rows.values())
        reliability = [rows[worker.address]["reliability"] for worker in workers]
        assert all(0.0 <= r <= 1.0 for r in reliability)
        assert reliability[2] < min(reliability[:2])
        accuracy = [rows[worker.address]["gold_accuracy"] for worker in workers]
        assert accuracy == [1.0, 1.0, 0.0]

    def test_without_labels_the_list_is_empty_and_gold_accuracy_unknown(self, api: Api) -> None:
        """A project nobody labelled has no annotators; without gold, accuracy is null."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=2)
        url = f"/api/v1/projects/{project_id}/annotators"
        assert api.client.get(url, headers=owner.headers).json() == []
        _label_all(api, project_id, [worker], ["pos"])
        (row,) = api.client.get(url, headers=owner.headers).json()
        assert row["gold_accuracy"] is None and row["labels"] == 2

    def test_reviewers_may_read_and_annotators_may_not(self, api: Api) -> None:
        """A reviewer reads the list; an annotator who sees the project gets 403."""
        owner, reviewer, worker = (
            api.actor("requester"),
            api.actor("reviewer"),
            api.actor("annotator"),
        )
        project_id = make_project(api, owner, items=1)
        url = f"/api/v1/projects/{project_id}/annotators"
        assert api.client.get(url, headers=reviewer.headers).status_code == 200
        refused = api.client.get(url, headers=worker.headers)
        assert refused.status_code == 403
        assert refused.json()["error"] == "MissingRole"


class TestLicences:
    def test_owner_lists_recorded_licence_payments(self, api: Api) -> None:
        """Payments an admin records are listed oldest first with buyer and amount."""
        owner, admin, buyer = api.actor("requester"), api.actor("admin"), api.actor("requester")
        project_id = make_project(api, owner, items=1)
        url = f"/api/v1/projects/{project_id}/licences"
        assert api.client.get(url, headers=owner.headers).json() == []
        for amount in ("5", "7"):
            paid = api.client.post(
                url, json={"buyer": buyer.address, "amount": amount}, headers=admin.headers
            )
            assert paid.status_code == 201, paid.text
        listed = api.client.get(url, headers=owner.headers)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert [row["amount"] for row in body] == [str(5 * 10**18), str(7 * 10**18)]
        assert {row["buyer"] for row in body} == {buyer.address}
        assert body[0]["id"] < body[1]["id"] and not body[0]["distributed_in_epoch"]

    def test_reviewers_may_not_read_revenue(self, api: Api) -> None:
        """Revenue is the owner's and admins' business: a reviewer gets 403."""
        owner, reviewer = api.actor("requester"), api.actor("reviewer")
        project_id = make_project(api, owner, items=1)
        refused = api.client.get(
            f"/api/v1/projects/{project_id}/licences", headers=reviewer.headers
        )
        assert refused.status_code == 403
        assert refused.json()["error"] == "MissingRole"


class TestEpochEarnings:
    def test_annotator_reads_their_epochs(self, api: Api) -> None:
        """Each epoch shows labels, quality (lower for the dissenter), reward and slashes,
        and the rewards add up to the epoch's total."""
        _, _, workers, project_id = _settled(api)
        rewards, quality = 0, []
        for worker in workers:
            listed = api.client.get(
                f"/api/v1/projects/{project_id}/earnings/{worker.address}/epochs",
                headers=worker.headers,
            )
            assert listed.status_code == 200, listed.text
            (epoch,) = listed.json()
            assert epoch["number"] == 1 and epoch["labels"] == 4
            assert 0.0 <= epoch["quality"] <= 1.0 and epoch["slashed"] == "0"
            rewards += int(epoch["reward"])
            quality.append(epoch["quality"])
        assert quality[2] < min(quality[:2])
        with unit_of_work(api.sessions) as session:
            project = session.get(Project, project_id)
            assert project is not None
            assert epoch_totals(session, project)[1].rewards_paid == rewards

    def test_royalties_show_in_an_epoch_without_labels(self, api: Api) -> None:
        """A licence sold after the first epoch pays the shareholders royalties in the
        next epoch, which lists them with no labels."""
        owner, admin, workers, project_id = _settled(api)
        sold = api.client.post(
            f"/api/v1/projects/{project_id}/licences",
            json={"buyer": owner.address, "amount": "10"},
            headers=admin.headers,
        )
        assert sold.status_code == 201, sold.text
        again = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=owner.headers)
        assert again.json()["number"] == 2 and again.json()["is_new"]
        listed = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{workers[0].address}/epochs",
            headers=workers[0].headers,
        )
        first, second = listed.json()
        assert first["royalties"] == "0" and first["labels"] == 4
        assert second["number"] == 2 and second["labels"] == 0 and second["reward"] == "0"
        assert int(second["royalties"]) > 0

    def test_an_address_without_work_has_no_epochs(self, api: Api) -> None:
        """The owner asking about an address that never labelled gets an empty list."""
        owner, _, _, project_id = _settled(api)
        stranger = api.actor("annotator")
        listed = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{stranger.address}/epochs",
            headers=owner.headers,
        )
        assert listed.status_code == 200 and listed.json() == []

    def test_another_annotator_may_not_read_them(self, api: Api) -> None:
        """An annotator asking for someone else's epochs gets 403 naming the address."""
        _, _, workers, project_id = _settled(api)
        refused = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{workers[0].address}/epochs",
            headers=workers[1].headers,
        )
        assert refused.status_code == 403
        assert "address" in refused.json()["detail"]

    def test_malformed_address_is_refused(self, api: Api) -> None:
        """An address that is not hex gives 422."""
        owner, _, _, project_id = _settled(api)
        refused = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/0x{'zz' * 20}/epochs", headers=owner.headers
        )
        assert refused.status_code == 422


class TestEpochTotals:
    def test_totals_match_what_closing_reported(self, api: Api) -> None:
        """The stored totals of an epoch equal the amounts its closing returned."""
        owner, admin = api.actor("requester"), api.actor("admin")
        workers = [api.actor("annotator") for _ in range(3)]
        project_id = make_project(api, owner, items=3, reward_per_label="1")
        _label_all(api, project_id, workers, ["pos", "pos", "neg"])
        api.client.post(
            f"/api/v1/projects/{project_id}/fund", json={"amount": "2"}, headers=admin.headers
        )
        closed = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=owner.headers)
        assert closed.status_code == 200, closed.text
        body = closed.json()
        with unit_of_work(api.sessions) as session:
            project = session.get(Project, project_id)
            assert project is not None
            totals = epoch_totals(session, project)
        assert list(totals) == [1]
        assert [
            str(totals[1].rewards_paid),
            str(totals[1].slashed),
            str(totals[1].royalties),
            str(totals[1].escrow_after),
        ] == [body["rewards_paid"], body["slashed"], body["royalties"], body["escrow_after"]]

    def test_no_epochs_no_totals(self, api: Api) -> None:
        """A project never settled has no totals."""
        owner = api.actor("requester")
        project_id = make_project(api, owner, items=1)
        with unit_of_work(api.sessions) as session:
            project = session.get(Project, project_id)
            assert project is not None
            assert epoch_totals(session, project) == {}


class TestClosedProjects:
    def test_labeller_keeps_earnings_and_claims_after_close(self, api: Api) -> None:
        """Once the project closes, an annotator who labelled it still reads its
        per-epoch earnings, but gets no more work from it."""
        owner, _, workers, project_id = _settled(api)
        _close(api, owner, project_id)
        worker = workers[0]
        listed = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{worker.address}/epochs",
            headers=worker.headers,
        )
        assert listed.status_code == 200, listed.text
        assert len(listed.json()) == 1
        work = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
        assert work.status_code == 404

    def test_other_annotators_do_not_see_a_closed_project(self, api: Api) -> None:
        """An annotator who never labelled the closed project is told it does not exist."""
        owner, _, _, project_id = _settled(api)
        _close(api, owner, project_id)
        outsider = api.actor("annotator")
        hidden = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{outsider.address}/epochs",
            headers=outsider.headers,
        )
        assert hidden.status_code == 404
        assert hidden.json()["error"] == "UnknownProject"

    def test_access_rule_in_the_service(self, api: Api) -> None:
        """``earnings_project`` returns a closed project to its labeller and refuses others."""
        owner, _, workers, project_id = _settled(api, items=1)
        _close(api, owner, project_id)
        outsider = api.actor("annotator")
        with unit_of_work(api.sessions) as session:
            labeller, stranger = (_account(session, actor) for actor in (workers[0], outsider))
            project = earnings_project(session, labeller, project_id)
            assert has_labelled(session, labeller, project)
            assert not has_labelled(session, stranger, project)
            with pytest.raises(UnknownProject, match=f"project: no project {project_id}"):
                earnings_project(session, stranger, project_id)


def _account(session: Session, actor: Actor) -> Account:
    return session.scalars(select(Account).where(Account.address == actor.address)).one()


class TestClaimTransaction:
    def test_local_backend_answers_conflict(self, api: Api) -> None:
        """With the local backend there is no on-chain claim: 409 names the backend."""
        _, _, workers, project_id = _settled(api)
        worker = workers[0]
        refused = api.client.get(
            f"/api/v1/projects/{project_id}/claims/{worker.address}/transaction",
            headers=worker.headers,
        )
        assert refused.status_code == 409
        assert refused.json()["error"] == "Conflict"
        assert "local" in refused.json()["detail"]

    def test_evm_backend_returns_the_wallet_transaction(self, api: Api) -> None:
        """With the evm backend the built transaction comes back with ``from`` and
        ``chainId`` spelled as wallets expect."""
        _, _, workers, project_id = _settled(api)
        worker = workers[0]
        seen: list[str] = []

        def build(session: Session, project: Project, settings: Settings, address: str) -> Any:
            seen.append(address)
            return {
                "from": address,
                "to": "0x" + "11" * 20,
                "data": "0xabcdef",
                "value": 0,
                "gas": 90_000,
                "chainId": 31337,
            }

        app = cast(FastAPI, api.client.app)
        app.state.settings = app.state.settings.model_copy(update={"settlement_backend": "evm"})
        app.dependency_overrides[claim_transaction_builder] = lambda: build
        try:
            built = api.client.get(
                f"/api/v1/projects/{project_id}/claims/{worker.address.lower()}/transaction",
                headers=worker.headers,
            )
        finally:
            app.dependency_overrides.clear()
        assert built.status_code == 200, built.text
        assert built.json() == {
            "from": worker.address,
            "to": "0x" + "11" * 20,
            "data": "0xabcdef",
            "value": 0,
            "gas": 90_000,
            "chainId": 31337,
        }
        assert seen == [worker.address]

    def test_evm_backend_without_deployment_names_the_setting(
        self, api: Api, tmp_path: Path
    ) -> None:
        """With the evm backend but no recorded deployment the error names the setting."""
        _, _, workers, project_id = _settled(api)
        app = cast(FastAPI, api.client.app)
        app.state.settings = app.state.settings.model_copy(
            update={"settlement_backend": "evm", "chain_deployment_file": tmp_path / "none.json"}
        )
        refused = api.client.get(
            f"/api/v1/projects/{project_id}/claims/{workers[0].address}/transaction",
            headers=workers[0].headers,
        )
        assert refused.status_code == 422
        assert refused.json()["field"] == "chain_deployment_file"

"""Settlement over HTTP: fund, close an epoch, prove and claim."""

from __future__ import annotations

from labelshare.services.claims import verify_claim
from tests.api.conftest import Actor, Api, make_project


def _label_all(api: Api, project_id: int, workers: list[Actor]) -> None:
    for worker in workers:
        while True:
            task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
            if task.status_code != 200:
                break
            sent = api.client.post(
                "/api/v1/annotations",
                json={"project_id": project_id, "item_id": task.json()["item_id"], "value": "pos"},
                headers=worker.headers,
            )
            assert sent.status_code == 201, sent.text


class TestSettlementApi:
    def test_fund_close_prove_claim(self, api: Api) -> None:
        """An admin funds, the owner closes, and an annotator proves and claims their pay."""
        owner, admin = api.actor("requester"), api.actor("admin")
        workers = [api.actor("annotator") for _ in range(3)]
        project_id = make_project(api, owner, items=4, reward_per_label="1")
        _label_all(api, project_id, workers)
        funded = api.client.post(
            f"/api/v1/projects/{project_id}/fund", json={"amount": "100"}, headers=admin.headers
        )
        assert funded.status_code == 200, funded.text
        assert funded.json()["escrow"] == str(100 * 10**18)
        closed = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=owner.headers)
        assert closed.status_code == 200, closed.text
        assert closed.json()["number"] == 1 and closed.json()["is_new"]
        again = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=owner.headers)
        assert again.json()["number"] == 1 and not again.json()["is_new"]
        (listed,) = api.client.get(
            f"/api/v1/projects/{project_id}/epochs", headers=owner.headers
        ).json()
        for amount in ("rewards_paid", "slashed", "royalties", "escrow_after"):
            assert listed[amount] == closed.json()[amount]
        assert int(listed["rewards_paid"]) > 0
        worker = workers[0]
        proof = api.client.get(
            f"/api/v1/projects/{project_id}/claims/{worker.address}", headers=worker.headers
        )
        assert proof.status_code == 200, proof.text
        body = proof.json()
        assert verify_claim(
            root=body["root"],
            address=body["address"],
            amount=int(body["amount"]),
            proof=body["proof"],
        )
        paid = api.client.post(
            f"/api/v1/projects/{project_id}/claims", json={}, headers=worker.headers
        )
        assert paid.status_code == 201, paid.text
        assert paid.json()["amount"] == body["amount_due"]
        mine = api.client.get(
            f"/api/v1/projects/{project_id}/earnings/{worker.address}", headers=worker.headers
        )
        assert mine.json()["due"] == "0"

    def test_only_admins_record_deposits(self, api: Api) -> None:
        """A requester cannot record a deposit into escrow with the local backend."""
        owner = api.actor("requester")
        project_id = make_project(api, owner, items=1)
        refused = api.client.post(
            f"/api/v1/projects/{project_id}/fund", json={"amount": "5"}, headers=owner.headers
        )
        assert refused.status_code == 403
        assert refused.json()["error"] == "MissingRole"

    def test_annotator_cannot_close_an_epoch(self, api: Api) -> None:
        """Closing is for the project's owner or an admin."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1)
        refused = api.client.post(f"/api/v1/projects/{project_id}/epochs", headers=worker.headers)
        assert refused.status_code == 403


class TestEvmBackend:
    def test_money_endpoints_refuse_to_book_tokens_that_did_not_move(self, api: Api) -> None:
        """With the EVM backend, funding, licences and claims must go through the chain."""
        api.client.app.state.settings = api.client.app.state.settings.model_copy(
            update={"settlement_backend": "evm"}
        )
        admin = api.actor("admin")
        project_id = make_project(api, api.actor("requester"), items=1)
        for path, body in (
            (f"/api/v1/projects/{project_id}/fund", {"amount": "1"}),
            (f"/api/v1/projects/{project_id}/licences", {"buyer": admin.address, "amount": "1"}),
            (f"/api/v1/projects/{project_id}/claims", {}),
        ):
            refused = api.client.post(path, json=body, headers=admin.headers)
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"] == "InvalidTransition"
            assert "EVM backend" in refused.json()["detail"]

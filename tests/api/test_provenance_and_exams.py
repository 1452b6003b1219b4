"""Tests of signed labels (EIP-712), qualification exams and request limits."""

from __future__ import annotations

import hashlib

from labelshare.api.limits import MAX_JSON_BYTES
from labelshare.chain.eip712 import sign_annotation
from labelshare.schema import value_sha256
from tests.api.conftest import Actor, Api, make_project


def _lease(api: Api, project_id: int, worker: Actor) -> int:
    task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=worker.headers)
    assert task.status_code == 200, task.text
    return int(task.json()["item_id"])


def _signed_body(worker: Actor, project_id: int, item_id: int, nonce: str) -> dict[str, object]:
    signature = sign_annotation(
        bytes(worker.wallet.key), project_id, item_id, value_sha256("pos"), nonce
    )
    return {
        "project_id": project_id,
        "item_id": item_id,
        "value": "pos",
        "signature": signature,
        "nonce": nonce,
    }


class TestSignedLabels:
    """Projects that require EIP-712 signatures on labels."""

    def test_signed_label_accepted(self, api: Api) -> None:
        """A label signed by the annotator's own key is stored."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1, requires_signature=True)
        item_id = _lease(api, project_id, worker)
        sent = api.client.post(
            "/api/v1/annotations",
            json=_signed_body(worker, project_id, item_id, "n-1"),
            headers=worker.headers,
        )
        assert sent.status_code == 201, sent.text

    def test_unsigned_label_refused(self, api: Api) -> None:
        """A label without signature is a 422 naming ``signature``."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=1, requires_signature=True)
        item_id = _lease(api, project_id, worker)
        sent = api.client.post(
            "/api/v1/annotations",
            json={"project_id": project_id, "item_id": item_id, "value": "pos"},
            headers=worker.headers,
        )
        assert sent.status_code == 422
        assert sent.json()["field"] == "signature"

    def test_signature_by_another_key(self, api: Api) -> None:
        """A label signed by someone else's key is a 422 naming the signer."""
        owner, worker, other = (
            api.actor("requester"),
            api.actor("annotator"),
            api.actor("annotator"),
        )
        project_id = make_project(api, owner, items=1, requires_signature=True)
        item_id = _lease(api, project_id, worker)
        sent = api.client.post(
            "/api/v1/annotations",
            json=_signed_body(other, project_id, item_id, "n-1"),
            headers=worker.headers,
        )
        assert sent.status_code == 422
        assert other.address in sent.json()["detail"]

    def test_nonce_reuse_refused(self, api: Api) -> None:
        """A nonce used on an earlier label is a 409 naming the nonce."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=2, requires_signature=True)
        first = _lease(api, project_id, worker)
        api.client.post(
            "/api/v1/annotations",
            json=_signed_body(worker, project_id, first, "same"),
            headers=worker.headers,
        )
        second = _lease(api, project_id, worker)
        sent = api.client.post(
            "/api/v1/annotations",
            json=_signed_body(worker, project_id, second, "same"),
            headers=worker.headers,
        )
        assert sent.status_code == 409
        assert "nonce" in sent.json()["detail"]


class TestExams:
    """POST /projects/{id}/exam and /exams/{id}/answers."""

    def _exam(self, api: Api) -> tuple[Actor, int, dict[str, object]]:
        owner, outsider = api.actor("requester"), api.actor("annotator")
        project_id = make_project(api, owner, items=4, domain="med", exam_size=2)
        api.client.post(
            f"/api/v1/projects/{project_id}/gold",
            json={"gold": {"t0": "pos", "t1": "neg"}},
            headers=owner.headers,
        )
        exam = api.client.post(f"/api/v1/projects/{project_id}/exam", headers=outsider.headers)
        assert exam.status_code == 201, exam.text
        return outsider, project_id, exam.json()

    def test_passing_grants_domain(self, api: Api) -> None:
        """Right answers pass the bar and the annotator may then take work."""
        outsider, project_id, exam = self._exam(api)
        texts = {item["item_id"]: item["payload"]["text"] for item in exam["items"]}  # type: ignore[attr-defined]
        answers = {i: ("pos" if t == "text 0" else "neg") for i, t in texts.items()}
        graded = api.client.post(
            f"/api/v1/exams/{exam['exam_id']}/answers",
            json={"answers": answers},
            headers=outsider.headers,
        )
        assert graded.json() == {
            "exam_id": exam["exam_id"],
            "domain": "med",
            "score": 1.0,
            "passed": True,
        }
        task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=outsider.headers)
        assert task.status_code == 200

    def test_failing_keeps_domain_closed(self, api: Api) -> None:
        """Wrong answers fail and work stays closed (403 MissingDomain)."""
        outsider, project_id, exam = self._exam(api)
        answers = {item["item_id"]: "neu" for item in exam["items"]}  # type: ignore[attr-defined]
        graded = api.client.post(
            f"/api/v1/exams/{exam['exam_id']}/answers",
            json={"answers": answers},
            headers=outsider.headers,
        )
        assert graded.json()["passed"] is False
        task = api.client.get(f"/api/v1/projects/{project_id}/next", headers=outsider.headers)
        assert task.status_code == 403
        assert task.json()["error"] == "MissingDomain"


class TestLimits:
    """Request size, page size and the per-token rate limit."""

    def test_body_too_large(self, api: Api) -> None:
        """A JSON body over the limit is a 413 JSON error naming the body."""
        actor = api.actor("requester")
        answer = api.client.post(
            "/api/v1/tokens",
            content=b"x" * (MAX_JSON_BYTES + 1),
            headers={**actor.headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 413
        assert answer.json()["field"] == "body"

    def test_page_size_bounded(self, api: Api) -> None:
        """A page size above the maximum is a 422 naming ``limit``."""
        actor = api.actor("requester")
        answer = api.client.get("/api/v1/projects?limit=100000", headers=actor.headers)
        assert answer.status_code == 422
        assert answer.json()["field"] == "limit"

    def test_rate_limit(self, api: Api) -> None:
        """Past its burst a token gets 429 with Retry-After, another token does not."""
        from labelshare.api.limits import RateLimiter

        api.client.app.state.rate_limiter = RateLimiter(1.0, clock=lambda: 0.0)  # type: ignore[attr-defined]
        actor, other = api.actor("annotator"), api.actor("annotator")
        codes = [api.client.get("/api/v1/me", headers=actor.headers).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert api.client.get("/api/v1/me", headers=other.headers).status_code == 200


def test_value_sha256_is_canonical() -> None:
    """The hash signed is sha256 of the canonical JSON (here a JSON string)."""
    assert value_sha256("pos") == hashlib.sha256(b'"pos"').hexdigest()

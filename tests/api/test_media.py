"""Uploaded images over HTTP: served with their type to those who may see them."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.api.conftest import Actor, Api

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
BOXES = {"kind": "bbox", "classes": ["cat", "dog"]}


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _image_project(api: Api, owner: Actor, image: bytes, *, activate: bool = True) -> str:
    """A project of ``owner`` with one uploaded image; returns the image's URL."""
    created = api.client.post(
        "/api/v1/projects",
        json={"name": f"img-{owner.address[-8:]}", "schema": BOXES, "gold_rate": 0.0},
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    uploaded = api.client.post(
        f"/api/v1/projects/{project_id}/items",
        files={"files": ("cat.png", image, "image/png")},
        headers=owner.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    if activate:
        activated = api.client.post(
            f"/api/v1/projects/{project_id}/status",
            json={"status": "active"},
            headers=owner.headers,
        )
        assert activated.status_code == 200, activated.text
    items = api.client.get(f"/api/v1/projects/{project_id}/items", headers=owner.headers)
    (item,) = items.json()["items"]
    url = str(item["payload"]["image"])
    assert url == f"/media/{hashlib.sha256(image).hexdigest()}"
    return url


class TestMedia:
    def test_owner_gets_the_bytes_with_their_type(self, api: Api) -> None:
        """The owner's bearer token fetches the image: same bytes, image/png, no sniffing."""
        owner = api.actor("requester")
        image = _png("red")
        url = _image_project(api, owner, image)
        served = api.client.get(url, headers=owner.headers)
        assert served.status_code == 200, served.text
        assert served.content == image
        assert served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"

    def test_annotator_of_an_open_project_gets_it_by_cookie(self, api: Api) -> None:
        """An annotator who sees the active project gets the image with a session cookie."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        image = _png("blue")
        url = _image_project(api, owner, image)
        api.client.cookies.set("labelshare_session", worker.token)
        try:
            served = api.client.get(url)
        finally:
            api.client.cookies.clear()
        assert served.status_code == 200 and served.content == image

    def test_hidden_project_images_are_not_found(self, api: Api) -> None:
        """An image used only by a draft project is 404 to an annotator, as an unknown one."""
        owner, worker = api.actor("requester"), api.actor("annotator")
        url = _image_project(api, owner, _png("green"), activate=False)
        hidden = api.client.get(url, headers=worker.headers)
        unknown = api.client.get(f"/media/{'0' * 64}", headers=worker.headers)
        assert hidden.status_code == unknown.status_code == 404
        for answer in (hidden, unknown):
            assert answer.json()["error"] == "NotFound"
            assert answer.json()["detail"].startswith("sha256: no media")

    def test_anonymous_callers_are_refused(self, api: Api) -> None:
        """Without a token or a session the answer is 401."""
        owner = api.actor("requester")
        url = _image_project(api, owner, _png("black"))
        refused = api.client.get(url)
        assert refused.status_code == 401
        assert refused.json()["error"] == "Unauthenticated"

    def test_malformed_digest_is_refused(self, api: Api) -> None:
        """A digest that is not 64 lowercase hex characters gives 422 naming the field."""
        owner = api.actor("requester")
        refused = api.client.get("/media/not-a-digest", headers=owner.headers)
        assert refused.status_code == 422
        assert "sha256" in refused.json()["field"]

    def test_missing_file_is_not_found(self, api: Api) -> None:
        """A stored digest whose file left the media folder gives 404 saying so."""
        owner = api.actor("requester")
        url = _image_project(api, owner, _png("white"))
        media_dir = api.client.app.state.settings.media_dir  # type: ignore[attr-defined]  # FastAPI app
        digest = url.rsplit("/", 1)[1]
        (media_dir / digest[:2] / digest).unlink()
        missing = api.client.get(url, headers=owner.headers)
        assert missing.status_code == 404
        assert "missing" in missing.json()["detail"]

"""The whole story in a real browser against a live server.

A requester creates a classification and a bbox project and uploads items; two
annotators sign in with tokens and label (classes by keyboard, boxes by mouse drag);
the requester sees the progress and closes an epoch (after an admin records the
escrow deposit, as the local backend wants); an annotator sees earnings and claims.
Each step asserts on the page and on what the API stored.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.web.conftest import LiveServer, User, new_page, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REVIEWS = [
    ("r1", "Lovely service, fast delivery.", "pos"),
    ("r2", "Arrived broken and late.", "neg"),
    ("r3", "Great value for the money.", "pos"),
    ("r4", "Never again, a waste of money.", "neg"),
]
IMAGE_W, IMAGE_H = 200, 150


def _image_url(seed: int) -> str:
    image = Image.new("RGB", (IMAGE_W, IMAGE_H), "#eef1f5")
    ImageDraw.Draw(image).rectangle((40 + seed * 10, 30, 120 + seed * 10, 110), fill="#d9480f")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _create_project(page: Page, *, name: str, kind: str, classes: str) -> int:
    """Fill the new-project form; return the new project's id from the dashboard URL."""
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Instructions", exact=True).fill(f"Label every item of {name}.")
    page.get_by_label("Label kind", exact=True).select_option(kind)
    page.get_by_label("Classes (comma separated)", exact=True).fill(classes)
    page.get_by_label("Labels per item, at least", exact=True).fill("2")
    page.get_by_label("Labels per item, at most", exact=True).fill("2")
    page.get_by_label("Gold rate", exact=True).fill("0")
    page.get_by_label("Reward per label (tokens)", exact=True).fill("0.05")
    page.get_by_label("Budget (tokens)", exact=True).fill("10")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url("**/dashboard")
    return int(page.url.split("/")[-2])


def _upload_and_activate(page: Page, filename: str, content: bytes, count: int) -> None:
    page.get_by_label("Items file(s)", exact=True).set_input_files(
        files=[FilePayload(name=filename, mimeType="application/x-ndjson", buffer=content)]
    )
    page.get_by_role("button", name="Upload items").click()
    expect(page.get_by_test_id("notice")).to_have_text(f"Stored {count} items.")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_test_id("status")).to_have_text("active")


def _label_reviews_by_keyboard(
    page: Page, project_id: int, server: LiveServer, *, shoot: bool = False
) -> None:
    """Label every review with keys 1/2 and Enter; check undo on the first."""
    page.goto(f"{server.url}/#/projects/{project_id}/work")
    truth = {text: label for _, text, label in REVIEWS}
    for done in range(len(REVIEWS)):
        text = page.get_by_test_id("item-text")
        expect(text).to_be_visible()
        label = truth[text.inner_text()]
        if done == 0:
            page.keyboard.press("2" if label == "pos" else "1")
            page.keyboard.press("u")  # undo the wrong choice
            expect(page.locator(".choice[aria-checked=true]")).to_have_count(0)
        page.keyboard.press("1" if label == "pos" else "2")
        expect(page.locator(".choice[aria-checked=true]")).to_have_text(
            f"{1 if label == 'pos' else 2}{label}"
        )
        if shoot and done == 0:
            shot(page, "04b-workspace-classification")
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, "04c-workspace-classification-phone")
            page.set_viewport_size({"width": 1280, "height": 800})
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text(str(done + 1))
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()


def _drag_box(page: Page, box_px: tuple[float, float, float, float]) -> None:
    """Drag on the canvas from image point (x0, y0) to (x1, y1)."""
    canvas = page.get_by_test_id("bbox-canvas")
    bounds = canvas.bounding_box()
    assert bounds is not None
    # The image is fitted inside the canvas, centred (SVG "xMidYMid meet").
    scale = min(bounds["width"] / IMAGE_W, bounds["height"] / IMAGE_H)
    left = bounds["x"] + (bounds["width"] - IMAGE_W * scale) / 2
    top = bounds["y"] + (bounds["height"] - IMAGE_H * scale) / 2
    x0, y0, x1, y1 = box_px
    page.mouse.move(left + x0 * scale, top + y0 * scale)
    page.mouse.down()
    page.mouse.move(left + x1 * scale, top + y1 * scale, steps=6)
    page.mouse.up()


def _label_boxes_by_mouse(
    page: Page, project_id: int, server: LiveServer, *, shoot: bool = False
) -> None:
    """Draw one box per image; re-class it with key 2; delete and undo on the second."""
    page.goto(f"{server.url}/#/projects/{project_id}/work")
    for done in range(2):
        expect(page.get_by_test_id("bbox-canvas")).to_be_visible()
        _drag_box(page, (40, 30, 120, 110))
        expect(page.get_by_test_id("box")).to_have_count(1)
        page.keyboard.press("2")  # the selected box becomes a "person"
        expect(page.locator(".box text")).to_have_text("person")
        if shoot and done == 0:
            shot(page, "05a-workspace-bbox")
        if done == 1:
            page.keyboard.press("Delete")
            expect(page.get_by_test_id("box")).to_have_count(0)
            page.keyboard.press("u")
            expect(page.get_by_test_id("box")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text(str(done + 1))
    expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()


def _stored(user: User, project_id: int) -> list[dict[str, Any]]:
    response = user.api.get(f"/projects/{project_id}/export", params={"format": "jsonl"})
    response.raise_for_status()
    return [json.loads(line) for line in response.text.splitlines() if line]


class TestStory:
    """From an empty server to labelled projects, through the browser alone."""

    def test_requester_and_annotators_label_both_projects(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Projects made and filled in the browser are labelled by keyboard and mouse."""
        requester = live_server.user("requester")
        annotators = [live_server.user("annotator") for _ in range(2)]

        page, errors = new_page(browser)
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
        shot(page, "01-sign-in")
        page.get_by_label("API token", exact=True).fill("lsk_not-a-token")
        page.locator("form[aria-labelledby=token-title] button[type=submit]").click()
        expect(page.locator("#token-error")).to_contain_text("unknown token")
        sign_in(page, live_server, requester.token)
        expect(page.get_by_role("heading", name="No projects yet")).to_be_visible()

        page.get_by_role("link", name="New project").first.click()
        page.get_by_label("Name", exact=True).fill("bad/name")
        page.get_by_role("button", name="Create project").click()
        name_error = page.locator(".field:has(#f-name) .field-error")
        expect(name_error).to_contain_text("name")
        shot(page, "02-new-project-error")
        page.goto(live_server.url + "/#/projects")

        reviews = _create_project(page, name="reviews", kind="classification", classes="pos, neg")
        items = [{"id": ext, "text": text} for ext, text, _ in REVIEWS]
        _upload_and_activate(page, "reviews.jsonl", _jsonl(items), len(REVIEWS))
        page.goto(live_server.url + "/#/projects")
        cars = _create_project(page, name="street", kind="bbox", classes="car, person")
        images = [
            {"id": f"img{n}", "image": _image_url(n), "width": IMAGE_W, "height": IMAGE_H}
            for n in range(2)
        ]
        _upload_and_activate(page, "street.jsonl", _jsonl(images), 2)
        shot(page, "03-dashboard-new")

        for number, annotator in enumerate(annotators):
            worker, worker_errors = new_page(browser)
            sign_in(worker, live_server, annotator.token)
            expect(worker.locator("[data-project=reviews]")).to_be_visible()
            if number == 0:
                shot(worker, "04-projects-annotator")
            _label_reviews_by_keyboard(worker, reviews, live_server, shoot=number == 0)
            _label_boxes_by_mouse(worker, cars, live_server, shoot=number == 0)
            if number == 0:
                shot(worker, "05-workspace-done")
            assert worker_errors == []

        stored = _stored(requester, reviews)
        truth = {ext: label for ext, _, label in REVIEWS}
        for row in stored:
            assert [a["value"] for a in row["annotations"]] == [truth[row["id"]]] * 2
        for row in _stored(requester, cars):
            assert len(row["annotations"]) == 2
            for annotation in row["annotations"]:
                (box,) = annotation["value"]
                assert box["class"] == "person"
                assert abs(box["x"] - 40) <= 2 and abs(box["y"] - 30) <= 2
                assert abs(box["w"] - 80) <= 3 and abs(box["h"] - 80) <= 3

        page.goto(f"{live_server.url}/#/projects/{reviews}/dashboard")
        expect(page.get_by_test_id("labels")).to_have_text("8")
        stats = requester.api.get(f"/projects/{reviews}/stats").json()
        assert stats["labels"] == 8 and stats["annotators"] == 2
        shot(page, "06-dashboard-progress")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "06b-dashboard-phone")
        page.set_viewport_size({"width": 1280, "height": 800})

        admin, admin_errors = new_page(browser)
        sign_in(admin, live_server, live_server.user("admin").token)
        admin.goto(f"{live_server.url}/#/projects/{reviews}/dashboard")
        admin.get_by_label("Deposit into escrow (tokens)", exact=True).fill("10")
        admin.get_by_role("button", name="Record deposit").click()
        expect(admin.get_by_text("Escrow now 10.")).to_be_visible()
        assert admin_errors == []

        page.reload()
        page.get_by_test_id("close-epoch").click()
        expect(page.get_by_test_id("epoch-closed")).to_contain_text("Epoch 1 settled")
        expect(page.get_by_test_id("epochs")).to_contain_text("0x")
        shot(page, "07-dashboard-epoch")
        (epoch,) = requester.api.get(f"/projects/{reviews}/epochs").json()
        assert epoch["number"] == 1 and epoch["merkle_root"].startswith("0x")
        assert errors == []

        worker, worker_errors = new_page(browser)
        sign_in(worker, live_server, annotators[0].token)
        worker.get_by_role("link", name="Earnings").click()
        card = worker.locator("[data-project=reviews]")
        expect(card.get_by_test_id("cumulative")).not_to_have_text("0")
        earned = annotators[0].api.get(f"/projects/{reviews}/earnings/{annotators[0].address}")
        assert int(earned.json()["due"]) > 0
        (first_epoch,) = (
            annotators[0]
            .api.get(f"/projects/{reviews}/earnings/{annotators[0].address}/epochs")
            .json()
        )
        epochs_table = card.get_by_test_id("earning-epochs")
        expect(epochs_table.locator("tbody tr")).to_have_count(1)
        expect(epochs_table.locator("tbody td").nth(1)).to_have_text(str(first_epoch["labels"]))
        card.get_by_role("button", name="Show Merkle proof").click()
        expect(card.locator(".proof")).to_contain_text(epoch["merkle_root"])
        shot(worker, "08-earnings")
        card.get_by_test_id("claim").click()
        expect(card.get_by_role("status")).to_contain_text("Claimed")
        expect(card.get_by_test_id("due")).to_have_text("0")
        paid = annotators[0].api.get(f"/projects/{reviews}/earnings/{annotators[0].address}")
        assert paid.json()["claimed"] == earned.json()["cumulative"]
        assert paid.json()["due"] == "0"
        shot(worker, "09-earnings-claimed")
        assert worker_errors == []

    def test_wrong_token_is_refused_next_to_its_field(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """An unknown token leaves the user on the sign-in page with the error at the field."""
        page, _ = new_page(browser)
        page.goto(live_server.url + "/")
        page.get_by_label("API token", exact=True).fill("lsk_wrong")
        page.locator("form[aria-labelledby=token-title] button[type=submit]").click()
        expect(page.locator("#token-error")).to_be_visible()
        expect(page.get_by_label("API token", exact=True)).to_have_attribute("aria-invalid", "true")
        assert page.url.endswith("/") or "#/signin" in page.url

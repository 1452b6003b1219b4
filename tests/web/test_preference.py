"""Preference kinds in the browser: the new-project form, and the workspace by keyboard.

A requester makes the project (through the form, or through the API with
``prompt``/``responses`` items); an annotator labels in the browser; the test reads
back what the API stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import LiveServer, User, make_project, new_page, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROMPT = "Explain in one sentence why the sky is blue."
SHORT = "Air scatters blue light more than red light, so blue reaches us from all directions."
LONG = "Because it reflects the ocean."
THIRD = "Sunlight is scattered by molecules (Rayleigh scattering), blue the most."


def _preference_project(
    server: LiveServer, schema: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[int, User]:
    return make_project(
        server, schema, rows, instructions="Pick the answer that is **correct** and clear."
    )


def _annotator_at(
    server: LiveServer, browser: Browser, project_id: int, *, random: float | None = None
) -> tuple[Page, list[str]]:
    """A signed-in annotator's page on the project's workspace, and its script errors.

    ``random`` pins ``Math.random`` in the page, so the display order is known.
    """
    annotator = server.user("annotator")
    page, errors = new_page(browser)
    if random is not None:
        page.add_init_script(f"Math.random = () => {random};")
    sign_in(page, server, annotator.token)
    page.goto(f"{server.url}/#/projects/{project_id}/work")
    expect(page.get_by_test_id("control")).to_be_visible()
    return page, errors


def _values(owner: User, project_id: int) -> list[Any]:
    """Every stored annotation value of the project, read through the export endpoint."""
    text = owner.api.get(f"/projects/{project_id}/export", params={"format": "jsonl"}).text
    return [a["value"] for line in text.splitlines() for a in json.loads(line)["annotations"]]


def _new_project_form(
    server: LiveServer, browser: Browser, kind: str
) -> tuple[Page, list[str], User]:
    """A requester's page on the new-project form, named and set to ``kind``; its errors."""
    requester = server.user("requester")
    page, errors = new_page(browser)
    sign_in(page, server, requester.token)
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name", exact=True).fill(f"form-{kind}-{requester.address[-6:].lower()}")
    page.get_by_label("Label kind", exact=True).select_option(kind)
    return page, errors, requester


def _create_through_the_form(
    server: LiveServer, browser: Browser, kind: str, fill: Callable[[Page], None]
) -> tuple[int, dict[str, Any], User]:
    """Create a ``kind`` project in the form; return its id, stored schema and owner."""
    page, errors, requester = _new_project_form(server, browser, kind)
    fill(page)
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url("**/dashboard")
    project_id = int(page.url.split("/")[-2])
    assert errors == []
    schema: dict[str, Any] = requester.api.get(f"/projects/{project_id}").json()["schema"]
    return project_id, schema, requester


class TestCreateForm:
    """The new-project form offers the preference kinds with their options."""

    def test_ranking_project(self, live_server: LiveServer, browser: Browser) -> None:
        """A ranking project needs only its kind; the class list is hidden."""

        def fill(page: Page) -> None:
            expect(page.get_by_label("Classes (comma separated)", exact=True)).to_be_hidden()
            expect(page.get_by_text("annotators order them best first")).to_be_visible()

        _, schema, _ = _create_through_the_form(live_server, browser, "ranking", fill)
        assert schema["kind"] == "ranking"
        assert (schema["min_responses"], schema["max_responses"]) == (2, 20)

    def test_rubric_project(self, live_server: LiveServer, browser: Browser) -> None:
        """Criteria and the score scale typed in the form become the rubric schema."""

        def fill(page: Page) -> None:
            page.get_by_label("Criteria (comma separated)", exact=True).fill(
                "accuracy, clarity , tone"
            )
            page.get_by_label("Lowest score", exact=True).fill("0")
            page.get_by_label("Highest score", exact=True).fill("4")
            shot(page, "19-new-rubric-project")

        _, schema, _ = _create_through_the_form(live_server, browser, "rubric", fill)
        assert schema == {
            "kind": "rubric",
            "criteria": ["accuracy", "clarity", "tone"],
            "min_score": 0,
            "max_score": 4,
        }

    def test_pairwise_project(self, live_server: LiveServer, browser: Browser) -> None:
        """Unticking ties and a strongest preference of 5 are stored in the schema."""

        def fill(page: Page) -> None:
            page.get_by_label("Allow ties", exact=True).uncheck()
            page.get_by_label("Strongest preference", exact=True).fill("5")
            shot(page, "20-new-pairwise-project")

        _, schema, _ = _create_through_the_form(live_server, browser, "pairwise", fill)
        assert schema["kind"] == "pairwise"
        assert (schema["allow_ties"], schema["max_strength"]) == (False, 5)

    def test_inverted_scale_is_refused_at_the_scale(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """A highest score not above the lowest gets the API's error next to it."""
        page, _, requester = _new_project_form(live_server, browser, "rubric")
        page.get_by_label("Highest score", exact=True).fill("1")
        page.get_by_role("button", name="Create project").click()
        error = page.locator(".field:has(#f-max_score) .field-error")
        expect(error).to_contain_text("max_score 1 must be above min_score 1")
        assert requester.api.get("/projects").json()["items"] == []

    def test_a_rubric_made_in_the_form_is_labelled_in_the_workspace(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """A rubric project from the form takes items and stores scores from the workspace."""

        def fill(page: Page) -> None:
            page.get_by_label("Criteria (comma separated)", exact=True).fill("clarity, tone")
            page.get_by_label("Gold rate", exact=True).fill("0")

        project_id, _, owner = _create_through_the_form(live_server, browser, "rubric", fill)
        body = json.dumps({"id": "f1", "prompt": PROMPT, "response": SHORT}).encode() + b"\n"
        owner.api.post(
            f"/projects/{project_id}/items",
            files={"files": ("items.jsonl", body, "application/x-ndjson")},
        ).raise_for_status()
        owner.api.post(
            f"/projects/{project_id}/status", json={"status": "active"}
        ).raise_for_status()
        worker, errors = _annotator_at(live_server, browser, project_id)
        for key in "35":
            worker.keyboard.press(key)
        worker.keyboard.press("Enter")
        expect(worker.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [{"clarity": 3, "tone": 5}]
        assert errors == []


class TestPairwise:
    """Two responses side by side; A / B / T pick left / right / tie."""

    def test_right_hand_choice_is_stored_in_payload_order(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """With payload A shown on the right, key B (right) stores choice A, shown_first B."""
        project_id, owner = _preference_project(
            live_server,
            {"kind": "pairwise", "allow_ties": True},
            [{"id": "p1", "prompt": PROMPT, "responses": [SHORT, LONG]}],
        )
        page, errors = _annotator_at(live_server, browser, project_id, random=0.75)
        expect(page.locator(".prompt")).to_contain_text(PROMPT)
        left = page.locator(".response[data-place=left]").get_attribute("data-side")
        right = page.locator(".response[data-place=right]").get_attribute("data-side")
        assert (left, right) == ("B", "A")
        right_text = page.locator(".response[data-place=right] .response-text").inner_text()
        page.keyboard.press("b")
        page.keyboard.press("2")
        expect(page.locator(".response[aria-selected=true]")).to_have_attribute(
            "data-place", "right"
        )
        page.get_by_label("Rationale").fill("It names the actual cause.")
        page.locator(".responses").click(position={"x": 2, "y": 2})  # leave the text box
        shot(page, "16-workspace-pairwise")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        [value] = _values(owner, project_id)
        assert value == {
            "choice": right,
            "strength": 2,
            "rationale": "It names the actual cause.",
            "shown_first": left,
        }
        assert value["choice"] == "A"
        assert right_text == SHORT
        assert errors == []

    def test_tie_key_does_nothing_when_ties_are_not_allowed(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Without ties, T selects nothing and Enter stores nothing; A then stores the left."""
        project_id, owner = _preference_project(
            live_server,
            {"kind": "pairwise", "allow_ties": False},
            [{"id": "p2", "prompt": PROMPT, "responses": [LONG, SHORT]}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("t")
        expect(page.locator(".choice[aria-checked=true]")).to_have_count(0)
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()
        page.keyboard.press("Enter")
        assert _values(owner, project_id) == []
        left = page.locator(".response[data-place=left]").get_attribute("data-side")
        page.keyboard.press("a")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [{"choice": left, "shown_first": left}]


class TestRanking:
    """Responses ranked by typing their numbers best first."""

    def test_number_keys_rank_best_first(self, live_server: LiveServer, browser: Browser) -> None:
        """Keys 2 then 1 rank those responses first and second; the last takes third place.

        A response given as an object shows its text, not the model that wrote it.
        """
        project_id, owner = _preference_project(
            live_server,
            {"kind": "ranking"},
            [
                {
                    "id": "r1",
                    "prompt": PROMPT,
                    "responses": [SHORT, LONG, {"text": THIRD, "model": "m3"}],
                }
            ],
        )
        page, errors = _annotator_at(live_server, browser, project_id)
        expect(page.locator(".ranking")).to_contain_text(THIRD)
        expect(page.locator(".ranking")).not_to_contain_text("m3")
        shown = [
            int(attribute or "-1")
            for attribute in page.locator(".rank-row").evaluate_all(
                "rows => rows.map((row) => row.dataset.response)"
            )
        ]
        assert sorted(shown) == [0, 1, 2]
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()
        page.keyboard.press("2")
        page.keyboard.press("1")
        expect(page.locator(".rank-row.ranked")).to_have_count(3)
        shot(page, "17-workspace-ranking")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [
            {"order": [shown[1], shown[0], shown[2]], "shown_order": shown}
        ]
        assert errors == []

    def test_key_beyond_the_responses_ranks_nothing(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """With three responses the key 7 ranks nothing and Submit stays disabled."""
        project_id, owner = _preference_project(
            live_server,
            {"kind": "ranking"},
            [{"id": "r2", "prompt": PROMPT, "responses": [SHORT, LONG, THIRD]}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("7")
        expect(page.locator(".rank-row.ranked")).to_have_count(0)
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()
        page.keyboard.press("Enter")
        assert _values(owner, project_id) == []

    def test_drag_reorders_and_ranks_the_list(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Dragging the last row onto the first puts it first and ranks the whole list."""
        project_id, owner = _preference_project(
            live_server,
            {"kind": "ranking"},
            [{"id": "r3", "prompt": PROMPT, "responses": [SHORT, LONG]}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        rows = page.locator(".rank-row")
        shown = [
            int(value) for value in rows.evaluate_all("rs => rs.map((r) => r.dataset.response)")
        ]
        rows.nth(1).drag_to(rows.nth(0))
        expect(page.locator(".rank-row.ranked")).to_have_count(2)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [{"order": shown[::-1], "shown_order": shown}]


class TestRubric:
    """One row per criterion, scored by number keys."""

    def test_number_keys_score_each_criterion_in_turn(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Keys 4, 5, 2 score the three criteria in order and Enter stores them."""
        project_id, owner = _preference_project(
            live_server,
            {"kind": "rubric", "criteria": ["helpfulness", "harmlessness", "honesty"]},
            [{"id": "u1", "prompt": PROMPT, "response": SHORT}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        for key in "45":
            page.keyboard.press(key)
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()
        page.keyboard.press("2")
        shot(page, "18-workspace-rubric")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [{"helpfulness": 4, "harmlessness": 5, "honesty": 2}]

    def test_key_beyond_the_scale_scores_nothing(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """On a 1..5 scale the key 8 scores nothing."""
        project_id, _ = _preference_project(
            live_server,
            {"kind": "rubric", "criteria": ["helpfulness"]},
            [{"id": "u2", "prompt": PROMPT, "response": SHORT}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("8")
        expect(page.locator(".choice[aria-checked=true]")).to_have_count(0)
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()

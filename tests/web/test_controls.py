"""Each label kind's control in the workspace, driven by keyboard where the issue asks.

Projects are made through the API; an annotator labels in the browser; the test reads
back what the API stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account as EthAccount
from eth_account.messages import encode_defunct
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import LiveServer, User, make_project, new_page, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _annotator_at(
    server: LiveServer, browser: Browser, project_id: int, **size: int
) -> tuple[Page, User]:
    annotator = server.user("annotator")
    page, _ = new_page(browser, **size)
    sign_in(page, server, annotator.token)
    page.goto(f"{server.url}/#/projects/{project_id}/work")
    expect(page.get_by_test_id("control")).to_be_visible()
    return page, annotator


def _values(owner: User, project_id: int) -> list[Any]:
    text = owner.api.get(f"/projects/{project_id}/export", params={"format": "jsonl"}).text
    return [a["value"] for line in text.splitlines() for a in json.loads(line)["annotations"]]


class TestRating:
    """Rating 1..K by number keys."""

    def test_number_key_rates_and_enter_submits(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Pressing 4 then Enter stores the rating 4."""
        project_id, owner = make_project(
            live_server,
            {"kind": "rating", "max_rating": 5},
            [{"id": "a", "text": "A clear answer."}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("4")
        expect(page.locator(".choice[aria-checked=true]")).to_have_text("4")
        shot(page, "10-workspace-rating")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [4]

    def test_key_beyond_the_scale_selects_nothing(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """On a 1..5 scale the key 9 does nothing and Submit stays disabled."""
        project_id, owner = make_project(
            live_server,
            {"kind": "rating", "max_rating": 5},
            [{"id": "a", "text": "Another answer."}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("9")
        expect(page.locator(".choice[aria-checked=true]")).to_have_count(0)
        expect(page.get_by_role("button", name="Enter Submit")).to_be_disabled()
        page.keyboard.press("Enter")
        assert _values(owner, project_id) == []


class TestSpans:
    """Span tagging by keyboard: move the word cursor, extend it, press the tag's key."""

    TEXT = "Ada Lovelace met Charles Babbage in London."

    def test_keyboard_selection_tags_a_span(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Shift+→ extends the cursor over two words; key 1 tags them PER; Enter stores it."""
        project_id, owner = make_project(
            live_server, {"kind": "spans", "tags": ["PER", "LOC"]}, [{"id": "s", "text": self.TEXT}]
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("1")
        expect(page.locator(".seg.tagged")).to_have_text(["Ada", " ", "Lovelace"])
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("2")  # "London." is the sixth word
        shot(page, "11-workspace-spans")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [
            [{"start": 0, "end": 12, "tag": "PER"}, {"start": 36, "end": 43, "tag": "LOC"}]
        ]

    def test_x_removes_the_span_under_the_cursor(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """A span tagged and then removed with x leaves an empty answer."""
        project_id, owner = make_project(
            live_server, {"kind": "spans", "tags": ["PER"]}, [{"id": "s", "text": self.TEXT}]
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        page.keyboard.press("1")
        expect(page.locator(".seg.tagged")).to_have_count(1)
        page.keyboard.press("x")
        expect(page.locator(".seg.tagged")).to_have_count(0)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [[]]


class TestMultilabelAndText:
    """Check boxes toggled by keys; free text submitted with Ctrl+Enter."""

    def test_keys_toggle_classes(self, live_server: LiveServer, browser: Browser) -> None:
        """Keys 3, 1, 2, 2 leave classes 1 and 3 chosen, stored in sorted order."""
        project_id, owner = make_project(
            live_server,
            {"kind": "multilabel", "classes": ["sport", "news", "art"]},
            [{"id": "m", "text": "A match report."}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        for key in "3122":
            page.keyboard.press(key)
        expect(page.locator("input[type=checkbox]:checked")).to_have_count(2)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == [["art", "sport"]]

    def test_text_is_sent_with_ctrl_enter_only(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """Enter in the answer box makes a new line; Ctrl+Enter submits the text."""
        project_id, owner = make_project(
            live_server,
            {"kind": "text", "max_length": 100},
            [{"id": "t", "text": "Summarise: the cat sat."}],
        )
        page, _ = _annotator_at(live_server, browser, project_id, width=390, height=844)
        answer = page.get_by_label("Answer", exact=True)
        answer.fill("A cat")
        answer.press("Enter")
        answer.type("sat.")
        expect(page.get_by_test_id("done-count")).to_have_text("0")
        shot(page, "12-workspace-text-phone")
        answer.press("Control+Enter")
        expect(page.get_by_test_id("done-count")).to_have_text("1")
        assert _values(owner, project_id) == ["A cat\nsat."]


class TestSkip:
    """Skipping gives the item back and loads another without a page reload."""

    def test_s_skips_to_the_next_item(self, live_server: LiveServer, browser: Browser) -> None:
        """After S the workspace shows the other item and nothing was stored."""
        project_id, owner = make_project(
            live_server,
            {"kind": "classification", "classes": ["a", "b"]},
            [{"id": "1", "text": "first"}, {"id": "2", "text": "second"}],
        )
        page, _ = _annotator_at(live_server, browser, project_id)
        shown = page.get_by_test_id("item-text").inner_text()
        page.keyboard.press("s")
        expect(page.get_by_test_id("item-text")).not_to_have_text(shown)
        page.keyboard.press("s")
        expect(page.get_by_role("heading", name="Nothing left to label")).to_be_visible()
        assert _values(owner, project_id) == []


class TestWalletSignIn:
    """Sign-In with Ethereum through an injected wallet."""

    def _page_with_wallet(self, browser: Browser, key: str, *, refuse: bool = False) -> Page:
        page, _ = new_page(browser)
        signer = EthAccount.from_key(key)

        def personal_sign(message_hex: str) -> str:
            message = bytes.fromhex(message_hex.removeprefix("0x"))
            signature: bytes = signer.sign_message(encode_defunct(message)).signature
            return "0x" + signature.hex()

        page.expose_function("pythonSign", personal_sign)
        # The wallet answers in lower case, as real wallets do.
        refusal = "true" if refuse else "false"
        page.add_init_script(
            f"""window.ethereum = {{ request: async ({{ method, params }}) => {{
                if (method === "eth_requestAccounts") {{
                  if ({refusal}) throw new Error("User rejected the request.");
                  return ["{signer.address.lower()}"];
                }}
                if (method === "personal_sign") return await window.pythonSign(params[0]);
                throw new Error("unsupported " + method);
            }} }};"""
        )
        return page

    def test_wallet_signs_in(self, live_server: LiveServer, browser: Browser) -> None:
        """A wallet's EIP-4361 signature signs its address in."""
        key = "0x" + "42" * 32
        page = self._page_with_wallet(browser, key)
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="Connect wallet").click()
        page.wait_for_url("**/#/projects")
        expect(page.get_by_test_id("who")).to_have_attribute(
            "title", EthAccount.from_key(key).address
        )

    def test_refused_wallet_shows_the_reason(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """When the wallet refuses, the sign-in form says so and nobody is signed in."""
        page = self._page_with_wallet(browser, "0x" + "43" * 32, refuse=True)
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="Connect wallet").click()
        expect(page.get_by_role("alert")).to_contain_text("User rejected the request.")
        expect(page.get_by_test_id("who")).to_have_count(0)

    def test_checksum_matches_eth_utils(self, live_server: LiveServer, browser: Browser) -> None:
        """The page's EIP-55 checksum agrees with eth_utils on random addresses."""
        page, _ = new_page(browser)
        page.goto(live_server.url + "/")
        addresses = [EthAccount.create().address for _ in range(5)]
        found = page.evaluate(
            """async (addresses) => {
                const { checksumAddress } = await import("/static/keccak.js");
                return addresses.map((a) => checksumAddress(a.toLowerCase()));
            }""",
            addresses,
        )
        assert found == addresses
        assert found[0] != addresses[0].lower()


class TestExam:
    """A qualification exam grants the project's domain."""

    def test_passing_the_exam_opens_the_work(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """An annotator without the domain takes the exam, passes, then gets items."""
        owner = live_server.user("requester")
        spec = {
            "name": "exam-reviews",
            "schema": {"kind": "classification", "classes": ["pos", "neg"]},
            "domain": "reviews",
            "exam_size": 2,
            "exam_pass_rate": 1.0,
        }
        project = owner.api.post("/projects", json=spec).raise_for_status().json()
        rows = [
            {"id": "g1", "text": "Wonderful!", "gold": "pos"},
            {"id": "g2", "text": "Dreadful.", "gold": "neg"},
            {"id": "w1", "text": "Quite good."},
        ]
        body = "".join(json.dumps(row) + "\n" for row in rows).encode()
        owner.api.post(
            f"/projects/{project['id']}/items",
            files={"files": ("items.jsonl", body, "application/x-ndjson")},
        ).raise_for_status()
        owner.api.post(f"/projects/{project['id']}/status", json={"status": "active"})
        annotator = live_server.user("annotator")
        page, errors = new_page(browser)
        sign_in(page, live_server, annotator.token)
        page.get_by_role("link", name="Take the exam").click()
        page.get_by_role("button", name="Start the exam").click()
        expect(page.locator(".task")).to_have_count(2)
        for task in page.locator(".task").all():
            answer = "pos" if task.get_by_text("Wonderful!").count() else "neg"
            task.locator(f".choice[data-value={answer}]").click()
        shot(page, "13-exam")
        page.get_by_role("button", name="Send answers").click()
        expect(page.get_by_role("heading", name="Passed")).to_be_visible()
        shot(page, "14-exam-passed")
        assert "reviews" in annotator.api.get("/me").json()["domains"]
        page.get_by_role("link", name="Start labelling").click()
        expect(page.get_by_test_id("item-text")).to_have_text("Quite good.")
        assert errors == []

    def test_unanswered_question_is_named(self, live_server: LiveServer, browser: Browser) -> None:
        """Sending with a question unanswered names it and sends nothing."""
        owner = live_server.user("requester")
        spec = {
            "name": "exam-unanswered",
            "schema": {"kind": "classification", "classes": ["pos", "neg"]},
            "domain": "moods",
            "exam_size": 1,
        }
        project = owner.api.post("/projects", json=spec).raise_for_status().json()
        body = json.dumps({"id": "g1", "text": "Fine.", "gold": "pos"}).encode() + b"\n"
        owner.api.post(
            f"/projects/{project['id']}/items",
            files={"files": ("items.jsonl", body, "application/x-ndjson")},
        ).raise_for_status()
        owner.api.post(f"/projects/{project['id']}/status", json={"status": "active"})
        annotator = live_server.user("annotator")
        page, _ = new_page(browser)
        sign_in(page, live_server, annotator.token)
        page.goto(f"{live_server.url}/#/projects/{project['id']}/exam")
        page.get_by_role("button", name="Start the exam").click()
        page.get_by_role("button", name="Send answers").click()
        expect(page.get_by_role("alert")).to_have_text("Question 1 has no answer yet.")
        assert "moods" not in annotator.api.get("/me").json()["domains"]


class TestTokens:
    """The tokens page creates a token whose secret is shown once."""

    def test_new_token_signs_in(self, live_server: LiveServer, browser: Browser) -> None:
        """A token made on the page authenticates the API as its owner."""
        user = live_server.user("annotator")
        page, _ = new_page(browser)
        sign_in(page, live_server, user.token)
        page.get_by_role("link", name="Tokens").click()
        page.get_by_label("Name", exact=True).fill("script")
        page.get_by_role("button", name="Create token").click()
        secret = page.get_by_test_id("new-token").inner_text()
        shot(page, "15-tokens")
        me = live_server.api(secret).get("/me").json()
        assert me["address"] == user.address

    def test_blank_name_is_refused_at_the_field(
        self, live_server: LiveServer, browser: Browser
    ) -> None:
        """A blank name gets the API's error next to the name field."""
        user = live_server.user("annotator")
        page, _ = new_page(browser)
        sign_in(page, live_server, user.token)
        page.goto(f"{live_server.url}/#/tokens")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#name-error")).to_contain_text("name")
        assert user.api.get("/tokens").json()[-1]["name"] == "browser test"

"""The server hands the browser app out at / and /static, beside the API and /plain/."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from labelshare.api import create_app
from labelshare.config import load_settings
from labelshare.web import STATIC_DIR


class TestStaticFiles:
    """The web app is served without a build step."""

    def test_index_loads_the_app_module(self, fresh_database_url: str) -> None:
        """/ is the app's page, which loads /static/app.js as an ES module."""
        with TestClient(create_app(load_settings(database_url=fresh_database_url))) as client:
            page = client.get("/")
            script = client.get("/static/app.js")
            plain = client.get("/plain/")
            schema = client.get("/api/v1/openapi.json")
        assert page.status_code == 200
        assert '<script type="module" src="/static/app.js">' in page.text
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert plain.status_code == 200
        assert "/" not in schema.json()["paths"]

    def test_unknown_static_file_is_404(self, fresh_database_url: str) -> None:
        """A file that is not in the app answers 404, not the index page."""
        with TestClient(create_app(load_settings(database_url=fresh_database_url))) as client:
            response = client.get("/static/nope.js")
        assert response.status_code == 404

    def test_every_imported_module_exists(self) -> None:
        """Every relative import in the app's modules names a file that ships with it."""
        pattern = re.compile(r"""(?:from\s+|import\()\s*["'](\.{1,2}/[^"']+)["']""")
        for module in STATIC_DIR.rglob("*.js"):
            for target in pattern.findall(module.read_text()):
                assert (module.parent / target).resolve().is_file(), f"{module.name}: {target}"

    def test_a_missing_import_would_be_caught(self) -> None:
        """The import check finds a relative import of a file that is absent."""
        pattern = re.compile(r"""(?:from\s+|import\()\s*["'](\.{1,2}/[^"']+)["']""")
        (found,) = pattern.findall('import { x } from "./absent.js";')
        assert not (STATIC_DIR / found).resolve().is_file()

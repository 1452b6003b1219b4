"""The browser app: plain ES modules and CSS served by the API at ``/`` (no build step).

It talks to the server only through the public HTTP API under ``/api/v1``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["INDEX_HTML", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"
"""The folder served at ``/static``."""

INDEX_HTML = STATIC_DIR / "index.html"
"""The page served at ``/``; it loads ``/static/app.js``."""

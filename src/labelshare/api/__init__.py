"""The HTTP API (FastAPI) under ``/api/v1``, and the pages served beside it."""

from labelshare.api.app import create_app

__all__ = ["create_app"]

"""The app built from the environment's settings, for uvicorn's multi-worker mode."""

from labelshare.api.app import create_app
from labelshare.config import load_settings

app = create_app(load_settings())

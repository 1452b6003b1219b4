"""Routers, one per feature."""

"""Fixtures for the import/export tests: schemas and a file writer under tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from labelshare.schema import LabelSchema, parse_schema

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text to a file under tmp_path and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def jsonl(*records: Any) -> str:
    """JSON Lines text of the given records."""
    return "".join(json.dumps(record) + "\n" for record in records)


@pytest.fixture
def sentiment() -> LabelSchema:
    """A three-class classification schema."""
    return parse_schema({"kind": "classification", "classes": ["pos", "neg", "neu"]})


@pytest.fixture
def entities() -> LabelSchema:
    """A spans schema with PER and LOC tags."""
    return parse_schema({"kind": "spans", "tags": ["PER", "LOC"]})


@pytest.fixture
def detector() -> LabelSchema:
    """A bbox schema with cat and dog classes."""
    return parse_schema({"kind": "bbox", "classes": ["cat", "dog"]})

"""Schemathesis against the app's own OpenAPI spec: no input gives a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.api.conftest import Api, make_project

EXAMPLES_PER_OPERATION = 8


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(api: Api, mode: GenerationMode) -> None:
    """Every operation answers generated requests without a 5xx, as an admin with data."""
    admin, owner = api.actor("admin"), api.actor("requester")
    make_project(api, owner, items=3)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # our own spec loads cleanly

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case[Any]) -> None:
            response = case.call(headers=admin.headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        try:
            check()
        except Unsatisfiable:
            # Operations without parameters or body have no invalid input to generate.
            assert mode == GenerationMode.NEGATIVE
    assert not failures, "\n".join(failures)

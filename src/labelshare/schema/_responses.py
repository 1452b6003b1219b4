"""The item payload shared by the preference kinds: a prompt and its responses.

A preference item's payload is ``{"prompt": str, "responses": [response, ...]}``
where each response is either its text or an object with a string ``text`` (other
keys, such as ``model``, ride along: they name what produced the response, which the
global ranking of models uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import describe


def check_responses(
    payload: Mapping[str, Any], *, at_least: int, at_most: int | None = None
) -> int:
    """Check that a payload holds a prompt and ``at_least``..``at_most`` responses.

    Args:
        payload: the item's payload (already known to be an object).
        at_least: the fewest responses accepted.
        at_most: the most responses accepted, or None for no bound.

    Returns:
        The number of responses.

    Raises:
        InvalidLabel: ``payload.prompt`` is missing or not a string, ``payload.responses``
            is not a list of the right length, or an entry is neither a string nor an
            object with a string ``text`` (field ``payload.responses[i]``).
    """
    if "prompt" not in payload:
        raise InvalidLabel("payload.prompt", "is missing; a preference item needs its prompt")
    if not isinstance(payload["prompt"], str):
        raise InvalidLabel("payload.prompt", f"must be a string, got {describe(payload['prompt'])}")
    responses = payload.get("responses")
    if not isinstance(responses, list):
        raise InvalidLabel(
            "payload.responses", f"must be a list of responses, got {describe(responses)}"
        )
    count = len(responses)
    if count < at_least or (at_most is not None and count > at_most):
        wanted = f"exactly {at_least}" if at_most == at_least else f"at least {at_least}"
        if at_most is not None and at_most != at_least:
            wanted = f"{at_least} to {at_most}"
        raise InvalidLabel("payload.responses", f"must hold {wanted} responses, got {count}")
    for index, response in enumerate(responses):
        if isinstance(response, str):
            continue
        if not isinstance(response, Mapping) or not isinstance(response.get("text"), str):
            raise InvalidLabel(
                f"payload.responses[{index}]",
                f"must be a string or an object with a string text, got {describe(response)}",
            )
    return count

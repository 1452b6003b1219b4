"""canonical_json and value_sha256."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.schema import InvalidLabel, canonical_json, value_sha256

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


class TestCanonicalJson:
    def test_keys_sorted_no_whitespace_utf8(self) -> None:
        """Keys are sorted, separators have no spaces and non-ASCII text stays UTF-8."""
        assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()

    @given(json_values)
    def test_decoding_gives_the_value_back(self, value: object) -> None:
        """The canonical bytes decode to an equal value, and re-encoding is stable."""
        encoded = canonical_json(value)
        assert json.loads(encoded) == value
        assert canonical_json(json.loads(encoded)) == encoded

    @given(st.dictionaries(st.text(), st.integers(), min_size=2))
    def test_key_order_does_not_matter(self, value: dict[str, int]) -> None:
        """Two dicts with the same items in another order encode identically."""
        reversed_value = dict(reversed(list(value.items())))
        assert canonical_json(reversed_value) == canonical_json(value)

    def test_nan_is_refused(self) -> None:
        """NaN has no JSON form and is refused."""
        with pytest.raises(InvalidLabel, match=r"^value: cannot be encoded as JSON"):
            canonical_json([float("nan")])

    def test_non_json_objects_are_refused(self) -> None:
        """A set has no JSON form and is refused."""
        with pytest.raises(InvalidLabel, match=r"^value: cannot be encoded as JSON"):
            canonical_json({1, 2})


class TestValueSha256:
    def test_is_the_sha256_of_the_canonical_bytes(self) -> None:
        """value_sha256 is the hex SHA-256 of canonical_json."""
        assert value_sha256({"x": 1}) == hashlib.sha256(b'{"x":1}').hexdigest()

    def test_differs_for_different_values(self) -> None:
        """Two different values hash differently."""
        assert value_sha256(["a"]) != value_sha256(["b"])

"""The package's public names."""

from __future__ import annotations

import labelshare.schema


class TestExports:
    def test_all_names_exist_and_are_documented(self) -> None:
        """Every name in __all__ exists and carries a docstring."""
        for name in labelshare.schema.__all__:
            obj = getattr(labelshare.schema, name)
            assert name == "SCHEMA_KINDS" or obj.__doc__, name

    def test_all_lists_the_interface(self) -> None:
        """The interface other packages call is exported."""
        assert {
            "parse_schema",
            "LabelSchema",
            "InvalidSchema",
            "InvalidLabel",
            "canonical_json",
            "value_sha256",
        } <= set(labelshare.schema.__all__)

"""The structured package's public names."""

from __future__ import annotations

import labelshare.quality.structured as structured


class TestExports:
    def test_all_names_resolve(self) -> None:
        """Every name in __all__ exists and every public re-export is listed."""
        for name in structured.__all__:
            assert hasattr(structured, name), name
        public = {n for n in vars(structured) if not n.startswith("_")}
        modules = {n for n, v in vars(structured).items() if type(v).__name__ == "module"}
        assert public - modules == set(structured.__all__)

    def test_no_unlisted_public_name(self) -> None:
        """A name that is not exported is not reachable as a public attribute."""
        assert "encode_rows" not in structured.__all__
        assert not hasattr(structured, "encode_rows")

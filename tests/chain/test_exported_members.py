"""labelshare.chain exports exactly its public names."""

from __future__ import annotations

import labelshare.chain


class TestExports:
    def test_all_names_exist_and_are_documented(self) -> None:
        """Every name in __all__ is importable and carries a docstring."""
        for name in labelshare.chain.__all__:
            member = getattr(labelshare.chain, name)
            assert member.__doc__, name

    def test_no_public_name_is_left_out(self) -> None:
        """Every public attribute that is not a submodule is listed in __all__."""
        public = {
            name
            for name, value in vars(labelshare.chain).items()
            if not name.startswith("_") and type(value).__name__ != "module"
        }
        assert public == set(labelshare.chain.__all__)

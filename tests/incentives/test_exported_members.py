"""The public names of labelshare.incentives and labelshare.ledger."""

from __future__ import annotations

import types

import pytest

import labelshare.incentives
import labelshare.ledger


@pytest.mark.parametrize("package", [labelshare.incentives, labelshare.ledger])
class TestExportedMembers:
    def test_all_names_exist_and_are_documented(self, package: types.ModuleType) -> None:
        """Every name in __all__ exists and has a docstring (constants excepted)."""
        for name in package.__all__:
            member = getattr(package, name)
            if callable(member):
                assert member.__doc__, f"{package.__name__}.{name} has no docstring"

    def test_no_public_name_is_left_out(self, package: types.ModuleType) -> None:
        """Every public class and function the package imports is listed in __all__."""
        public = {
            name
            for name, member in vars(package).items()
            if not name.startswith("_") and not isinstance(member, types.ModuleType)
        }
        assert public == set(package.__all__)

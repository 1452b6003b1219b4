"""The public names of labelshare.quality.preference."""

from __future__ import annotations

import labelshare.quality.preference


class TestExportedMembers:
    def test_every_public_name_exists_and_is_documented(self) -> None:
        """Every name in __all__ exists and carries a docstring."""
        for name in labelshare.quality.preference.__all__:
            obj = getattr(labelshare.quality.preference, name)
            assert name == "OUTCOMES" or obj.__doc__, name

    def test_the_settlement_entry_point_is_exported(self) -> None:
        """preference_quality is part of the public API."""
        assert "preference_quality" in labelshare.quality.preference.__all__

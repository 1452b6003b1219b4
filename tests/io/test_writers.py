"""write_export: the format switch."""

from __future__ import annotations

import io

import pytest

from labelshare.errors import InvalidInput
from labelshare.io import EXPORT_FORMATS, ExportItem, write_export
from labelshare.schema import LabelSchema


class TestWriteExport:
    @pytest.mark.parametrize("export_format", ["jsonl", "csv", "labelstudio"])
    def test_every_format_counts_the_items_it_writes(
        self, sentiment: LabelSchema, export_format: str
    ) -> None:
        """Each format returns the number of items written and writes something."""
        items = (ExportItem(str(n), {"text": "t"}, None, ()) for n in range(3))
        out = io.StringIO(newline="")
        assert write_export(items, out, format=export_format, schema=sentiment) == 3
        assert out.getvalue()
        assert export_format in EXPORT_FORMATS

    def test_unknown_format_is_refused(self, sentiment: LabelSchema) -> None:
        """An unknown format is refused, naming the choices."""
        with pytest.raises(
            InvalidInput, match=r"unknown export format 'xml'; expected one of jsonl, csv"
        ):
            write_export([], io.StringIO(), format="xml", schema=sentiment)


class TestExports:
    def test_all_names_exist_and_are_documented(self) -> None:
        """Every name in labelshare.io.__all__ exists and carries a docstring."""
        import labelshare.io

        for name in labelshare.io.__all__:
            obj = getattr(labelshare.io, name)
            assert name.endswith("FORMATS") or obj.__doc__, name

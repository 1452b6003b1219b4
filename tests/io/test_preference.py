"""Preference import (prompt + responses) and the DPO / ranking / rubric / HF exports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from labelshare.errors import ImportFailed, InvalidInput
from labelshare.io.preference import (
    DpoExample,
    dpo_examples,
    dpo_rows,
    has_rationales,
    ranking_rows,
    read_preference_jsonl,
    rubric_rows,
    save_hf_dataset,
    write_jsonl_rows,
)
from labelshare.io.readers import read_items
from labelshare.io.records import AnnotationRecord, ExportItem
from labelshare.quality.preference import preference_quality
from labelshare.schema import parse_schema

from .conftest import WriteFile, jsonl

PAIRWISE = parse_schema({"kind": "pairwise"})
RANKING = parse_schema({"kind": "ranking"})


def _item(external_id: str, responses: list[Any], **payload: Any) -> ExportItem:
    return ExportItem(
        external_id,
        {"prompt": f"prompt {external_id}", "responses": responses, **payload},
        None,
        (),
    )


class TestReadPreferenceJsonl:
    def test_prompt_and_responses_become_the_payload(self, write_file: WriteFile) -> None:
        """Responses, extra keys and the prompt go to the payload; ids default to the line."""
        path = write_file(
            "p.jsonl",
            jsonl(
                {"id": "q1", "prompt": "hi", "responses": ["a", {"text": "b", "model": "m"}]},
                {"prompt": "yo", "responses": ["c", "d"], "source": "forum"},
            ),
        )
        items = list(read_preference_jsonl(path, schema=PAIRWISE))
        assert [item.external_id for item in items] == ["q1", "line-2"]
        assert items[0].payload == {"prompt": "hi", "responses": ["a", {"text": "b", "model": "m"}]}
        assert items[1].payload["source"] == "forum"
        assert items[0].gold is None

    def test_a_dpo_pair_becomes_responses_with_gold(self, write_file: WriteFile) -> None:
        """chosen/rejected become responses A and B with the gold choice A."""
        path = write_file(
            "p.jsonl", jsonl({"id": 7, "prompt": "p", "chosen": "c", "rejected": "r"})
        )
        (item,) = read_preference_jsonl(path, schema=PAIRWISE)
        assert item.payload == {"prompt": "p", "responses": ["c", "r"]}
        assert item.gold == {"choice": "A"}

    def test_rubric_items_carry_one_response(self, write_file: WriteFile) -> None:
        """A rubric item with a single response is read without a schema check of responses."""
        rubric = parse_schema({"kind": "rubric", "criteria": ["helpfulness"]})
        path = write_file("p.jsonl", jsonl({"id": "r", "prompt": "p", "response": "x"}))
        (item,) = read_preference_jsonl(path, schema=rubric)
        assert item.payload == {"prompt": "p", "response": "x"}

    @pytest.mark.parametrize(
        ("record", "message"),
        [
            ({"id": "a", "responses": ["x", "y"]}, r"^line 1: prompt must be a string"),
            ({"id": "a", "prompt": "p"}, r"^line 1: a preference item needs responses"),
            ({"id": "a", "prompt": "p", "chosen": "c", "rejected": 1}, r"rejected must be a str"),
            (
                {"id": "a", "prompt": "p", "chosen": "c", "rejected": "r", "responses": []},
                r"give either responses or chosen and rejected",
            ),
            ({"id": "a", "prompt": "p", "responses": ["x"]}, r"payload\.responses: must hold"),
            (
                {"id": "a", "prompt": "p", "responses": ["x", "y"], "gold": {"choice": "C"}},
                r"gold\.choice: 'C' is not",
            ),
        ],
    )
    def test_bad_lines_are_refused(
        self, write_file: WriteFile, record: dict[str, Any], message: str
    ) -> None:
        """Lines without a prompt, responses or a valid gold answer name the line."""
        path = write_file("p.jsonl", jsonl(record))
        with pytest.raises(ImportFailed, match=message):
            list(read_preference_jsonl(path, schema=PAIRWISE))

    def test_the_import_format_is_registered(self, write_file: WriteFile) -> None:
        """read_items with format "preference" reads DPO pairs."""
        path = write_file(
            "p.jsonl", jsonl({"id": 1, "prompt": "p", "chosen": "c", "rejected": "r"})
        )
        (item,) = read_items(path, format="preference", schema=PAIRWISE)
        assert item.gold == {"choice": "A"}

    def test_repeated_ids_are_refused(self, write_file: WriteFile) -> None:
        """An id seen on an earlier line is refused."""
        record = {"id": "a", "prompt": "p", "responses": ["x", "y"]}
        path = write_file("p.jsonl", jsonl(record, record))
        with pytest.raises(ImportFailed, match=r"^line 2: "):
            list(read_preference_jsonl(path))


class TestDpoExport:
    def test_confident_pairs_are_exported(self) -> None:
        """Pairs above the threshold give chosen/rejected; ties and doubtful pairs do not."""
        items = [_item("a", ["x", "y"]), _item("b", ["u", "v"]), _item("c", ["s", "t"])]
        posteriors = {
            ("a", 0, 1): [0.1, 0.9, 0.0],
            ("b", 0, 1): [0.55, 0.45, 0.0],
            ("c", 0, 1): [0.2, 0.1, 0.7],
        }
        examples = list(dpo_examples(items, posteriors, min_confidence=0.6))
        assert examples == [DpoExample("prompt a", "y", "x", "a", 0.9)]
        assert len(list(dpo_examples(items, posteriors, min_confidence=0.5))) == 2

    def test_rows_have_exactly_the_dpo_fields(self) -> None:
        """Without metadata a row holds prompt, chosen and rejected only."""
        out = io.StringIO()
        example = DpoExample("p", "c", "r", "a", 0.9)
        assert write_jsonl_rows(dpo_rows([example]), out) == 1
        assert json.loads(out.getvalue()) == {"prompt": "p", "chosen": "c", "rejected": "r"}
        (row,) = dpo_rows([example], with_metadata=True)
        assert row["confidence"] == 0.9

    def test_threshold_outside_unit_interval_is_refused(self) -> None:
        """A confidence threshold above 1 is refused, naming the option."""
        with pytest.raises(InvalidInput, match=r"min_confidence must be in \[0, 1\]"):
            list(dpo_examples([], {}, min_confidence=1.5))

    def test_aggregated_labels_flow_into_the_export(self) -> None:
        """Labels aggregated by preference_quality export the majority's choice."""
        items = [_item("a", ["good", "bad"])]
        quality = preference_quality(
            ["a", "a", "a"],
            ["w1", "w2", "w3"],
            [{"choice": "A"}, {"choice": "A"}, {"choice": "B"}],
        )
        posteriors = {
            (str(item), i, j): probas.tolist()
            for (item, i, j), probas in zip(quality.tasks, quality.task_probas, strict=True)
        }
        (example,) = dpo_examples(items, posteriors, min_confidence=0.5)
        assert (example.chosen, example.rejected) == ("good", "bad")


class TestRationales:
    def _item(self) -> ExportItem:
        annotations = (
            AnnotationRecord("w1", {"choice": "B", "rationale": "y cites a source"}),
            AnnotationRecord("w2", {"choice": "A", "rationale": "x is shorter"}),
            AnnotationRecord("w3", {"choice": "B", "strength": 3, "rationale": "y is right"}),
            AnnotationRecord("w4", {"choice": "B", "rationale": "  "}),
        )
        return ExportItem("a", {"prompt": "p", "responses": ["x", "y"]}, None, annotations)

    def test_examples_carry_the_agreeing_rationales(self) -> None:
        """The chosen response's rationales come along, in order; dissent and blanks do not."""
        (example,) = dpo_examples([self._item()], {("a", 0, 1): [0.1, 0.9]})
        assert example.chosen == "y"
        assert example.rationales == ("y cites a source", "y is right")

    def test_rows_get_a_rationales_list_only_when_asked(self) -> None:
        """With rationales every row has the list (empty if none); without, no such key."""
        examples = [
            DpoExample("p", "c", "r", "a", 0.9, ("because",)),
            DpoExample("q", "d", "s", "b", 0.8),
        ]
        rows = list(dpo_rows(examples, with_rationales=True))
        assert [row["rationales"] for row in rows] == [["because"], []]
        assert all("rationales" not in row for row in dpo_rows(examples))

    def test_only_real_rationales_count(self) -> None:
        """Blank rationales, rankings and values without one call for no rationales field."""
        assert has_rationales([{"choice": "A", "rationale": "clear"}])
        assert not has_rationales([{"choice": "A", "rationale": " "}, {"order": [1, 0]}, "A"])

    def test_rationales_load_as_a_data_set_column(self, tmp_path: Path) -> None:
        """A DPO export with rationales loads back with them as a list column."""
        datasets = pytest.importorskip("datasets")
        examples = [
            DpoExample("p", "c", "r", "a", 0.9),
            DpoExample("q", "d", "s", "b", 0.8, ("x",)),
        ]
        save_hf_dataset(dpo_rows(examples, with_rationales=True), tmp_path / "dpo", format="disk")
        loaded = datasets.load_from_disk(str(tmp_path / "dpo"))
        assert loaded.column_names == ["prompt", "chosen", "rejected", "rationales"]
        assert loaded["rationales"] == [[], ["x"]]


class TestRankingAndRubricRows:
    def test_ranking_orders_by_expected_wins(self) -> None:
        """Responses are listed best first by their expected wins."""
        items = [_item("q", ["r0", "r1", "r2"])]
        posteriors = {("q", 0, 1): [0.2, 0.8], ("q", 0, 2): [0.9, 0.1], ("q", 1, 2): [0.7, 0.3]}
        (row,) = ranking_rows(items, posteriors)
        assert row["ranking"] == [1, 0, 2]
        assert row["ranked_responses"] == ["r1", "r0", "r2"]
        assert row["confidence"] == pytest.approx(0.8)

    def test_items_without_posteriors_are_skipped(self) -> None:
        """An item no one labelled gives no ranking row."""
        assert list(ranking_rows([_item("q", ["a", "b"])], {})) == []

    def test_rubric_scores_are_averaged_per_criterion(self) -> None:
        """Each criterion's score is the mean over the item's annotations."""
        annotations = (
            AnnotationRecord("w1", {"helpful": 4, "honest": 5}),
            AnnotationRecord("w2", {"helpful": 2, "honest": 5}),
        )
        item = ExportItem("r", {"prompt": "p", "response": "x"}, None, annotations)
        (row,) = rubric_rows(
            [item, ExportItem("s", {"prompt": "p"}, None, ())], criteria=["helpful", "honest"]
        )
        assert row == {
            "id": "r",
            "prompt": "p",
            "response": "x",
            "scores": {"helpful": 3.0, "honest": 5.0},
            "n_annotations": 2,
            "aggregated": None,
            "confidence": None,
        }

    def test_rubric_rows_carry_the_aggregated_rubric(self) -> None:
        """Once aggregated, an item's rubric and its confidence ride along with the means."""
        annotations = (AnnotationRecord("w1", {"helpful": 4}),)
        aggregated = {"helpful": 3}
        item = ExportItem("r", {"prompt": "p", "response": "x"}, None, annotations, aggregated, 0.7)
        (row,) = rubric_rows([item], criteria=["helpful"])
        assert (row["aggregated"], row["confidence"]) == (aggregated, 0.7)


class TestHuggingFaceExport:
    def test_save_to_disk_loads_with_load_from_disk(self, tmp_path: Path) -> None:
        """A DPO export saved to disk loads back with datasets.load_from_disk."""
        datasets = pytest.importorskip("datasets")
        rows = list(
            dpo_rows([DpoExample("p", "c", "r", "a", 0.9), DpoExample("q", "d", "s", "b", 0.8)])
        )
        assert save_hf_dataset(rows, tmp_path / "dpo", format="disk") == 2
        loaded = datasets.load_from_disk(str(tmp_path / "dpo"))
        assert loaded.column_names == ["prompt", "chosen", "rejected"]
        assert loaded[1] == {"prompt": "q", "chosen": "d", "rejected": "s"}

    def test_parquet_loads_with_load_dataset(self, tmp_path: Path) -> None:
        """A ranking export written as Parquet loads with datasets.load_dataset."""
        datasets = pytest.importorskip("datasets")
        items = [_item("q", ["r0", "r1"])]
        rows = list(ranking_rows(items, {("q", 0, 1): [0.3, 0.7]}))
        path = tmp_path / "ranking.parquet"
        save_hf_dataset(rows, path, format="parquet")
        loaded = datasets.load_dataset(
            "parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache")
        )
        assert loaded[0]["ranking"] == [1, 0]
        assert loaded[0]["ranked_responses"] == ["r1", "r0"]

    @pytest.mark.parametrize(
        ("rows", "fmt", "message"),
        [
            ([{"a": 1}], "csv", r"unknown format 'csv'; expected one of disk, parquet"),
            ([], "disk", r"nothing to export: no rows"),
        ],
    )
    def test_bad_requests_are_refused(
        self, tmp_path: Path, rows: list[dict[str, Any]], fmt: str, message: str
    ) -> None:
        """Unknown formats and empty exports are refused."""
        with pytest.raises(InvalidInput, match=message):
            save_hf_dataset(rows, tmp_path / "x", format=fmt)

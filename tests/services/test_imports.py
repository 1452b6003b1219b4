"""Tests of importing items and labels into a project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelshare.core.ids import placeholder_address
from labelshare.errors import ImportFailed
from labelshare.services.imports import import_items, import_labels
from labelshare.store.media import MediaStore
from labelshare.store.models import Account, Annotation, Item
from tests.factories import make_project


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


class TestImportItems:
    def test_jsonl_with_gold(self, session: Session, tmp_path: Path) -> None:
        """Every line becomes an item; `gold` is kept apart from the payload."""
        project = make_project(session)
        path = _jsonl(
            tmp_path / "items.jsonl",
            [{"id": 1, "text": "great"}, {"id": "b", "text": "awful", "gold": "neg"}],
        )
        summary = import_items(session, project, path)
        assert summary.items == 2
        items = session.scalars(select(Item).order_by(Item.id)).all()
        assert [(i.external_id, i.payload, i.gold, i.is_gold) for i in items] == [
            ("1", {"text": "great"}, None, False),
            ("b", {"text": "awful"}, "neg", True),
        ]
        assert all(i.label_target == project.redundancy_min for i in items)

    def test_bad_gold_fails_with_line_and_stores_nothing(
        self, session: Session, tmp_path: Path
    ) -> None:
        """A gold value the schema rejects names its line; no item of the file is kept."""
        project = make_project(session)
        path = _jsonl(
            tmp_path / "items.jsonl",
            [{"id": n, "text": "t"} for n in range(6000)] + [{"id": "x", "gold": "meh"}],
        )
        with pytest.raises(ImportFailed, match=r"^line 6001: gold: "), session.begin_nested():
            import_items(session, project, path)
        assert _count(session, Item) == 0

    def test_duplicate_id_against_the_project(self, session: Session, tmp_path: Path) -> None:
        """Importing an id the project has already fails on that line."""
        project = make_project(session)
        import_items(session, project, _jsonl(tmp_path / "a.jsonl", [{"id": 1, "text": "x"}]))
        with pytest.raises(ImportFailed, match=r"^line 2: id '1' is already in project"):
            import_items(
                session,
                project,
                _jsonl(tmp_path / "b.jsonl", [{"id": 2, "text": "y"}, {"id": 1, "text": "z"}]),
            )

    def test_spans_payload_needs_text(self, session: Session, tmp_path: Path) -> None:
        """Items of a spans project must carry the text the spans point into."""
        project = make_project(session, schema={"kind": "spans", "tags": ["PER"]})
        with pytest.raises(ImportFailed, match=r"^line 1: payload.text"):
            import_items(session, project, _jsonl(tmp_path / "a.jsonl", [{"id": 1}]))

    def test_image_folder_is_stored_by_content(self, session: Session, tmp_path: Path) -> None:
        """Images land once in the media store and items point at their digest."""
        folder = tmp_path / "images"
        folder.mkdir()
        for name in ("a.png", "b.png"):
            Image.new("RGB", (40, 30), "red").save(folder / name)  # identical content
        project = make_project(session, schema={"kind": "bbox", "classes": ["car"]})
        media = MediaStore(tmp_path / "media")
        assert import_items(session, project, folder, media=media).items == 2
        items = session.scalars(select(Item).order_by(Item.external_id)).all()
        digests = {item.media_sha256 for item in items}
        assert len(digests) == 1
        (digest,) = digests
        assert digest is not None
        assert media.path_of(digest).is_file()
        assert items[0].payload["image"] == f"/media/{digest}"
        assert (items[0].payload["width"], items[0].payload["height"]) == (40, 30)

    def test_label_studio_keeps_annotations(self, session: Session, tmp_path: Path) -> None:
        """Label Studio tasks bring their annotations, as labels of imported accounts."""
        project = make_project(session)
        tasks = [
            {
                "id": 7,
                "data": {"text": "fine"},
                "annotations": [
                    {
                        "completed_by": 3,
                        "result": [
                            {
                                "from_name": "sentiment",
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": ["pos"]},
                            }
                        ],
                    }
                ],
            }
        ]
        path = tmp_path / "tasks.json"
        path.write_text(json.dumps(tasks))
        summary = import_items(session, project, path)
        assert (summary.items, summary.annotations, summary.accounts_created) == (1, 1, 1)
        annotation = session.scalars(select(Annotation)).one()
        assert annotation.value == "pos"
        item = session.get(Item, annotation.item_id)
        assert item is not None
        assert (item.n_labels, item.n_active) == (1, 1)


class TestImportLabels:
    def test_creates_items_and_placeholder_accounts(self, session: Session, tmp_path: Path) -> None:
        """Tasks become items, worker ids become imported accounts with derived addresses."""
        project = make_project(session, schema={"kind": "classification", "classes": ["0", "1"]})
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1,0\nw2,t1,1\nw1,t2,1\n")
        summary = import_labels(session, project, path)
        assert (summary.items, summary.annotations, summary.accounts_created) == (2, 3, 2)
        worker = session.scalars(select(Account).where(Account.external_id == "w1")).one()
        assert worker.is_imported
        assert worker.address == placeholder_address("w1")
        t1 = session.scalars(select(Item).where(Item.external_id == "t1")).one()
        assert t1.n_labels == 2

    def test_bad_label_fails_with_line(self, session: Session, tmp_path: Path) -> None:
        """A label outside the classes names its line; nothing is stored."""
        project = make_project(session, schema={"kind": "classification", "classes": ["0", "1"]})
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1,0\nw2,t1,7\n")
        with pytest.raises(ImportFailed, match=r"^line 3: "), session.begin_nested():
            import_labels(session, project, path)
        assert _count(session, Annotation) == 0

    def test_worker_twice_on_a_task(self, session: Session, tmp_path: Path) -> None:
        """The same worker labelling a task twice is refused, in one file or across two."""
        project = make_project(session, schema={"kind": "classification", "classes": ["0", "1"]})
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1,0\nw1,t1,1\n")
        with pytest.raises(ImportFailed, match=r"^line 3: worker 'w1' labels task 't1' again"):
            import_labels(session, project, path)
        path.write_text("worker,task,label\nw1,t1,0\n")
        import_labels(session, project, path)
        with pytest.raises(ImportFailed, match=r"^line 2: worker 'w1' has labelled task 't1'"):
            import_labels(session, project, path)

    def test_ratings_arrive_as_numbers(self, session: Session, tmp_path: Path) -> None:
        """CSV text is decoded for kinds whose values are not strings."""
        project = make_project(session, schema={"kind": "rating", "max_rating": 5})
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1,4\n")
        import_labels(session, project, path)
        assert session.scalars(select(Annotation.value)).one() == 4

    def test_real_benchmark_file(self, session: Session) -> None:
        """A public crowdsourcing set imports whole (skipped where it is not beside us)."""
        path = Path(__file__).parents[3] / "shared/benchmarks/aggregation/d_Duck_Identification"
        if not path.is_dir():
            pytest.skip("the shared benchmark data is not beside this checkout")
        project = make_project(session, schema={"kind": "classification", "classes": ["0", "1"]})
        summary = import_labels(session, project, path / "labels.csv")
        assert (summary.items, summary.annotations, summary.accounts_created) == (108, 4212, 39)

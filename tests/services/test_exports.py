"""Tests of exporting a project."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy.orm import Session

from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.exports import export_project
from labelshare.services.imports import import_items
from tests.factories import add_items, make_account, make_project


class TestExport:
    def test_jsonl_holds_current_labels_only(self, session: Session) -> None:
        """Each item appears once with its annotations, corrections applied."""
        project = make_project(session, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 2)
        annotator = make_account(session)
        lease = next_item(session, project, annotator)
        first = submit_annotation(session, project, annotator, item_id=lease.item.id, value="pos")
        submit_annotation(
            session,
            project,
            annotator,
            item_id=lease.item.id,
            value="neg",
            supersedes_id=first.id,
        )
        out = io.StringIO()
        assert export_project(session, project, out, format="jsonl") == 2
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        labelled = next(row for row in rows if row["annotations"])
        assert [a["value"] for a in labelled["annotations"]] == ["neg"]
        assert labelled["annotations"][0]["annotator"] == annotator.address

    def test_label_studio_round_trip(self, session: Session, tmp_path: Path) -> None:
        """Label Studio JSON imported and exported again keeps items and annotations."""
        project = make_project(session)
        tasks = [
            {
                "id": n,
                "data": {"text": f"review {n}"},
                "annotations": [
                    {
                        "completed_by": worker,
                        "result": [
                            {
                                "from_name": "sentiment",
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": [label]},
                            }
                        ],
                    }
                    for worker, label in ((1, "pos"), (2, "neg"))
                ],
            }
            for n in range(3)
        ]
        source = tmp_path / "tasks.json"
        source.write_text(json.dumps(tasks))
        import_items(session, project, source)
        out = io.StringIO()
        export_project(session, project, out, format="labelstudio")
        exported = json.loads(out.getvalue())
        assert [task["data"] for task in exported] == [task["data"] for task in tasks]
        for task in exported:
            labels = sorted(
                result["value"]["choices"][0]
                for annotation in task["annotations"]
                for result in annotation["result"]
            )
            assert labels == ["neg", "pos"]

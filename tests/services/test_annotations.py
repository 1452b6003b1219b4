"""Tests of label submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelshare.errors import (
    AlreadyAnnotated,
    Conflict,
    InvalidInput,
    LeaseExpired,
    UnknownAssignment,
    UnknownItem,
)
from labelshare.schema import value_sha256
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.redundancy import current_values
from labelshare.store.models import Annotation
from labelshare.store.types import utcnow
from tests.factories import add_items, make_account, make_project


def _leased(session: Session, **terms: object):  # type: ignore[no-untyped-def]
    project = make_project(session, **terms)
    add_items(session, project, 3)
    annotator = make_account(session)
    lease = next_item(session, project, annotator)
    return project, annotator, lease


class TestSubmit:
    def test_stores_the_canonical_value_and_hash(self, session: Session) -> None:
        """A valid label is stored with its hash, lead time and the lease marked done."""
        project, annotator, lease = _leased(session)
        annotation = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="neg", lead_time_ms=4200
        )
        assert annotation.value == "neg"
        assert annotation.value_sha256 == value_sha256("neg")
        assert annotation.lead_time_ms == 4200
        assert lease.assignment.status == "submitted"

    def test_invalid_value_names_the_field_and_stores_nothing(self, session: Session) -> None:
        """A value outside the schema is refused and leaves no row behind."""
        project, annotator, lease = _leased(session)
        with pytest.raises(InvalidInput, match="^value: ") as caught:
            submit_annotation(session, project, annotator, item_id=lease.item.id, value="meh")
        assert caught.value.field == "value"
        assert session.scalar(select(func.count()).select_from(Annotation)) == 0
        assert lease.assignment.status == "leased"

    def test_needs_a_lease(self, session: Session) -> None:
        """Labelling an item one was not given is refused."""
        project, annotator, lease = _leased(session)
        other_item = next(i for i in range(lease.item.id + 1, lease.item.id + 3))
        with pytest.raises(UnknownAssignment, match="not assigned to you"):
            submit_annotation(session, project, annotator, item_id=other_item, value="pos")

    def test_unknown_item(self, session: Session) -> None:
        """An item of another project (or none) is reported as unknown."""
        project, annotator, _ = _leased(session)
        with pytest.raises(UnknownItem, match="no item 999999"):
            submit_annotation(session, project, annotator, item_id=999_999, value="pos")

    def test_twice_is_refused(self, session: Session) -> None:
        """A second first-label for the same item is refused; corrections are the way."""
        project, annotator, lease = _leased(session)
        submit_annotation(session, project, annotator, item_id=lease.item.id, value="pos")
        with pytest.raises(AlreadyAnnotated, match="send a correction"):
            submit_annotation(session, project, annotator, item_id=lease.item.id, value="neg")

    def test_expired_and_reclaimed_lease(self, session: Session) -> None:
        """After the slot went to someone else, the late label is refused."""
        project = make_project(session, redundancy_min=1, redundancy_max=1)
        (item,) = add_items(session, project, 1)
        late, other = make_account(session), make_account(session)
        now = utcnow()
        next_item(session, project, late, lease_ttl_s=10, now=now)
        next_item(session, project, other, now=now + timedelta(seconds=11))
        with pytest.raises(LeaseExpired, match="is expired"):
            submit_annotation(session, project, late, item_id=item.id, value="pos")

    def test_bad_lead_time(self, session: Session) -> None:
        """A negative lead time is refused by name."""
        project, annotator, lease = _leased(session)
        with pytest.raises(InvalidInput, match="^lead_time_ms: -5"):
            submit_annotation(
                session, project, annotator, item_id=lease.item.id, value="pos", lead_time_ms=-5
            )

    def test_signature_required(self, session: Session) -> None:
        """Projects that require signatures refuse unsigned labels."""
        project, annotator, lease = _leased(session, requires_signature=True)
        with pytest.raises(InvalidInput, match="^signature: "):
            submit_annotation(session, project, annotator, item_id=lease.item.id, value="pos")


class TestIdempotency:
    def test_retry_returns_the_stored_annotation(self, session: Session) -> None:
        """The same key and value give back the first row; nothing is stored twice."""
        project, annotator, lease = _leased(session)
        first = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos", idempotency_key="k1"
        )
        again = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos", idempotency_key="k1"
        )
        assert again.id == first.id
        assert session.scalar(select(func.count()).select_from(Annotation)) == 1

    def test_key_reused_for_other_content(self, session: Session) -> None:
        """A key reused for a different value is a conflict, not a silent replay."""
        project, annotator, lease = _leased(session)
        submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos", idempotency_key="k1"
        )
        with pytest.raises(Conflict, match="used for a different annotation"):
            submit_annotation(
                session,
                project,
                annotator,
                item_id=lease.item.id,
                value="neg",
                idempotency_key="k1",
            )


class TestCorrections:
    def test_correction_supersedes_without_altering(self, session: Session) -> None:
        """A correction is a new row; the original stays as it was."""
        project, annotator, lease = _leased(session)
        original = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos"
        )
        fixed = submit_annotation(
            session,
            project,
            annotator,
            item_id=lease.item.id,
            value="neg",
            supersedes_id=original.id,
        )
        session.expire_all()
        assert session.get(Annotation, original.id).value == "pos"  # type: ignore[union-attr]
        assert fixed.supersedes_id == original.id
        assert current_values(session, lease.item.id) == ["neg"]

    def test_cannot_correct_someone_else(self, session: Session) -> None:
        """Only one's own annotation of the same item can be superseded."""
        project, annotator, lease = _leased(session)
        original = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos"
        )
        intruder = make_account(session)
        with pytest.raises(InvalidInput, match="^supersedes_id: .* is not your annotation"):
            submit_annotation(
                session,
                project,
                intruder,
                item_id=lease.item.id,
                value="neg",
                supersedes_id=original.id,
            )

    def test_cannot_correct_twice(self, session: Session) -> None:
        """A row is superseded once; later fixes supersede the correction."""
        project, annotator, lease = _leased(session)
        original = submit_annotation(
            session, project, annotator, item_id=lease.item.id, value="pos"
        )
        submit_annotation(
            session,
            project,
            annotator,
            item_id=lease.item.id,
            value="neg",
            supersedes_id=original.id,
        )
        with pytest.raises(Conflict, match="was corrected already"):
            submit_annotation(
                session,
                project,
                annotator,
                item_id=lease.item.id,
                value="neu",
                supersedes_id=original.id,
            )

"""A project's data: item uploads and listings, gold answers, statistics and exports."""

from __future__ import annotations

import contextlib
import io
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Annotated, Literal, TextIO, cast

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.routers.projects import ERRORS, After, PageSize, ProjectId
from labelshare.api.schemas.common import DEFAULT_PAGE_SIZE, Page
from labelshare.api.schemas.projects import GoldOut, GoldUpload, ImportOut, ItemOut, ProjectStatsOut
from labelshare.errors import InvalidInput
from labelshare.services.access import can_manage, managed_project, reviewable_project
from labelshare.services.exports import export_project
from labelshare.services.imports import import_items
from labelshare.services.items import list_items, set_gold
from labelshare.services.projects import get_project
from labelshare.services.reports import project_stats
from labelshare.store.media import MediaStore
from labelshare.store.session import unit_of_work

router = APIRouter(tags=["data"])
ImportFormat = Literal["jsonl", "csv", "images", "labelstudio"]
ExportFormat = Literal["jsonl", "csv", "labelstudio", "coco"]
_CHUNK_CHARS = 64 * 1024
_STALLED_CLIENT_S = 60.0
_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "labelstudio": ".json"}


def _save(upload: UploadFile, folder: FilePath, index: int) -> FilePath:
    name = FilePath(upload.filename or f"upload-{index}").name or f"upload-{index}"
    target = folder / name
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    return target


@router.post("/projects/{project_id}/items", status_code=201, responses=ERRORS)
def post_items(
    project_id: ProjectId,
    request: Request,
    session: SessionDep,
    account: AccountDep,
    files: Annotated[list[UploadFile], File(description="One JSONL/CSV/JSON file, or images")],
    format: Annotated[ImportFormat | None, Query()] = None,
) -> ImportOut:
    """Upload items: one JSONL, CSV or Label Studio file, or any number of images.

    All or nothing: a bad line stores nothing and the error names the line.
    """
    project = managed_project(session, account, project_id)
    media = MediaStore(request.app.state.settings.media_dir)
    with tempfile.TemporaryDirectory(prefix="labelshare-upload-") as tmp:
        folder = FilePath(tmp)
        saved = [_save(upload, folder, n) for n, upload in enumerate(files)]
        images = format == "images" or all(
            (upload.content_type or "").startswith("image/") for upload in files
        )
        chosen: str | None
        if images:
            path, chosen = folder, "images"
        elif len(saved) == 1:
            path, chosen = saved[0], format
            if format in _SUFFIX and path.suffix != _SUFFIX[format]:
                path = path.rename(path.with_suffix(_SUFFIX[format]))
        else:
            raise InvalidInput("files: send one data file, or images only", field="files")
        summary = import_items(session, project, path, format=chosen, media=media)
    return ImportOut(
        items=summary.items,
        annotations=summary.annotations,
        accounts_created=summary.accounts_created,
    )


@router.get("/projects/{project_id}/items", responses=ERRORS)
def get_items(
    project_id: ProjectId,
    session: SessionDep,
    account: AccountDep,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    after: After = 0,
    is_gold: bool | None = None,
    min_labels: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    max_labels: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    external_id: Annotated[str | None, Query(max_length=255)] = None,
) -> Page[ItemOut]:
    """The project's items (owner, admin or reviewer); gold only for owners and admins."""
    project = reviewable_project(session, account, project_id)
    owner = can_manage(account, project)
    if not owner and is_gold is not None:
        raise InvalidInput("is_gold: only the project's owner may filter by gold", field="is_gold")
    rows = list_items(
        session,
        project,
        after_id=after,
        limit=limit,
        is_gold=is_gold,
        min_labels=min_labels,
        max_labels=max_labels,
        external_id=external_id,
    )
    return Page[ItemOut](
        items=[
            ItemOut(
                id=item.id,
                external_id=item.external_id,
                payload=item.payload,
                is_gold=item.is_gold if owner else None,
                gold=item.gold if owner else None,
                n_labels=item.n_labels,
                label_target=item.label_target,
                inferred=item.inferred,
            )
            for item in rows
        ],
        next_after=rows[-1].id if len(rows) == limit else None,
    )


@router.post("/projects/{project_id}/gold", responses=ERRORS)
def post_gold(
    project_id: ProjectId, body: GoldUpload, session: SessionDep, account: AccountDep
) -> GoldOut:
    """Mark items (by external id) as gold with their answers (owner or admin)."""
    project = managed_project(session, account, project_id)
    return GoldOut(items=set_gold(session, project, body.gold))


@router.get("/projects/{project_id}/stats", responses=ERRORS)
def get_stats(project_id: ProjectId, session: SessionDep, account: AccountDep) -> ProjectStatsOut:
    """Progress, labels per item and agreement (owner, admin or reviewer)."""
    stats = project_stats(session, reviewable_project(session, account, project_id))
    progress = stats.progress
    return ProjectStatsOut(
        items=progress.items,
        gold_items=progress.gold_items,
        labels=progress.labels,
        items_done=progress.items_done,
        fraction_done=progress.fraction_done,
        labels_per_item={str(k): v for k, v in stats.labels_per_item.items()},
        agreement_alpha=stats.agreement_alpha,
        annotators=stats.annotators,
    )


class _ChunkWriter(io.TextIOBase):
    """A text stream that hands fixed-size chunks to a bounded queue."""

    def __init__(self, chunks: queue.Queue[bytes | BaseException | None]) -> None:
        self._chunks = chunks
        self._buffer: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._buffer.append(text)
        self._size += len(text)
        if self._size >= _CHUNK_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            # A client that stopped reading must not pin this export (and its database
            # snapshot) forever.
            self._chunks.put("".join(self._buffer).encode(), timeout=_STALLED_CLIENT_S)
            self._buffer, self._size = [], 0


def _stream_export(
    sessions: sessionmaker[Session], project_id: int, format: str
) -> Iterator[bytes]:
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=32)

    def produce() -> None:
        try:
            with unit_of_work(sessions) as session:
                writer = _ChunkWriter(chunks)
                export_project(
                    session,
                    get_project(session, project_id),
                    cast(TextIO, writer),  # a TextIOBase: the write/flush TextIO needs
                    format=format,
                )
                writer.flush()
            chunks.put(None, timeout=_STALLED_CLIENT_S)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            with contextlib.suppress(queue.Full):
                chunks.put(exc, timeout=_STALLED_CLIENT_S)

    threading.Thread(target=produce, name="export", daemon=True).start()
    first = chunks.get()
    if isinstance(first, BaseException):
        raise first

    def rest() -> Iterator[bytes]:
        chunk: bytes | BaseException | None = first
        while chunk is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
            chunk = chunks.get()

    return rest()


@router.get(
    "/projects/{project_id}/export",
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
    response_class=StreamingResponse,
)
def get_export(
    project_id: ProjectId,
    request: Request,
    session: SessionDep,
    account: AccountDep,
    format: ExportFormat = "jsonl",
) -> StreamingResponse:
    """Stream every item with its labels in ``format`` (owner or admin)."""
    project = managed_project(session, account, project_id)
    session.commit()  # the export reads in its own transaction; free this one now
    body = _stream_export(request.app.state.read_sessions, project.id, format)
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    if format in ("labelstudio", "coco"):
        media = "application/json"
    filename = f"project-{project.id}.{'json' if format in ('labelstudio', 'coco') else format}"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

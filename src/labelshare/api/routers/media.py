"""Uploaded media files (item images), served to callers who may see an item using them.

Item payloads point at ``/media/<sha256>``; browsers fetch these with ``<img>`` tags,
which send the session cookie, and scripts with their bearer token. A file is served
only if the caller may see a project with an item that uses it; otherwise, as for a
digest never stored, the answer is 404, so nobody learns which files exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.schemas.common import ErrorBody
from labelshare.errors import NotFound
from labelshare.services.access import visible_media
from labelshare.store.media import MediaStore

router = APIRouter(tags=["media"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 404, 422, 429)
}
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="hex sha256 of the file")]

# Files come from uploads: never let a browser run one (an SVG with a script, an HTML
# file named .png) as a page of this origin.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    # Content-addressed: the bytes behind a digest never change.
    "Cache-Control": "private, max-age=31536000, immutable",
}


@router.get(
    "/media/{sha256}",
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
    response_class=FileResponse,
)
def get_media(
    sha256: Sha256, request: Request, session: SessionDep, account: AccountDep
) -> FileResponse:
    """The file with this digest, with its stored content type.

    Raises:
        NotFound: if no project the caller may see has an item using the file, or the
            file is missing from the media folder.
    """
    media = visible_media(session, account, sha256)
    path = MediaStore(request.app.state.settings.media_dir).path_of(media.sha256)
    if not path.is_file():
        raise NotFound(f"sha256: the file of media {sha256} is missing from the media folder")
    return FileResponse(path, media_type=media.content_type, headers=SAFE_HEADERS)

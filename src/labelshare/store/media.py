"""Media files stored once, by the sha256 of their content."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

_CHUNK_BYTES = 1 << 20


class MediaStore:
    """A folder of files named by their sha256 (``ab/abcdef…``), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the file with this digest lives (whether or not it exists)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"sha256: {sha256!r} is not a hex sha256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, source: Path) -> tuple[str, int, str]:
        """Copy ``source`` in unless its content is stored already.

        Returns:
            (sha256 hex digest, size in bytes, guessed content type).
        """
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        target = self.path_of(sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Copy to a temporary name and rename, so a crash never leaves a partial file
            # under a name that claims to be a complete digest.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            os.close(fd)
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        return sha256, size, content_type

"""A folder of images: each image file becomes an item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from labelshare.errors import ImportFailed
from labelshare.io._item_fields import check_payload
from labelshare.io.records import ItemRecord
from labelshare.schema import LabelSchema

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
"""File name endings read as images (compared in lower case)."""


def image_files(root: Path) -> list[Path]:
    """List the image files under a folder, recursively, in a fixed order.

    Hidden files and folders (names starting with ``.``) are left out.

    Args:
        root: the folder.

    Returns:
        The files sorted by their path relative to ``root`` (POSIX form).
    """
    found = [
        path
        for path in root.rglob("*")
        if path.suffix.lower() in IMAGE_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def read_image_folder(root: Path, *, schema: LabelSchema | None = None) -> Iterator[ItemRecord]:
    """Read every image under a folder as an item.

    The external id and ``payload["image"]`` are the path relative to the folder;
    ``payload["width"]`` and ``["height"]`` come from the image header (Pillow reads
    no pixels); ``media_path`` is the absolute path, for the service to store the
    file content-addressed (it then rewrites ``payload["image"]``).

    Args:
        root: the folder.
        schema: the project's schema; when given, each payload is checked against it.

    Yields:
        One ``ItemRecord`` per image, in sorted path order.

    Raises:
        ImportFailed: the folder does not exist or an image cannot be read (the message
            names the file).
    """
    if not root.is_dir():
        raise ImportFailed(f"{root} is not a folder")
    for path in image_files(root):
        relative = path.relative_to(root).as_posix()
        try:
            with Image.open(path) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError) as exc:
            raise ImportFailed(f"{relative}: cannot read the image ({exc})", field="image") from exc
        payload = {"image": relative, "width": width, "height": height}
        check_payload(schema, payload, line=None)
        yield ItemRecord(relative, payload, media_path=path.resolve())

"""Reading a folder of images."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from labelshare.errors import ImportFailed
from labelshare.io import read_items
from labelshare.schema import LabelSchema


def save_image(path: Path, size: tuple[int, int], image_format: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path, format=image_format)


class TestReadImageFolder:
    def test_images_become_items_in_sorted_order(
        self, tmp_path: Path, detector: LabelSchema
    ) -> None:
        """Each image gives an item with its relative path, size and absolute media path."""
        save_image(tmp_path / "b.png", (4, 3), "PNG")
        save_image(tmp_path / "sub" / "a.JPG", (2, 5), "JPEG")
        save_image(tmp_path / "a.webp", (6, 7), "WEBP")
        (tmp_path / "notes.txt").write_text("not an image")
        save_image(tmp_path / ".hidden" / "c.png", (1, 1), "PNG")
        items = list(read_items(tmp_path, schema=detector))
        assert [item.external_id for item in items] == ["a.webp", "b.png", "sub/a.JPG"]
        assert items[2].payload == {"image": "sub/a.JPG", "width": 2, "height": 5}
        assert items[2].media_path == (tmp_path / "sub" / "a.JPG").resolve()

    def test_unreadable_image_names_the_file(self, tmp_path: Path) -> None:
        """A .png that is not an image fails naming the file."""
        (tmp_path / "broken.png").write_bytes(b"not a png")
        with pytest.raises(ImportFailed, match=r"^broken\.png: cannot read the image"):
            list(read_items(tmp_path, format="images"))

    def test_missing_folder_is_refused(self, tmp_path: Path) -> None:
        """Reading images from a folder that does not exist fails."""
        with pytest.raises(ImportFailed, match=r"is not a folder"):
            list(read_items(tmp_path / "nope", format="images"))

    def test_schema_needing_text_refuses_images(
        self, tmp_path: Path, entities: LabelSchema
    ) -> None:
        """A spans project cannot import images: the payload has no text."""
        save_image(tmp_path / "a.png", (2, 2), "PNG")
        with pytest.raises(ImportFailed, match=r"^payload\.text: is missing"):
            list(read_items(tmp_path, schema=entities))

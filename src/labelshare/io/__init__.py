"""Import and export formats: pure, streaming, no database.

Readers yield ``ItemRecord`` / ``LabelRecord`` one at a time and raise
``labelshare.errors.ImportFailed`` (with the line and the reason) at the first
malformed record; the caller stores them in one transaction, so a bad file imports
nothing. Writers take ``ExportItem`` and stream them to a text file.

Import formats: JSON Lines, CSV, a folder of images, Label Studio task JSON; plus
``worker,task,label`` CSV of existing crowd labels. Export formats: JSON Lines, CSV,
Label Studio JSON, COCO (bbox projects).
"""

from __future__ import annotations

from labelshare.io.labels_csv import read_labels_csv
from labelshare.io.labelstudio_config import labelstudio_config
from labelshare.io.readers import IMPORT_FORMATS, detect_format, read_items
from labelshare.io.records import AnnotationRecord, ExportItem, ItemRecord, LabelRecord
from labelshare.io.writers import EXPORT_FORMATS, write_export

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "AnnotationRecord",
    "ExportItem",
    "ItemRecord",
    "LabelRecord",
    "detect_format",
    "labelstudio_config",
    "read_items",
    "read_labels_csv",
    "write_export",
]

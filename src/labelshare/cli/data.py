"""Moving data in and out: ``import``, ``labels import``, ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labelshare.cli._context import ErrorReportingGroup, console, context, progress_bar

labels_app = typer.Typer(help="Import existing labels.", cls=ErrorReportingGroup)


def _count_lines(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def import_items(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
    file: Annotated[
        Path, typer.Argument(help="JSONL, CSV, Label Studio JSON, or a folder of images.")
    ],
    format: Annotated[
        str | None,
        typer.Option(help="jsonl, csv, labelstudio or images (default: from the file name)."),
    ] = None,
) -> None:
    """Import items (and any labels they carry) into a project, all or nothing."""
    from labelshare.services.imports import import_items as run_import
    from labelshare.services.projects import get_project
    from labelshare.store.media import MediaStore

    cli = context(ctx)
    if not file.exists():
        raise typer.BadParameter(f"{file} does not exist", param_hint="FILE")
    total = _count_lines(file) if format != "labelstudio" and file.suffix != ".json" else None
    with cli.session() as session, progress_bar(f"importing {file.name}", total) as advance:
        target = get_project(session, project)
        summary = run_import(
            session,
            target,
            file,
            format=format,
            media=MediaStore(cli.settings.media_dir),
            progress=advance,
        )
    console.print(
        f"imported {summary.items} items and {summary.annotations} labels into {project}"
        + (f" ({summary.accounts_created} new annotators)" if summary.accounts_created else "")
    )


@labels_app.command("import")
def import_labels(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
    file: Annotated[Path, typer.Argument(help="CSV with the header worker,task,label.")],
) -> None:
    """Import existing labels from a worker,task,label CSV, all or nothing."""
    from labelshare.services.imports import import_labels as run_import
    from labelshare.services.projects import get_project

    if not file.is_file():
        raise typer.BadParameter(f"{file} is not a file", param_hint="FILE")
    total = _count_lines(file)
    with (
        context(ctx).session() as session,
        progress_bar(f"importing {file.name}", max((total or 1) - 1, 0)) as advance,
    ):
        summary = run_import(session, get_project(session, project), file, progress=advance)
    console.print(
        f"imported {summary.annotations} labels on {summary.items} new items "
        f"({summary.accounts_created} new annotators)"
    )


def export(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name or id.")],
    out: Annotated[Path, typer.Argument(help="File to write ('-' for standard output).")],
    format: Annotated[
        str | None,
        typer.Option(help="jsonl, csv, labelstudio or coco (default: from the file name)."),
    ] = None,
) -> None:
    """Export a project's items with their labels."""
    import sys

    from labelshare.services.exports import export_project
    from labelshare.services.projects import get_project

    chosen = format or {".csv": "csv", ".json": "labelstudio"}.get(out.suffix, "jsonl")
    with context(ctx).session(read_only=True) as session:
        target = get_project(session, project)
        if str(out) == "-":
            export_project(session, target, sys.stdout, format=chosen)
            return
        tmp = out.with_name(out.name + ".partial")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            count = export_project(session, target, handle, format=chosen)
        tmp.replace(out)
    console.print(f"exported {count} items to {out} ({chosen})")

"""``labelshare project ...``: create, list, show and change projects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from labelshare.cli._context import ErrorReportingGroup, console, context
from labelshare.errors import InvalidInput

app = typer.Typer(help="Create, list, show and change projects.", cls=ErrorReportingGroup)


def _read_json(path: Path, field: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{field}: cannot read {path}: {exc.strerror}", field=field) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{field}: {path} is not JSON (line {exc.lineno}: {exc.msg})", field=field
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{field}: {path} must hold a JSON object", field=field)
    return data


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    schema: Annotated[Path, typer.Option(help="Label schema JSON file.")],
    instructions: Annotated[
        Path | None, typer.Option(help="Markdown file with instructions.")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Expertise domain annotators need.")] = None,
    redundancy_min: Annotated[int, typer.Option(help="Labels every item gets.")] = 3,
    redundancy_max: Annotated[int, typer.Option(help="Labels where annotators disagree.")] = 5,
    gold_rate: Annotated[float, typer.Option(help="Share of requests served a gold item.")] = 0.1,
    reward: Annotated[
        str, typer.Option(help="Reward per label in tokens ('0.05') or base units ('5wei').")
    ] = "0",
    budget: Annotated[str, typer.Option(help="Budget in tokens or base units.")] = "0",
    royalty_bps: Annotated[
        int, typer.Option(help="Annotators' share of dataset royalties, in basis points.")
    ] = 7_000,
    owner: Annotated[
        str | None, typer.Option(help="Requester address (default: the local operator).")
    ] = None,
    public: Annotated[bool, typer.Option(help="Visible to every requester.")] = False,
    require_signature: Annotated[
        bool, typer.Option(help="Require EIP-712 signatures on labels.")
    ] = False,
    activate: Annotated[bool, typer.Option(help="Open it for labelling at once.")] = False,
) -> None:
    """Create a project from a label schema file."""
    from labelshare.services.accounts import ensure_account, local_operator
    from labelshare.services.projects import create_project, set_project_status

    spec = {
        "name": name,
        "schema": _read_json(schema, "schema"),
        "instructions": instructions.read_text(encoding="utf-8") if instructions else "",
        "domain": domain,
        "redundancy_min": redundancy_min,
        "redundancy_max": redundancy_max,
        "gold_rate": gold_rate,
        "reward_per_label": reward,
        "budget": budget,
        "royalty_share_bps": royalty_bps,
        "is_public": public,
        "requires_signature": require_signature,
    }
    with context(ctx).session() as session:
        requester = (
            ensure_account(session, owner, roles=["requester"])
            if owner
            else local_operator(session)
        )
        project = create_project(session, requester, spec)
        if activate:
            set_project_status(session, project, "active")
        console.print(
            f"created project [bold]{project.name}[/] (id {project.id}, {project.status})"
        )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List every project."""
    from labelshare.services.projects import list_projects
    from labelshare.services.stats import project_progress

    with context(ctx).session() as session:
        table = Table("id", "name", "kind", "status", "items", "labels", "done")
        for project in list_projects(session):
            progress = project_progress(session, project)
            table.add_row(
                str(project.id),
                project.name,
                str(project.label_schema["kind"]),
                project.status,
                str(progress.items),
                str(progress.labels),
                f"{progress.fraction_done:.0%}",
            )
        console.print(table)


@app.command("show")
def show(ctx: typer.Context, name: str) -> None:
    """Show a project's terms and progress."""
    from labelshare.core.money import format_token_amount
    from labelshare.services.projects import get_project
    from labelshare.services.stats import project_progress

    with context(ctx).session() as session:
        project = get_project(session, name)
        progress = project_progress(session, project)
        table = Table(show_header=False, box=None)
        rows = {
            "id": project.id,
            "name": project.name,
            "status": project.status,
            "schema": json.dumps(project.label_schema),
            "domain": project.domain or "(any)",
            "redundancy": f"{project.redundancy_min}..{project.redundancy_max}",
            "gold rate": project.gold_rate,
            "reward per label": format_token_amount(project.reward_per_label),
            "budget": format_token_amount(project.budget),
            "annotators' royalty share": f"{project.royalty_share_bps / 100:g}%",
            "items": f"{progress.items} ({progress.gold_items} gold)",
            "labels": progress.labels,
            "items done": f"{progress.items_done} ({progress.fraction_done:.0%})",
        }
        for key, value in rows.items():
            table.add_row(f"[bold]{key}[/]", str(value))
        console.print(table)


def _status_command(command_name: str, target: str, verb: str) -> None:
    def command(ctx: typer.Context, name: str) -> None:
        from labelshare.services.projects import get_project, set_project_status

        with context(ctx).session() as session:
            project = set_project_status(session, get_project(session, name), target)
            console.print(f"project [bold]{project.name}[/] is {project.status}")

    command.__doc__ = f"{verb} a project."
    app.command(command_name)(command)


_status_command("activate", "active", "Open (or resume)")
_status_command("pause", "paused", "Pause")
_status_command("close", "closed", "Close")

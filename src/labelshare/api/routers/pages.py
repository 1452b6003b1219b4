"""The HTML page at ``/``: the list of projects, rendered on the server."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from labelshare.api.deps import SessionDep
from labelshare.core.statuses import ProjectStatus
from labelshare.services.projects import list_projects
from labelshare.services.stats import project_progress

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>labelshare</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
        padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
.empty {{ color: #666; }}
</style></head>
<body><h1>labelshare</h1>
<p>Projects on this server. The API is described at <a href="/docs">/docs</a>.</p>
{body}
</body></html>"""


@router.get("/", response_class=HTMLResponse)
def index(session: SessionDep) -> str:
    """List every project with its kind, status and progress."""
    rows = []
    for project in list_projects(session):
        # Anyone may sign in as an annotator and see open projects; drafts and closed
        # projects stay with their owners.
        if project.status not in (ProjectStatus.ACTIVE, ProjectStatus.PAUSED):
            continue
        progress = project_progress(session, project)
        rows.append(
            "<tr>"
            f"<td>{escape(project.name)}</td>"
            f"<td>{escape(str(project.label_schema.get('kind')))}</td>"
            f"<td>{escape(project.status)}</td>"
            f"<td>{progress.items}</td><td>{progress.labels}</td>"
            f"<td>{progress.fraction_done:.0%}</td>"
            "</tr>"
        )
    if rows:
        body = (
            "<table><thead><tr><th>project</th><th>kind</th><th>status</th><th>items</th>"
            "<th>labels</th><th>done</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    else:
        body = (
            '<p class="empty">No projects yet: create one with '
            "<code>labelshare project create</code>.</p>"
        )
    return _PAGE.format(body=body)

"""``create_app(settings)``: the ASGI application; the database opens in its lifespan."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from labelshare.config import Settings
from labelshare.web import INDEX_HTML, STATIC_DIR

API_PREFIX = "/api/v1"
SWITCH_INTERVAL_S = 0.0005


def create_app(settings: Settings) -> FastAPI:
    """Build the application for ``settings``; nothing connects until it starts."""
    from labelshare.api.errors import install_error_handlers
    from labelshare.api.limits import BodySizeLimit, RateLimiter, TokenCache
    from labelshare.api.routers import (
        auth,
        data,
        exams,
        insights,
        media,
        pages,
        preference,
        projects,
        settlement,
        work,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from labelshare.services.ingest import GroupCommitWriter
        from labelshare.store.migrate import ensure_current
        from labelshare.store.session import make_engine, make_sessionmaker

        engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        ensure_current(engine)
        app.state.sessions = make_sessionmaker(engine)
        app.state.read_sessions = make_sessionmaker(engine, read_only=True)
        app.state.writer = GroupCommitWriter(app.state.sessions)
        app.state.writer.start()
        # The label writer thread and the event loop share the GIL; at the default 5 ms
        # switch interval each hand-over stalls the loop (a convoy), so hand over sooner.
        previous_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        try:
            yield
        finally:
            sys.setswitchinterval(previous_interval)
            app.state.writer.stop()
            engine.dispose()

    app = FastAPI(
        title="labelshare",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_s)
    app.state.sign_in_limiter = RateLimiter(
        settings.auth_rate_limit_per_min / 60, burst=settings.auth_rate_limit_per_min
    )
    app.state.token_cache = TokenCache()
    install_error_handlers(app)
    # Routes are matched in order: the labelling endpoints, called most, come first.
    for router in (work.router, auth.router, projects.router, data.router, exams.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(settlement.router, prefix=API_PREFIX)
    app.include_router(insights.router, prefix=API_PREFIX)
    app.include_router(preference.router, prefix=API_PREFIX)
    app.include_router(media.router)
    # The browser app (labelshare.web) at / and /static; the server-rendered project
    # list stays at /plain/ for browsers without JavaScript.
    app.include_router(pages.router, prefix="/plain")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/", lambda: FileResponse(INDEX_HTML), include_in_schema=False)
    app.add_middleware(BodySizeLimit)
    return app

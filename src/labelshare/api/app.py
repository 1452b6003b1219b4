"""``create_app(settings)``: the ASGI application; the database opens in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from labelshare.config import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the application for ``settings``; nothing connects until it starts."""
    from labelshare.api.errors import install_error_handlers
    from labelshare.api.routers import pages, projects

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from labelshare.store.migrate import ensure_current
        from labelshare.store.session import make_engine, make_sessionmaker

        engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        ensure_current(engine)
        app.state.sessions = make_sessionmaker(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="labelshare",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(projects.router, prefix="/api/v1")
    app.include_router(pages.router)
    return app

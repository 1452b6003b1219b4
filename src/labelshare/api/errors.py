"""One table from error class to HTTP status, and one handler that renders them all."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from labelshare import errors

STATUS_BY_ERROR: dict[type[errors.LabelshareError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Forbidden: 403,
    errors.Unauthenticated: 401,
    errors.NoWorkAvailable: 404,
    errors.LeaseExpired: 409,
    errors.SettlementError: 409,
}


def status_of(exc: errors.LabelshareError) -> int:
    """The status of the nearest listed ancestor class of ``exc`` (500 if none)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Render every ``LabelshareError`` as ``{"error": ClassName, "detail": message}``."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.LabelshareError)  # registered for this class only
        body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
        field = getattr(exc, "field", None)
        if field is not None:
            body["field"] = field
        return JSONResponse(body, status_code=status_of(exc))

    app.add_exception_handler(errors.LabelshareError, handle)

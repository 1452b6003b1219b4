"""One table from error class to HTTP status, and handlers that render every error alike.

Every error body is ``{"error": ClassName, "detail": message, "field"?: dotted.path}``:
domain errors, request validation (pydantic) and Starlette's own HTTP errors.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from labelshare import errors
from labelshare.api.limits import RateLimited, RequestTooLarge
from labelshare.core.validation import field_path

STATUS_BY_ERROR: dict[type[errors.LabelshareError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Forbidden: 403,
    errors.Unauthenticated: 401,
    errors.NoWorkAvailable: 404,
    errors.LeaseExpired: 409,
    errors.SettlementError: 409,
    RateLimited: 429,
    RequestTooLarge: 413,
}

_NAME_BY_STATUS = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "RequestTooLarge",
    415: "UnsupportedMediaType",
}


def status_of(exc: errors.LabelshareError) -> int:
    """The status of the nearest listed ancestor class of ``exc`` (500 if none)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def _body(error: str, detail: str, field: str | None) -> dict[str, object]:
    body: dict[str, object] = {"error": error, "detail": detail}
    if field is not None:
        body["field"] = field
    return body


def install_error_handlers(app: FastAPI) -> None:
    """Render domain, validation and HTTP errors as one JSON shape."""

    async def domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.LabelshareError)  # registered for this class only
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        return JSONResponse(
            _body(type(exc).__name__, str(exc), getattr(exc, "field", None)),
            status_code=status_of(exc),
            headers=headers,
        )

    async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)  # registered for this class only
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        # Drop FastAPI's leading "body"/"query"/"path"/"header" so fields read as sent.
        if len(loc) > 1 and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        field = field_path(loc)
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return JSONResponse(
            _body(errors.InvalidInput.__name__, f"{field}: {message}", field), status_code=422
        )

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)  # registered for this class only
        name = _NAME_BY_STATUS.get(exc.status_code, "HTTPError")
        return JSONResponse(
            _body(name, str(exc.detail), None),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(errors.LabelshareError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)

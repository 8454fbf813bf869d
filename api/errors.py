"""The one place where kambot errors become HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kambot import errors as e

STATUS: list[tuple[type[e.KambotError], int]] = [
    (e.ConflictError, 409),
    (e.UnsupportedMediaTypeError, 415),
    (e.AuthenticationError, 401),
    (e.RateLimitedError, 429),
    (e.NotFoundError, 404),
    (e.PermissionDeniedError, 403),
    (e.LimitExceededError, 413),
    (e.ImportRejectedError, 422),
    (e.DataError, 422),
    (e.ConfigError, 500),
    (e.ModelTimeoutError, 504),
    (e.ModelError, 503),
    (e.RetrievalError, 503),
    (e.StoreError, 503),
    (e.GroundingError, 422),
]


def status_for(exc: e.KambotError) -> int:
    """Return the HTTP status for a kambot error (most specific class first)."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def install_error_handler(app: FastAPI) -> None:
    """Map every KambotError to a JSON body ``{error, message, hint, details}``."""
    from fastapi.encoders import jsonable_encoder

    async def _handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, e.KambotError)
        try:
            details = jsonable_encoder(exc.details)
        except (TypeError, ValueError):
            details = {}
        body = {"error": exc.code, "message": exc.message, "hint": exc.hint, "details": details}
        return JSONResponse(status_code=status_for(exc), content=body)

    app.add_exception_handler(e.KambotError, _handle)

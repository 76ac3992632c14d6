"""One shape for every error the service returns: what went wrong and where."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def error_response(status: int, message: str, **where: Any) -> JSONResponse:
    """A JSON error body: `error` says what, the other keys say where (line, column, parameter...)."""
    body: dict[str, Any] = {"error": message}
    body.update({k: v for k, v in where.items() if v is not None})
    return JSONResponse(body, status_code=status)

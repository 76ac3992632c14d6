"""One shape for every error the service returns: what went wrong and where."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from graphsvc.answers import BudgetExceeded, QueryOutOfMemory, QueryTimeout


def error_response(status: int, message: str, **where: Any) -> JSONResponse:
    """A JSON error body: `error` says what, the other keys say where (line, column, parameter...)."""
    body: dict[str, Any] = {"error": message}
    body.update({k: v for k, v in where.items() if v is not None})
    return JSONResponse(body, status_code=status)


def budget_response(exc: BudgetExceeded) -> JSONResponse:
    """503 for a query a limit stopped (time, memory) or kept waiting (no free query process);
    only the last is worth retrying, and it says when in `Retry-After`."""
    where: dict[str, Any] = {}
    if isinstance(exc, QueryTimeout):
        where["timeout_s"] = exc.seconds
    if isinstance(exc, QueryOutOfMemory):
        where["memory_mb"] = exc.megabytes
    response = error_response(503, str(exc), retry_after_s=exc.retry_after_s, **where)
    if exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response

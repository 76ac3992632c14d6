"""Probes for whoever runs the service: `/healthz` (the process serves) and `/readyz` (it can answer).

`/healthz` is 200 whenever the process answers HTTP at all; it reads nothing. `/readyz` is 200
when the store can be read, holds the project's data, and, with GRAPHSVC_MEMORY_REPLICA on for
the on-disk store, reads come from the replica in memory; otherwise 503 with the reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from graphsvc.api.errors import error_response
from graphsvc.bootstrap import loaded_digest
from graphsvc.config import Settings
from graphsvc.store import GraphStore, OxigraphStore

router = APIRouter(tags=["operations"])
_READY = {"description": "Ready: the store is open, the data loaded and (if used) the replica built.",
          "content": {"application/json": {"example": {"status": "ready", "checks": {
              "store": "open", "data": "loaded", "replica": "ready"}}}}}
_NOT_READY = {"description": "Not ready yet (or any more): `error` says why, `checks` what was found.",
              "content": {"application/json": {"example": {"error": "the in-memory replica is being built",
                                                           "checks": {"store": "open", "data": "loaded",
                                                                      "replica": "loading"}}}}}


@router.get("/healthz", summary="Liveness: the process is serving", responses={200: {"description": "Alive."}})
async def healthz() -> dict[str, str]:
    return {"status": "alive"}


def _replica(store: GraphStore, settings: Settings) -> tuple[str, str | None]:
    """The replica's state, and why it keeps the service from being ready (None: it does not)."""
    if not isinstance(store, OxigraphStore) or store.path is None or not settings.memory_replica:
        return "not used", None
    reads = store.reads_from
    if reads == "memory replica":
        return "ready", None
    if reads == "disk (replica loading)":
        return "loading", "the in-memory replica is being built"
    return "failed", "the in-memory replica could not be built (reads go to the disk store; see the log)"


def readiness(store: GraphStore, settings: Settings) -> tuple[str | None, dict[str, Any]]:
    """Why the service is not ready (None when it is), and what each check found."""
    checks: dict[str, Any] = {}
    try:
        digest = loaded_digest(store)
    except Exception as exc:  # noqa: BLE001 - any failure to read means not ready; the reason says which
        checks["store"] = "unreadable"
        return f"the store cannot be read: {type(exc).__name__}", checks
    checks["store"] = "open"
    checks["data"] = "loaded" if digest is not None else "missing"
    if digest is None:
        return "the project's data has not been loaded into the store", checks
    checks["replica"], reason = _replica(store, settings)
    return reason, checks


@router.get("/readyz", summary="Readiness: the store is open, the data loaded and the replica ready",
            responses={200: _READY, 503: _NOT_READY})
def readyz(request: Request) -> JSONResponse:
    reason, checks = readiness(request.app.state.store, request.app.state.settings)
    if reason is not None:
        return error_response(503, reason, checks=checks)
    return JSONResponse({"status": "ready", "checks": checks})

"""Liveness, readiness and metrics (no authentication: meant for the orchestrator)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from grader.api.deps import RedisDep, SettingsDep
from grader.services.health import check_dependencies

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """On the event loop, never in the thread pool: it answers while every thread is busy."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        503: {
            "description": "A dependency is unreachable; the same checks, by name.",
            "model": dict[str, str],
        }
    },
)
async def readyz(settings: SettingsDep, redis: RedisDep, response: Response) -> dict[str, str]:
    checks = await run_in_threadpool(
        check_dependencies, settings.database_url, redis, settings.docker_url
    )
    if any(v != "ok" for v in checks.values()):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return checks


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format.",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        }
    },
)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)

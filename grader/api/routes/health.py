"""Liveness, readiness and metrics (no authentication: meant for the orchestrator)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from grader.api.deps import SettingsDep
from grader.config import Settings
from grader.db.session import get_engine

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
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
async def readyz(request: Request, settings: SettingsDep, response: Response) -> dict[str, str]:
    checks = await run_in_threadpool(_check_all, request, settings)
    if any(v != "ok" for v in checks.values()):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return checks


def _check_all(request: Request, settings: Settings) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with get_engine(settings.database_url).connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        request.app.state.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
    try:
        import docker

        client = docker.DockerClient(base_url=settings.docker_url, timeout=3)
        try:
            client.ping()
        finally:
            client.close()
        checks["docker"] = "ok"
    except Exception as exc:
        checks["docker"] = f"unreachable: {type(exc).__name__}"
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

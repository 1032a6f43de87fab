"""Readiness: does each service the API needs answer right now?"""

from __future__ import annotations

import docker
from sqlalchemy import text

from grader.db.session import get_engine
from grader.queue import RedisClient


def check_dependencies(database_url: str, redis: RedisClient, docker_url: str) -> dict[str, str]:
    """`ok` or `unreachable: <error type>` for the database, Redis and the Docker daemon."""
    checks: dict[str, str] = {}
    try:
        with get_engine(database_url).connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
    try:
        client = docker.DockerClient(base_url=docker_url, timeout=3)
        try:
            client.ping()
        finally:
            client.close()
        checks["docker"] = "ok"
    except Exception as exc:
        checks["docker"] = f"unreachable: {type(exc).__name__}"
    return checks

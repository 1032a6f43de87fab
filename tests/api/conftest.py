"""In-process API tests: the app built by `create_app` with its own settings (a temporary
SQLite database, a real Redis on db 14, a catalog of hello-world only), driven by TestClient.
No Docker and no worker: jobs are enqueued and left in Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.orm import Session

from grader.api.app import create_app
from grader.config import REPO_ROOT, Settings
from grader.db.migrate import upgrade
from grader.db.models import Role
from grader.db.session import get_sessionmaker
from grader.security import create_access_token
from grader.services import users

#: Flushed around every test: two runs at once need their own (GRADER_TEST_REDIS_URL).
REDIS_URL = os.environ.get("GRADER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET = "api-tests-secret-of-thirty-two-bytes"
PASSWORD = "correct horse battery"
_HOUR = timedelta(hours=1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "hello-world").symlink_to(REPO_ROOT / "challenges" / "hello-world")
    url = f"sqlite:///{tmp_path / 'api.db'}"
    upgrade(url)
    return Settings(
        database_url=url,
        redis_url=REDIS_URL,
        challenges_dir=catalog,
        secret_key=SECRET,
        rate_limit_per_minute=1000,
        callback_secret="callbacks",
        max_wait_seconds=1,
    )


@pytest.fixture
def redis() -> Iterator[Redis]:  # type: ignore[type-arg]
    client = Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except RedisConnectionError as exc:  # a missing Redis is a failure: these tests need it
        raise AssertionError(f"no Redis at {REDIS_URL}: run scripts/setup-services.sh") from exc
    yield client
    client.flushdb()
    client.close()


@dataclass
class Api:
    """The app under test and ways to call it as each kind of principal."""

    app: FastAPI
    http: TestClient
    settings: Settings

    def session(self) -> Session:
        return get_sessionmaker(self.settings.database_url)()

    def user(self, username: str, role: Role = Role.CANDIDATE) -> dict[str, str]:
        """Create a user; its bearer header."""
        with self.session() as session:
            user = users.create_user(session, username, PASSWORD, role)
            token = create_access_token(user.id, SECRET, _HOUR)
        return {"Authorization": f"Bearer {token}"}

    def api_key(self, name: str = "ats") -> dict[str, str]:
        with self.session() as session:
            admin = users.create_user(session, f"owner-of-{name}", PASSWORD, Role.ADMIN)
            _, secret = users.create_api_key(session, name, admin)
        return {"X-API-Key": secret}

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        response = self.http.request(method, path, headers=headers or {}, **kw)
        assert_documented(self.app, method, path, response)
        return response


def assert_documented(app: FastAPI, method: str, path: str, response: httpx.Response) -> None:
    """Every status a route answers is in its OpenAPI responses, and every error body has the
    documented shape (`detail`)."""
    route = _route_of(app, method, response)
    if route is not None:
        documented = set(route.get("responses", {}))
        assert str(response.status_code) in documented, (
            f"{method} {path} answered {response.status_code}, documented: {sorted(documented)}"
        )
    if response.status_code >= 400:  # the one error shape: a sentence, and fields if any
        body = response.json()
        assert isinstance(body.get("detail"), str) and set(body) <= {"detail", "errors"}, body
        for field in body.get("errors") or []:
            assert set(field) == {"loc", "msg", "type"}, field


def _route_of(app: FastAPI, method: str, response: httpx.Response) -> dict[str, Any] | None:
    """The OpenAPI operation that served the request (literal paths win over templates)."""
    path = response.request.url.path
    matches = [
        (template.count("{"), operations[method.lower()])
        for template, operations in app.openapi()["paths"].items()
        if _matches(template, path) and method.lower() in operations
    ]
    return min(matches, key=lambda m: m[0])[1] if matches else None


def _matches(template: str, path: str) -> bool:
    parts, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(actual) and all(
        p == a or (p.startswith("{") and p.endswith("}"))
        for p, a in zip(parts, actual, strict=True)
    )


@contextmanager
def serving(settings: Settings) -> Iterator[Api]:
    """The app built with `settings`, started (lifespan included) and stopped around the block."""
    app = create_app(settings)
    with TestClient(app) as http:
        yield Api(app, http, settings)


@pytest.fixture
def api(settings: Settings, redis: Redis) -> Iterator[Api]:  # type: ignore[type-arg]
    with serving(settings) as api:
        yield api

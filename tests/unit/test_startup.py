"""The API refuses to start on a database that was not migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from grader.api.app import create_app
from grader.config import Settings
from grader.db.migrate import SchemaOutdated, upgrade


def test_the_api_will_not_start_before_migrations(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaOutdated, match="grader db upgrade"), TestClient(create_app(settings)):
        pass


def test_the_api_starts_once_migrated(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ok.db'}", challenges_dir=tmp_path)
    upgrade(settings.database_url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}

"""The API refuses to start on a database that was not migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from grader.api.app import create_app
from grader.config import Settings
from grader.db.migrate import SchemaOutdated, upgrade
from grader.db.session import get_engine


def test_the_api_will_not_start_before_migrations(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaOutdated, match="grader db upgrade"), TestClient(create_app(settings)):
        pass


def test_the_api_starts_once_migrated(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ok.db'}", challenges_dir=tmp_path)
    upgrade(settings.database_url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}


def test_the_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'grader.db'}"
    upgrade(url)
    with get_engine(url).connect() as connection:  # WAL mode: -wal and -shm exist meanwhile
        connection.execute(text("CREATE TABLE probe (x INTEGER)"))
        connection.commit()
        for name in ("grader.db", "grader.db-wal", "grader.db-shm"):
            mode = (tmp_path / "var" / name).stat().st_mode & 0o777
            assert mode == 0o600, (name, oct(mode))
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700

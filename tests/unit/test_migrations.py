"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from grader.db.migrate import upgrade
from grader.db.models import Base
from grader.db.session import get_engine

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'schema.db'}"
        return
    name = f"grader_schema_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:  # no PostgreSQL: a failure
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        get_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}").dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], differences


def test_usernames_stay_unique_ignoring_case_after_every_migration(database_url: str) -> None:
    """The expression index (lower(username)) is invisible to the comparison above, and a
    SQLite batch migration of `users` would drop it silently."""
    upgrade(database_url)
    insert = text(
        "INSERT INTO users (username, password_hash, role, is_active, created_at) "
        "VALUES (:name, 'x', 'candidate', true, CURRENT_TIMESTAMP)"
    )
    with get_engine(database_url).begin() as connection:
        connection.execute(insert, {"name": "Alice"})
    with pytest.raises(IntegrityError), get_engine(database_url).begin() as connection:
        connection.execute(insert, {"name": "alice"})

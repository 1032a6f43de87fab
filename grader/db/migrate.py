"""Run Alembic migrations from code (`grader db upgrade`, `grader up`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from grader.db.session import get_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    get_engine(url)  # an SQLite file is created here, private to its owner
    command.upgrade(alembic_config(url), revision)


class SchemaOutdated(RuntimeError):
    """The database is not at the code's schema revision."""


def require_schema(url: str) -> None:
    """Refuse to serve on a database the migrations have not reached, saying what to run."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with get_engine(url).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise SchemaOutdated(
            f"the database at {get_engine(url).url!r} is at schema revision {current or 'none'}, "
            f"the code needs {head}: run `grader db upgrade`"
        )

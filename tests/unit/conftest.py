"""Unit fixtures: a migrated SQLite database in a temp folder, hello-world stored in it; db 15
of the local Redis (skipped without a server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.orm import Session

from grader.config import REPO_ROOT
from grader.db.migrate import upgrade
from grader.db.models import Challenge, Role, User
from grader.db.session import get_sessionmaker
from grader.queue import RedisClient
from grader.services.challenges import store_version
from grader.services.users import create_user
from worker.challenge import load_challenge

HELLO = REPO_ROOT / "challenges" / "hello-world"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def unit_redis() -> Iterator[RedisClient]:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'unit.db'}"
    upgrade(url)
    with get_sessionmaker(url)() as session:
        yield session


@pytest.fixture
def hello(session: Session) -> Challenge:
    challenge, _ = store_version(session, load_challenge(HELLO))
    session.commit()
    return challenge


@pytest.fixture
def candidate(session: Session) -> User:
    user = create_user(session, "carol", "password123", Role.CANDIDATE)
    session.commit()
    return user

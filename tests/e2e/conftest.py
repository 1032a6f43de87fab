"""A real deployment per database backend: `grader serve` and `grader worker` as subprocesses,
real Redis (db 15, flushed; never db 0), real Docker, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import httpx
import psycopg
import pytest
from redis import Redis
from sqlalchemy import func, select

from grader.config import REPO_ROOT
from grader.db.models import Challenge, ChallengeStatus, Submission
from grader.db.session import get_engine, get_sessionmaker
from grader.queue import RedisClient
from grader.supervisor import start_redis, terminate
from worker.sandbox import connect, image_tag
from worker.sandbox.runtime import DATA_VOLUME_PREFIX, LABEL, owner_is_dead

#: Used only when no redis-server binary is at hand to start a private one.
SHARED_REDIS_URL = "redis://127.0.0.1:6379/15"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ADMIN = ("admin", "admin-password-1")
HELLO = REPO_ROOT / "challenges" / "hello-world"
ARCHIVED_SLUG = "hello-archived"
#: Short reaper timings so a lost job is noticed within the test.
REAPER_DEADLINE = 15
CALLBACK_SECRET = "e2e callback secret, thirty-two bytes or more"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    client = connect()  # a missing daemon fails loudly (DockerUnavailable), never skips
    client.images.get(image_tag())  # and so does a missing image: `grader sandbox build`
    yield client
    client.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server: concurrent runs of this suite (a CI checkout, a colleague) must
    not share, flush or consume each other's queue. Without the binary: db 15 of the shared
    server, flushed (never db 0)."""
    if shutil.which("redis-server") is None:
        yield SHARED_REDIS_URL
        return
    process, url = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        terminate([process])


@pytest.fixture(scope="session")
def redis(redis_url: str) -> Iterator[RedisClient]:
    client = Redis.from_url(redis_url)
    client.ping()  # no Redis: fail, the service cannot run without it
    yield client
    client.flushdb()
    client.close()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards; skips when PostgreSQL is not reachable."""
    name = f"grader_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'grader.db'}"
        return
    with postgres_database() as url:
        yield url


@dataclass
class Service:
    url: str
    database_url: str
    env: dict[str, str]
    logs: Path
    redis: RedisClient
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    admin_token: str = ""
    worker_count: int = 3
    private_redis: PrivateRedis | None = None
    _users: int = field(default=0)

    def client(self, token: str | None = None, api_key: str | None = None) -> httpx.Client:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        return httpx.Client(base_url=self.url, headers=headers, timeout=90)

    def login(self, username: str, password: str) -> str:
        with self.client() as http:
            response = http.post(
                "/api/v1/auth/token", data={"username": username, "password": password}
            )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def new_candidate(self) -> tuple[str, str]:
        """A fresh candidate (so rate limits never leak between tests): (username, token)."""
        self._users += 1
        username, password = f"cand{self._users}-{secrets.token_hex(3)}", "candidate-pw-1"
        with self.client(self.admin_token) as http:
            response = http.post("/api/v1/users", json={"username": username, "password": password})
        assert response.status_code == 201, response.text
        return username, self.login(username, password)

    def count_submissions(self) -> int:
        with get_sessionmaker(self.database_url)() as session:
            return int(session.scalar(select(func.count()).select_from(Submission)) or 0)

    def submission_row(self, submission_id: int) -> Submission:
        with get_sessionmaker(self.database_url)() as session:
            row = session.get(Submission, submission_id)
            assert row is not None
            return row

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "grader", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_worker(self, **settings: str) -> None:
        log = (self.logs / "worker.log").open("ab")
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "grader", "worker", "--count", str(self.worker_count)],
            env=self.env | settings,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_worker(self) -> None:
        _stop(self.worker)
        self.worker = None


def _stop(process: subprocess.Popen[bytes] | None, grace: float = 90) -> None:
    """SIGTERM (gradings finish), then SIGKILL the whole group if it hangs."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError(f"{process.args!r} ignored SIGTERM for {grace} s") from None


def _catalog(root: Path) -> Path:
    """hello-world, plus a copy to archive: the shared catalog changes under other people."""
    shutil.copytree(HELLO, root / "hello-world")
    shutil.copytree(HELLO, root / ARCHIVED_SLUG)
    toml = root / ARCHIVED_SLUG / "challenge.toml"
    toml.write_text(toml.read_text().replace('slug = "hello-world"', f'slug = "{ARCHIVED_SLUG}"'))
    return root


def _processes_with(marker: bytes) -> list[str]:
    """Command lines of live processes whose environment holds `marker` (our children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def sandbox_containers(client: docker.DockerClient) -> dict[str, dict[str, Any]]:
    # sparse: no per-container inspect, which races with other people's clean-ups (404)
    found = client.containers.list(all=True, sparse=True, filters={"label": LABEL})
    return {str(c.id): dict(c.attrs.get("Labels") or {}) for c in found}


@contextmanager
def deploy(
    database_url: str,
    redis_url: str,
    redis: RedisClient,
    docker_client: docker.DockerClient,
    work: Path,
    workers: int = 3,
    **settings: str,
) -> Iterator[Service]:
    """API + workers on `database_url` and `redis_url`, with `GRADER_*` overrides; afterwards,
    asserts that no process of theirs and no sandbox container of a dead worker is left."""
    before = set(sandbox_containers(docker_client))
    redis.flushdb()
    port = _free_port()
    env = {
        **os.environ,
        "GRADER_DATABASE_URL": database_url,
        "GRADER_REDIS_URL": redis_url,
        "GRADER_SECRET_KEY": secrets.token_urlsafe(32),
        "GRADER_PORT": str(port),
        "GRADER_CHALLENGES_DIR": str(_catalog(work / "catalog")),
        "GRADER_REAPER_INTERVAL_SECONDS": "1",
        "GRADER_REAPER_DEADLINE_SECONDS": str(REAPER_DEADLINE),
        "GRADER_MAX_ATTEMPTS": "5",
        "GRADER_RATE_LIMIT_PER_MINUTE": "10",
        "GRADER_API_URL": f"http://127.0.0.1:{port}",
        "GRADER_PUBLIC_URL": f"http://127.0.0.1:{port}",  # invitation links that open
        # Pinned: the tag is hashed from the harness, which colleagues may be editing meanwhile.
        "GRADER_SANDBOX_IMAGE": image_tag(),
        "GRADER_CALLBACK_SECRET": CALLBACK_SECRET,
        "GRADER_CALLBACK_ALLOW_PRIVATE": "true",
        **settings,
    }
    svc = Service(
        url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        env=env,
        logs=work,
        redis=redis,
        worker_count=workers,
    )
    for args in (["db", "upgrade"], ["users", "create-admin", ADMIN[0], "--password", ADMIN[1]]):
        done = svc.cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    with get_sessionmaker(database_url)() as session:  # archive the copy
        archived = session.scalar(select(Challenge).where(Challenge.slug == ARCHIVED_SLUG))
        assert archived is not None
        archived.status = ChallengeStatus.ARCHIVED
        session.commit()
    server_log = (work / "server.log").open("ab")
    svc.server = subprocess.Popen(
        [sys.executable, "-m", "grader", "serve"],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    svc.start_worker()
    try:
        _wait_ready(svc)
        svc.admin_token = svc.login(*ADMIN)
        yield svc
    finally:
        svc.stop_worker()
        _stop(svc.server)
        server_log.close()
    assert svc.worker is None
    marker = f"GRADER_DATABASE_URL={database_url}".encode()
    deadline = time.monotonic() + 15  # rq workers finish their warm shutdown on their own
    while (stray := _processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not stray, f"processes left running: {stray}"
    leftover = {
        cid: labels
        for cid, labels in sandbox_containers(docker_client).items()
        if cid not in before and owner_is_dead(labels)
    }
    assert not leftover, f"sandbox containers left behind by the workers: {leftover}"
    # Unlabelled data volumes are made by the daemon itself when a container is created as it
    # shuts down (the dockerd restart test); the workers' last reap must have removed them.
    orphans = [
        v.name
        for v in docker_client.volumes.list(filters={"name": DATA_VOLUME_PREFIX})
        if not v.attrs.get("Labels")
    ]
    assert not orphans, f"orphan data volumes left behind: {orphans}"


@pytest.fixture(scope="session")
def service(
    database_url: str,
    redis_url: str,
    redis: RedisClient,
    docker_client: docker.DockerClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    work = tmp_path_factory.mktemp("service")
    with deploy(database_url, redis_url, redis, docker_client, work) as svc:
        yield svc


class PrivateRedis:
    """A redis-server of one test's own, which the test may stop, start again (same port, and
    empty: it persists nothing) or flush without disturbing any other test."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process, self.url = start_redis(data_dir)
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        self.client: RedisClient = Redis.from_url(self.url)

    def stop(self) -> None:
        terminate([self.process], grace=10)

    def start(self) -> None:
        assert self.process.poll() is not None, "stop it first"
        self.process, _ = start_redis(self.data_dir, port=self.port)

    def close(self) -> None:
        self.stop()
        self.client.close()


@pytest.fixture
def private_service(
    docker_client: docker.DockerClient, tmp_path: Path
) -> Iterator[Callable[..., Service]]:
    """`private_service(workers=N, **GRADER_settings)`: a deployment of the test's own on a
    fresh PostgreSQL database and a private redis-server (`svc.private_redis`), stopped and
    checked for leftovers (processes, containers) when the test ends."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary (scripts/setup-services.sh installs it)")
    stack = ExitStack()

    def make(workers: int = 3, **settings: str) -> Service:
        url = stack.enter_context(postgres_database())
        private = PrivateRedis(tmp_path / "redis")
        stack.callback(private.close)
        svc = stack.enter_context(
            deploy(url, private.url, private.client, docker_client, tmp_path, workers, **settings)
        )
        svc.private_redis = private
        return svc

    with stack:
        yield make


def _wait_ready(svc: Service, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        assert svc.server is not None and svc.server.poll() is None, (
            svc.logs / "server.log"
        ).read_text()
        try:
            response = httpx.get(f"{svc.url}/readyz", timeout=5)
            if response.status_code == 200:
                return
            last = response.text
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise AssertionError(f"the API was not ready within {timeout} s: {last}")


AUDIT_SQL = """
CREATE TABLE submission_audit (
    n bigserial PRIMARY KEY,
    submission_id integer NOT NULL,
    old_status text,
    new_status text NOT NULL,
    attempts integer NOT NULL,
    verdict text,
    score integer
);
CREATE FUNCTION audit_submission() RETURNS trigger AS $$
BEGIN
    INSERT INTO submission_audit (submission_id, old_status, new_status, attempts, verdict, score)
    VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status::text END, NEW.status::text,
            NEW.attempts, NEW.verdict, NEW.score);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER submission_audit AFTER INSERT OR UPDATE ON submissions
    FOR EACH ROW EXECUTE FUNCTION audit_submission();
"""

TERMINAL = ("completed", "error")


@dataclass(frozen=True)
class Write:
    old: str | None
    new: str
    attempts: int
    verdict: str | None
    score: int | None


def install_audit(database_url: str) -> None:
    """Record every INSERT/UPDATE of a submission row (a PostgreSQL trigger), so a test can
    prove how many times each one was written, whatever the service's code believes."""
    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute(AUDIT_SQL)


def audit(database_url: str) -> dict[int, list[Write]]:
    """Every write of every submission, in order."""
    with psycopg.connect(_libpq(database_url)) as conn:
        rows = conn.execute(
            "SELECT submission_id, old_status, new_status, attempts, verdict, score"
            " FROM submission_audit ORDER BY n"
        ).fetchall()
    writes: dict[int, list[Write]] = {}
    for submission_id, *rest in rows:
        writes.setdefault(submission_id, []).append(Write(*rest))
    return writes


def terminal_writes(writes: list[Write]) -> list[Write]:
    """The writes that ended the submission (a second one would be a second result)."""
    return [w for w in writes if w.new in TERMINAL]


def _libpq(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")

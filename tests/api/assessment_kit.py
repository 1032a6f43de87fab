"""What the assessment route tests share: an app whose catalog has two coding challenges, a
server clock the test moves, and short ways to build an assessment, invite, start, submit,
answer and record a grading as the worker would (`grading.claim` + `grading.record`, then
`invitations.refresh_after_grading`). No Docker, no worker."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase

from grader.config import REPO_ROOT, Settings
from grader.db.migrate import upgrade
from grader.db.models import Role
from grader.db.session import get_engine, get_sessionmaker
from grader.security import create_access_token
from grader.services import grading, invitations, users
from grader.services.challenges import store_version, sync_catalog
from grader.services.question_bank import sync_bank
from tests.api.conftest import REDIS_URL, SECRET, Api, serving
from worker.challenge import load_challenge
from worker.result import GradeResult, Outcome, TestResult, Verdict

CHALLENGES = ("hello-world", "path-query-params")
APP = "from fastapi import FastAPI\napp = FastAPI()\n"
#: Questions of the repository's bank the tests use (see questions/).
MC = "core-idempotent-mc"  # 2 points; options GET, POST, PUT, DELETE; key [0, 2, 3]
MC_KEY = [0, 2, 3]
SHORT = "basics-asgi"  # 6 points, three rubric points of 2
SHORT_RIGHT = (
    "Asynchronous Server Gateway Interface: the async successor to WSGI that defines how "
    "servers like Uvicorn call Python web apps. FastAPI is built on Starlette, an ASGI framework."
)
#: Coding 40 + 30, multiple choice 10, short answer 20.
ITEMS: list[dict[str, Any]] = [
    {"challenge": "hello-world", "weight": 40},
    {"challenge": "path-query-params", "weight": 30},
    {"question": MC, "weight": 10},
    {"question": SHORT, "weight": 20},
]
TESTS = ("test_a.py::test_root", "test_a.py::test_name", "test_b.py::test_404", "test_b.py::test_x")


def catalog_dir(root: Path) -> Path:
    catalog = root / "catalog"
    catalog.mkdir()
    for slug in CHALLENGES:
        (catalog / slug).symlink_to(REPO_ROOT / "challenges" / slug)
    return catalog


def template_database(root: Path) -> Path:
    """A migrated database with the catalog and the bank synced in, copied by each test (the
    migrations run once per session, not once per test)."""
    path = root / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    with get_sessionmaker(url)() as session:
        sync_catalog(session, catalog_dir(root))
        sync_bank(session, REPO_ROOT / "questions")
    get_engine(url).dispose()
    return path


def copy_database(template: Path, target: Path) -> None:
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    target.chmod(0o600)


class Clock:
    """The server's clock (`app.state.clock`), moved by the test only."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def result_of(
    passed: int, total: int = 4, verdict: Verdict | None = None, message: str = "expected 200"
) -> GradeResult:
    """A worker's result: `passed` of `total` tests of 25 points each passed."""
    tests = [
        TestResult(
            name=TESTS[n],
            outcome=Outcome.PASSED if n < passed else Outcome.FAILED,
            points=25 if n < passed else 0,
            max_points=25,
            message="" if n < passed else message,
        )
        for n in range(total)
    ]
    chosen = verdict or (Verdict.PASSED if passed == total else Verdict.FAILED)
    return GradeResult(
        verdict=chosen,
        score=25 * passed,
        max_score=25 * total,
        tests=tests,
        duration_ms=12,
        log="candidate log line",
        error=None,
    )


@dataclass
class Kit:
    """The app, its clock, and staff of each role (their bearer headers, made once)."""

    api: Api
    clock: Clock
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    # --- callers -------------------------------------------------------------------------

    def as_role(self, role: Role) -> dict[str, str]:
        """A user of `role` (made once, with no password: hashing one costs a third of a
        second) and its bearer header."""
        if role.value not in self._headers:
            with self.api.session() as session:
                user = users.create_user(session, f"the-{role.value}", None, role)
                token = create_access_token(user.id, SECRET, timedelta(hours=1))
            self._headers[role.value] = {"Authorization": f"Bearer {token}"}
        return self._headers[role.value]

    @property
    def admin(self) -> dict[str, str]:
        return self.as_role(Role.ADMIN)

    @property
    def key(self) -> dict[str, str]:
        if "key" not in self._headers:
            with self.api.session() as session:
                owner = users.create_user(session, "key-owner", None, Role.ADMIN)
                _, secret = users.create_api_key(session, "ats", owner)
            self._headers["key"] = {"X-API-Key": secret}
        return self._headers["key"]

    @staticmethod
    def token(token: str) -> dict[str, str]:
        return {"X-Invitation-Token": token}

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.api.call(method, path, headers, **kw)

    # --- staff ---------------------------------------------------------------------------

    def create(self, slug: str, items: list[dict[str, Any]] | None = None, **spec: Any) -> Any:
        body = {
            "slug": slug,
            "title": f"Assessment {slug}",
            "items": ITEMS if items is None else items,
            **spec,
        }
        response = self.call("POST", "/api/v1/assessments", self.admin, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def publish(self, slug: str) -> Any:
        response = self.call("POST", f"/api/v1/assessments/{slug}/publish", self.admin)
        assert response.status_code == 200, response.text
        return response.json()

    def published(self, slug: str, items: list[dict[str, Any]] | None = None, **spec: Any) -> Any:
        self.create(slug, items, **spec)
        return self.publish(slug)

    def invite(self, slug: str, name: str = "Ada Lovelace", **extra: Any) -> tuple[int, str]:
        body = {"candidate_name": name, "candidate_email": f"{name[:3].lower()}@example.com"}
        response = self.call(
            "POST", f"/api/v1/assessments/{slug}/invitations", self.admin, json=body | extra
        )
        assert response.status_code == 201, response.text
        return response.json()["id"], response.json()["token"]

    def started(self, slug: str, name: str = "Ada Lovelace", **extra: Any) -> tuple[int, str]:
        invitation_id, token = self.invite(slug, name, **extra)
        response = self.call("POST", "/api/v1/invitation/start", self.token(token))
        assert response.status_code == 200, response.text
        return invitation_id, token

    def scorecard(self, invitation_id: int) -> Any:
        response = self.call("GET", f"/api/v1/invitations/{invitation_id}/scorecard", self.admin)
        assert response.status_code == 200, response.text
        return response.json()

    # --- the candidate -------------------------------------------------------------------

    def submit(self, token: str, position: int = 1, main: str = APP) -> httpx.Response:
        return self.call(
            "POST",
            f"/api/v1/invitation/items/{position}/submissions",
            self.token(token),
            json={"files": {"main.py": main}},
        )

    def answer(self, token: str, position: int, body: dict[str, Any]) -> httpx.Response:
        return self.call(
            "PUT", f"/api/v1/invitation/items/{position}/answer", self.token(token), json=body
        )

    def submitted(self, token: str, position: int = 1) -> int:
        response = self.submit(token, position)
        assert response.status_code == 202, response.text
        return int(response.json()["id"])

    # --- the worker ----------------------------------------------------------------------

    def grade(self, submission_id: int, result: GradeResult) -> None:
        """What the worker does with a result: claim, record, refresh the candidate's total."""
        with self.api.session() as session:
            claimed = grading.claim(session, submission_id)
            assert claimed is not None
            outcome = grading.record(session, claimed, result, 3, lambda *_: None)
            assert outcome is grading.Recorded.COMPLETED
            invitations.refresh_after_grading(session, submission_id)

    def graded(self, token: str, position: int, passed: int) -> int:
        submission_id = self.submitted(token, position)
        self.grade(submission_id, result_of(passed))
        return submission_id

    # --- the database --------------------------------------------------------------------

    def count(self, model: type[DeclarativeBase], *where: Any) -> int:
        with self.api.session() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def new_version(self, slug: str = "hello-world", note: str = "v-next") -> None:
        """A new version of a challenge arrives in the database (as a changed catalog folder
        or an upload that passed validation would make it)."""
        spec = load_challenge(REPO_ROOT / "challenges" / slug)
        changed = spec.model_copy(update={"prompt": f"{spec.prompt}\n\n({note})"})
        with self.api.session() as session:
            _, stored = store_version(session, changed)
            assert stored
            session.commit()


def kit_settings(tmp_path: Path, template: Path, catalog: Path) -> Settings:
    copy_database(template, tmp_path / "api.db")
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        redis_url=REDIS_URL,
        challenges_dir=catalog,
        secret_key=SECRET,
        rate_limit_per_minute=1000,
        callback_secret="callbacks",
        max_wait_seconds=1,
        public_url="https://grader.example.com",
    )


#: The OpenAPI document, built once per session: every app of these tests has the same routes,
#: and building it costs a second (`Api.call` reads it to check each status is documented).
_OPENAPI: dict[str, Any] = {}


def running_kit(settings: Settings) -> Iterator[Kit]:
    with serving(settings) as api:
        if not _OPENAPI:
            _OPENAPI.update(api.app.openapi())
        api.app.openapi_schema = _OPENAPI
        clock = Clock(datetime.now(UTC).replace(microsecond=0))
        api.app.state.clock = clock
        yield Kit(api, clock)

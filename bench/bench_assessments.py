"""Does an assessment at hiring-rush size still answer its staff in well under a second?

    PYTHONPATH=. .venv/bin/python bench/bench_assessments.py [--invitations 1000]
        [--submissions 10000] [--runs 30] [--databases sqlite,postgresql]
        [--path 'NAME=/path/with/{slug}']

Issue 14's scale: one published assessment (the sample "FastAPI backend screen": 3 coding
items, 10 concept questions) with 1,000 invitations (80 % finished, 10 % at work, the rest
invited or revoked) and 10,000 submissions (within the sample's 20 per item; graded, with the
suites' own test names in GradeResult documents as the worker writes them; a few queued,
running or given up, each with its grading), the candidates' answers (graded by the bank's
rubrics), reviews, notes and decisions. Seeded with bulk inserts, not the API (seconds, not
hours), into an SQLite file and a throwaway PostgreSQL database (ANALYZEd, as autovacuum
would have by then; dropped after).

Measured through the real app in-process (`create_app`, TestClient, Redis db 12, a reviewer's
bearer token): the candidates table (first page by score, the middle page by time used, a
search among the finished), the report (distribution, per-test pass rates), the scorecard of the
candidate with the most submissions as JSON and as the printable page, and the CSV export of
every invitation. Every answer is checked against the seeded data (outside the timing).

The baseline is the same requests on an assessment of `--base-invitations` (10) and
`--base-submissions` (100), seeded and measured in the same run, interleaved with the big one;
`GET /healthz` is the app's floor. Printed as Markdown, per request: the SQL statements it ran
(`before_cursor_execute`; one figure when both sizes ran as many: no query per row), the median
and p95 in ms at both sizes, and the ratio of the medians.

Issue 15's server-rendered candidates page joins the measure by adding it to `PAGES` below (or,
for a one-off, `--path 'candidates page=/staff/assessments/{slug}/candidates'`).
tests/unit/test_bench_assessments.py runs the seeding and every request at 5 and 12 invitations.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import re
import secrets
import statistics
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from bench_grading import p95
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import event, insert, text, update
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from grader.api.app import create_app
from grader.config import REPO_ROOT, Settings
from grader.db.migrate import upgrade
from grader.db.models import (
    Answer,
    Assessment,
    AssessmentItem,
    Decision,
    Grading,
    GradingReason,
    GradingStatus,
    Invitation,
    InvitationStatus,
    ItemKind,
    ReviewNote,
    Role,
    Submission,
    SubmissionStatus,
    utcnow,
)
from grader.db.session import get_engine, get_sessionmaker
from grader.questions import (
    MultipleChoiceQuestion,
    Question,
    ShortAnswerQuestion,
    propose_score,
)
from grader.security import create_access_token
from grader.services import assessments, users, web_sessions
from grader.services.challenges import sync_catalog
from grader.services.question_bank import sync_bank, synonyms
from grader.web.auth import COOKIE
from worker.limits import Limits
from worker.result import GradeResult, Outcome, TestResult, Verdict

SAMPLE = REPO_ROOT / "assessments" / "fastapi-backend-screen.toml"
QUESTIONS = REPO_ROOT / "questions"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-assessments-secret-of-32-bytes"
MAX_TESTS = 20
LOG_KEEP = Limits().log_keep_bytes
_QUESTION: TypeAdapter[Question] = TypeAdapter(Question)

FIRST = ["Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances"]
FIRST += ["Edsger", "Radia", "Guido", "Katherine", "Donald", "Hedy", "Tim", "Sophie", "Yukihiro"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie"]
LAST += ["Allen", "Dijkstra", "Perlman", "Okafor", "Johnson", "Knuth", "Lamarr", "Wilson"]
LAST += ["Nakamura", "Kowalski", "Fernandes", "Haddad", "Ivanova", "Mensah", "Oyelaran"]
#: What the filtered search looks for: one surname in ~23, then `status=finished`.
NEEDLE = "okafor"


# --- seeding ------------------------------------------------------------------------------------


@dataclass
class Seeded:
    """One seeded assessment, and what its answers must be."""

    url: str
    slug: str
    catalog: Path
    invitations: dict[int, dict[str, Any]]
    """Invitation id -> its row as inserted (score, status, times, name...)."""
    submissions: int
    answers: int
    scorecard_id: int
    """A finished candidate with the most submissions: the heaviest scorecard."""
    staff_token: str
    staff_cookie: str
    """The reviewer's browser session (the staff pages)."""
    seconds: float = 0.0

    def time_used(self, invitation_id: int) -> float | None:
        row = self.invitations[invitation_id]
        if row["started_at"] is None:
            return None
        end = row["finished_at"] or row["deadline_at"]
        return float((end - row["started_at"]).total_seconds())


@dataclass
class _Suite:
    """A coding item's hidden tests as (name, points), read from its pinned version."""

    item: AssessmentItem
    tests: list[tuple[str, int]]
    difficulty: list[float]
    files: dict[str, str]

    @property
    def max_score(self) -> int:
        return sum(points for _, points in self.tests)


_TEST = re.compile(r"((?:^@.*\n)*)^(?:async )?def (test_\w+)", re.MULTILINE)
_POINTS = re.compile(r"@pytest\.mark\.points\((\d+)\)")


def _suite(item: AssessmentItem, rng: random.Random) -> _Suite:
    assert item.challenge_version is not None
    content = item.challenge_version.content
    tests = []
    for path, source in sorted(content["tests"].items()):
        for decorators, name in _TEST.findall(source):
            points = _POINTS.search(decorators)
            tests.append((f"{Path(path).name}::{name}", int(points.group(1)) if points else 1))
    tests = tests[:MAX_TESTS]
    # Most tests are passed by most candidates; one or two trip nearly everyone (what the
    # report's per-test pass rates are for).
    difficulty = [rng.uniform(0.75, 0.99) for _ in tests]
    for hard in rng.sample(range(len(tests)), 2):
        difficulty[hard] = rng.uniform(0.15, 0.35)
    return _Suite(item, tests, difficulty, dict(content["solution"]))


def _result(suite: _Suite, skill: float, progress: float, rng: random.Random) -> dict[str, Any]:
    """A GradeResult document of one grading, as the worker stores it."""
    duration = rng.randint(2500, 9000)
    # The app's output: an access-log line per request the suite made (a few per test), and
    # for one app in ten, debug prints up to the head the worker keeps.
    log = "".join(
        f'INFO:     172.17.0.1:{rng.randint(30000, 60000)} - "{rng.choice(["GET", "POST"])} '
        f'/items/{rng.randint(1, 99)} HTTP/1.1" {rng.choice([200, 201, 404, 422])}\n'
        for _ in range(len(suite.tests) * rng.randint(2, 6))
    )
    if rng.random() < 0.1:
        chatty = f"DEBUG payload={{'name': 'Keyboard', 'price': {rng.random():.4f}}}\n"
        log = (log + chatty * (LOG_KEEP // len(chatty)))[:LOG_KEEP]
    if rng.random() < 0.03:  # the app did not start
        return GradeResult(
            verdict=Verdict.ERROR,
            score=0,
            max_score=suite.max_score,
            duration_ms=duration,
            log="Traceback (most recent call last):\n  ...\nNameError: name 'Item' is not defined",
            error="the app did not start: NameError: name 'Item' is not defined",
        ).model_dump(mode="json")
    tests = []
    for (name, points), easy in zip(suite.tests, suite.difficulty, strict=True):
        chance = easy * (0.55 + 0.45 * skill) * (0.6 + 0.4 * progress)
        passed = rng.random() < min(0.995, chance)
        tests.append(
            TestResult(
                name=name,
                outcome=Outcome.PASSED if passed else Outcome.FAILED,
                points=points if passed else 0,
                max_points=points,
                message=""
                if passed
                else f"{name.split('::')[1]}: expected status {rng.choice([201, 404, 422])}, "
                f"got {rng.choice([200, 500])}; body: {{'detail': 'Not Found'}}",
            )
        )
    score = sum(t.points for t in tests)
    return GradeResult(
        verdict=Verdict.PASSED if score == suite.max_score else Verdict.FAILED,
        score=score,
        max_score=suite.max_score,
        tests=tests,
        duration_ms=duration,
        log=log,
    ).model_dump(mode="json")


@dataclass
class _Answers:
    """Per question item: ready answers with their points (and matched rubric points), drawn
    from the bank's own right and wrong paraphrases, graded once by the real rubric."""

    item: AssessmentItem
    question: Question
    right: list[dict[str, Any]] = field(default_factory=list)
    wrong: list[dict[str, Any]] = field(default_factory=list)


def _answers(item: AssessmentItem) -> _Answers:
    assert item.question is not None
    question = _QUESTION.validate_python(item.question)
    ready = _Answers(item, question)
    if isinstance(question, MultipleChoiceQuestion):
        ready.right.append({"answer": {"choice": sorted(question.correct)}, "points": 1})
        for option in range(len(question.options)):
            if [option] != sorted(question.correct):
                ready.wrong.append({"answer": {"choice": [option]}, "points": 0})
        for entry in ready.right + ready.wrong:
            entry["points"] *= question.points
            entry["matched"] = None
        return ready
    assert isinstance(question, ShortAnswerQuestion)
    table = synonyms(QUESTIONS)
    for texts, into in (
        (question.right_answers, ready.right),
        (question.wrong_answers, ready.wrong),
    ):
        for written in texts or [question.reference]:
            proposal = propose_score(question, written, table)
            into.append(
                {
                    "answer": {"text": written},
                    "points": proposal.points,
                    "matched": [m.model_dump(mode="json") for m in proposal.matches],
                }
            )
    return ready


def _status_mix(count: int, rng: random.Random) -> list[InvitationStatus]:
    """80 % finished, 10 % at work, 7 % not started, 3 % revoked (at least one finished)."""
    weights = {
        InvitationStatus.FINISHED: 0.80,
        InvitationStatus.STARTED: 0.10,
        InvitationStatus.INVITED: 0.07,
        InvitationStatus.REVOKED: 0.03,
    }
    mix = [s for s, w in weights.items() for _ in range(round(w * count))]
    mix = (mix + [InvitationStatus.FINISHED] * count)[:count]
    rng.shuffle(mix)
    return mix


def seed(url: str, invitations: int, submissions: int, catalog: Path, rng_seed: int = 14) -> Seeded:
    """Migrate `url` and fill it with the sample assessment, published, taken by `invitations`
    candidates who made `submissions` submissions in all. Bulk inserts; a few seconds."""
    began = time.perf_counter()
    rng = random.Random(rng_seed)
    upgrade(url)
    spec = assessments.load_spec(SAMPLE)
    catalog.mkdir(parents=True, exist_ok=True)
    for item in spec.items:
        if item.challenge and not (catalog / item.challenge).exists():
            (catalog / item.challenge).symlink_to(REPO_ROOT / "challenges" / item.challenge)
    with get_sessionmaker(url)() as session:
        sync_catalog(session, catalog)
        sync_bank(session, QUESTIONS)
        admin = users.create_user(session, "bench-admin", None, Role.ADMIN)
        reviewer = users.create_user(session, "bench-reviewer", None, Role.REVIEWER)
        session.commit()
        assessments.create_assessment(session, spec, admin)
        assessment = assessments.publish(session, spec.slug)
        rows = _invitation_rows(assessment, invitations, admin.id, rng)
        ids = session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True), rows
        ).all()
        by_id = dict(zip(ids, rows, strict=True))
        made = _seed_submissions(session, assessment, by_id, submissions, rng)
        answered = _seed_answers(session, assessment, by_id, reviewer.id, rng)
        _seed_reviews(session, by_id, reviewer.id, rng)
        _totals(session, assessment, by_id, made, answered)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            # What autovacuum does a minute after a bulk load: without statistics the planner
            # takes 1,000 invitations for one, and nests loops over them.
            session.execute(text("ANALYZE"))
            session.commit()
        token = create_access_token(reviewer.id, SECRET, timedelta(hours=2))
        cookie = web_sessions.for_user(session, reviewer, timedelta(hours=2))
    finished = [i for i, r in by_id.items() if r["status"] is InvitationStatus.FINISHED]
    per_invitation = Counter(m[0] for m in made)
    heaviest = max(finished, key=lambda i: (per_invitation[i], -i))
    return Seeded(
        url=url,
        slug=spec.slug,
        catalog=catalog,
        invitations=by_id,
        submissions=len(made),
        answers=len(answered),
        scorecard_id=heaviest,
        staff_token=token,
        staff_cookie=cookie,
        seconds=time.perf_counter() - began,
    )


def _invitation_rows(
    assessment: Assessment, count: int, admin_id: int, rng: random.Random
) -> list[dict[str, Any]]:
    now = utcnow()
    limit = timedelta(minutes=assessment.time_limit_minutes or 90)
    rows = []
    for n, status in enumerate(_status_mix(count, rng), start=1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        token = secrets.token_urlsafe(32)
        created = now - timedelta(days=5) + timedelta(minutes=n * 7200 / max(count, 1))
        row: dict[str, Any] = {
            "assessment_id": assessment.id,
            "candidate_name": f"{first} {last}",
            "candidate_email": f"{first}.{last}.{n}@example.com".lower(),
            "external_id": f"ats-{n:06d}",
            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "token_prefix": f"inv_{token[:6]}",
            "status": status,
            "created_by_id": admin_id,
            "created_at": created,
            "opened_at": None,
            "started_at": None,
            "deadline_at": None,
            "finished_at": None,
            "finished_how": None,
            "revoked_at": None,
            "score": None,
            "needs_review": False,
        }
        if status is InvitationStatus.FINISHED:
            started = created + timedelta(hours=rng.uniform(1, 40))
            used = min(limit, timedelta(minutes=rng.uniform(25, 100)))
            row |= {
                "opened_at": started - timedelta(minutes=rng.uniform(1, 30)),
                "started_at": started,
                "deadline_at": started + limit,
                "finished_at": started + used,
                "finished_how": "deadline" if used == limit else "candidate",
            }
        elif status is InvitationStatus.STARTED:
            started = now - timedelta(minutes=rng.uniform(5, 80))
            row |= {"opened_at": started, "started_at": started, "deadline_at": started + limit}
        elif status is InvitationStatus.REVOKED:
            row["revoked_at"] = created + timedelta(hours=rng.uniform(1, 24))
        elif rng.random() < 0.5:
            row["opened_at"] = created + timedelta(hours=rng.uniform(1, 24))
        rows.append(row)
    return rows


#: (invitation id, item id, status, score, max score, submission id), one per submission made.
Made = tuple[int, int, SubmissionStatus, int | None, int | None, int]


def _seed_submissions(
    session: Session,
    assessment: Assessment,
    invitations: dict[int, dict[str, Any]],
    count: int,
    rng: random.Random,
) -> list[Made]:
    suites = [_suite(i, rng) for i in assessment.items if i.kind is ItemKind.CODING]
    active = [i for i, r in invitations.items() if r["started_at"] is not None]
    if not active:
        return []
    # Some candidates submit a lot, most a few times (weights of a skewed distribution), never
    # more than the assessment lets them.
    cap = assessment.max_submissions_per_item or count
    if count > cap * len(suites) * len(active):
        raise ValueError(f"{count} submissions do not fit {len(active)} candidates' caps")
    weights = [rng.paretovariate(2.0) for _ in active]
    per_slot: dict[tuple[int, int], int] = {}
    while sum(per_slot.values()) < count:
        for invitation_id in rng.choices(active, weights, k=count - sum(per_slot.values())):
            slot = (invitation_id, rng.randrange(len(suites)))
            if per_slot.get(slot, 0) < cap:
                per_slot[slot] = per_slot.get(slot, 0) + 1
    skill = {i: rng.uniform(0.1, 1.0) for i in active}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for (invitation_id, which), many in sorted(per_slot.items()):
        suite, row = suites[which], invitations[invitation_id]
        begun = row["started_at"]
        end = row["finished_at"] or now - timedelta(seconds=30)
        moments = sorted(rng.uniform(0, (end - begun).total_seconds()) for _ in range(many))
        for n, offset in enumerate(moments):
            created = begun + timedelta(seconds=offset)
            rows.append(
                _submission_row(
                    suite,
                    invitation_id,
                    created,
                    skill[invitation_id],
                    (n + 1) / many,
                    last_at_work=row["finished_at"] is None and n == many - 1,
                    rng=rng,
                )
            )
    rows.sort(key=lambda r: r["created_at"])  # ids in the order they were made
    ids = session.scalars(
        insert(Submission).returning(Submission.id, sort_by_parameter_order=True), rows
    ).all()
    gradings = []
    for submission_id, row in zip(ids, rows, strict=True):
        if row["status"].terminal:
            gradings.append(
                {
                    "submission_id": submission_id,
                    "round": 1,
                    "attempt": row["attempts"],
                    "reason": GradingReason.FIRST,
                    "challenge_version_id": row["challenge_version_id"],
                    "status": GradingStatus.COMPLETED
                    if row["status"] is SubmissionStatus.COMPLETED
                    else GradingStatus.INTERNAL_ERROR,
                    "verdict": row["verdict"],
                    "score": row["score"],
                    "max_score": row["max_score"],
                    "duration_ms": row["duration_ms"],
                    "result": row["result"],
                    "error": row["error"],
                    "started_at": row["started_at"],
                    "finished_at": row["finished_at"],
                }
            )
    if gradings:
        session.execute(insert(Grading), gradings)
    return [
        (r["invitation_id"], r["item_id"], r["status"], r["score"], r["max_score"], i)
        for i, r in zip(ids, rows, strict=True)
    ]


def _submission_row(
    suite: _Suite,
    invitation_id: int,
    created: datetime,
    skill: float,
    progress: float,
    last_at_work: bool,
    rng: random.Random,
) -> dict[str, Any]:
    item = suite.item
    row: dict[str, Any] = {
        "invitation_id": invitation_id,
        "item_id": item.id,
        "challenge_id": item.challenge_id,
        "challenge_version_id": item.challenge_version_id,
        "files": suite.files,
        "created_at": created,
        "updated_at": created,
        "attempts": 1,
        "verdict": None,
        "score": None,
        "max_score": None,
        "duration_ms": None,
        "result": None,
        "error": None,
        "started_at": None,
        "finished_at": None,
    }
    if last_at_work and rng.random() < 0.5:  # still in the queue, or being graded
        running = rng.random() < 0.3
        row["status"] = SubmissionStatus.RUNNING if running else SubmissionStatus.QUEUED
        row["started_at"] = created + timedelta(seconds=1) if running else None
        return row
    started = created + timedelta(seconds=rng.uniform(0.2, 3))
    if rng.random() < 0.003:  # the service gave up on it
        finished = started + timedelta(seconds=300)
        row |= {
            "status": SubmissionStatus.ERROR,
            "attempts": 3,
            "verdict": Verdict.INTERNAL_ERROR.value,
            "duration_ms": 0,
            "error": "grading failed 3 times; last: the Docker daemon did not answer",
            "started_at": started,
            "finished_at": finished,
            "updated_at": finished,
        }
        return row
    result = _result(suite, skill, progress, rng)
    finished = started + timedelta(milliseconds=result["duration_ms"] + 400)
    row |= {
        "status": SubmissionStatus.COMPLETED,
        "verdict": result["verdict"],
        "score": result["score"],
        "max_score": result["max_score"],
        "duration_ms": result["duration_ms"],
        "result": result,
        "started_at": started,
        "finished_at": finished,
        "updated_at": finished,
    }
    return row


#: (invitation id, item id, points that count, max points, awaits review), one per answer.
Answered = tuple[int, int, int, int, bool]


def _seed_answers(
    session: Session,
    assessment: Assessment,
    invitations: dict[int, dict[str, Any]],
    reviewer_id: int,
    rng: random.Random,
) -> list[Answered]:
    ready = [_answers(i) for i in assessment.items if i.kind is ItemKind.QUESTION]
    rows, answered = [], []
    for invitation_id, invitation in invitations.items():
        if invitation["started_at"] is None:
            continue
        done = invitation["finished_at"] is not None
        for entry in ready:
            if rng.random() > (0.95 if done else 0.5):
                continue
            pool = entry.right if entry.right and rng.random() < 0.65 else entry.wrong
            given = rng.choice(pool or entry.right)
            short = isinstance(entry.question, ShortAnswerQuestion)
            reviewed = short and done and rng.random() < 0.6
            reviewed_points = (
                min(entry.question.points, max(0, given["points"] + rng.choice([-1, 0, 0, 1])))
                if reviewed
                else None
            )
            answered_at = invitation["started_at"] + timedelta(minutes=rng.uniform(1, 20))
            rows.append(
                {
                    "invitation_id": invitation_id,
                    "item_id": entry.item.id,
                    "answer": given["answer"],
                    "answered_at": answered_at,
                    "points": given["points"],
                    "max_points": entry.question.points,
                    "matched": given["matched"],
                    "reviewed_points": reviewed_points,
                    "review_comment": "agreed" if reviewed else None,
                    "reviewed_by_id": reviewer_id if reviewed else None,
                    "reviewed_at": answered_at + timedelta(days=1) if reviewed else None,
                }
            )
            counts = reviewed_points if reviewed_points is not None else given["points"]
            answered.append(
                (
                    invitation_id,
                    entry.item.id,
                    counts,
                    entry.question.points,
                    short and not reviewed,
                )
            )
    if rows:
        session.execute(insert(Answer), rows)
    return answered


def _seed_reviews(
    session: Session, invitations: dict[int, dict[str, Any]], reviewer_id: int, rng: random.Random
) -> None:
    """Decisions on a third of the finished candidates, a note on one in ten."""
    notes = []
    for invitation_id, row in invitations.items():
        if row["status"] is not InvitationStatus.FINISHED:
            continue
        if rng.random() < 0.3:
            row |= {
                "decision": rng.choice(list(Decision)),
                "decision_comment": "discussed in the hiring meeting",
                "decided_by_id": reviewer_id,
                "decided_at": row["finished_at"] + timedelta(days=1),
            }
        if rng.random() < 0.1:
            notes.append(
                {
                    "invitation_id": invitation_id,
                    "author_id": reviewer_id,
                    "body": "Clean code; missed the 404 on update.",
                    "created_at": row["finished_at"] + timedelta(hours=3),
                }
            )
    if notes:
        session.execute(insert(ReviewNote), notes)


def _totals(
    session: Session,
    assessment: Assessment,
    invitations: dict[int, dict[str, Any]],
    made: list[Made],
    answered: list[Answered],
) -> None:
    """Each invitation's total and `needs_review`, as `scorecards.refresh` keeps them (best
    submission per coding item; reviewed, else proposed, points per question; weights out of
    100), written in one bulk update. `tests/unit/test_bench_assessments.py` checks they are
    what `refresh` computes."""
    weight = {item.id: item.weight for item in assessment.items}
    best: dict[tuple[int, int], float] = {}
    touched = set()
    for invitation_id, item_id, status, score, max_score, _ in made:
        if status is SubmissionStatus.COMPLETED and max_score:
            touched.add(invitation_id)
            key = (invitation_id, item_id)
            best[key] = max(best.get(key, 0.0), (score or 0) / max_score)
    earned: dict[int, float] = {}
    for (invitation_id, item_id), fraction in best.items():
        earned[invitation_id] = earned.get(invitation_id, 0.0) + fraction * weight[item_id]
    review: dict[int, bool] = {}
    for invitation_id, item_id, points, max_points, waits in answered:
        touched.add(invitation_id)
        gained = points / max_points * weight[item_id] if max_points else 0.0
        earned[invitation_id] = earned.get(invitation_id, 0.0) + gained
        review[invitation_id] = review.get(invitation_id, False) or waits
    updates = []
    for invitation_id, row in invitations.items():
        if row["status"] is InvitationStatus.FINISHED or invitation_id in touched:
            row["score"] = round(earned.get(invitation_id, 0.0), 2)
            row["needs_review"] = review.get(invitation_id, False)
        decided = {k: row.get(k) for k in ("decision", "decision_comment", "decided_by_id")}
        updates.append(
            {
                "id": invitation_id,
                "score": row["score"],
                "needs_review": row["needs_review"],
                **decided,
                "decided_at": row.get("decided_at"),
            }
        )
    session.execute(update(Invitation), updates)


# --- what the answers must be -------------------------------------------------------------------


def expected_order(seeded: Seeded, sort: str, descending: bool) -> list[int]:
    """Invitation ids in the table's order: `sort` (nulls last either way), then id."""
    keys: dict[str, Callable[[int], Any]] = {
        "score": lambda i: seeded.invitations[i]["score"],
        "time_used": seeded.time_used,
    }
    key = keys[sort]
    present = [i for i in seeded.invitations if key(i) is not None]
    missing = sorted(i for i in seeded.invitations if key(i) is None)
    present.sort(key=lambda i: (-key(i) if descending else key(i), i))
    return present + missing


def _ids(response: httpx.Response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def check_top_by_score(seeded: Seeded, response: httpx.Response) -> None:
    body = response.json()
    want = expected_order(seeded, "score", descending=True)[: body["limit"]]
    _expect("first page by score", _ids(response), want)
    _expect("total", body["total"], len(seeded.invitations))


def check_by_time_used(seeded: Seeded, response: httpx.Response) -> None:
    body = response.json()
    order = expected_order(seeded, "time_used", descending=False)
    want = order[body["offset"] : body["offset"] + body["limit"]]
    _expect("page by time used", _ids(response), want)


def check_search(seeded: Seeded, response: httpx.Response) -> None:
    want = sorted(
        i
        for i, r in seeded.invitations.items()
        if NEEDLE in r["candidate_name"].lower() and r["status"] is InvitationStatus.FINISHED
    )
    _expect("search total", response.json()["total"], len(want))
    _expect("search page", _ids(response), want[: response.json()["limit"]])


def check_report(seeded: Seeded, response: httpx.Response) -> None:
    body = response.json()
    _expect("report: invitations", body["invitations"], len(seeded.invitations))
    finished = sum(r["status"] is InvitationStatus.FINISHED for r in seeded.invitations.values())
    _expect("report: distribution", sum(body["distribution"]), finished)
    tests = [t for item in body["items"] if item["kind"] == "coding" for t in item["tests"]]
    if seeded.submissions and not tests:
        raise AssertionError("report: no per-test pass rates")


def check_scorecard(seeded: Seeded, response: httpx.Response) -> None:
    body = response.json()
    _expect("scorecard: total", body["total"], seeded.invitations[seeded.scorecard_id]["score"])


def check_scorecard_page(seeded: Seeded, response: httpx.Response) -> None:
    name = seeded.invitations[seeded.scorecard_id]["candidate_name"]
    if not response.headers["content-type"].startswith("text/html") or name not in response.text:
        raise AssertionError("the printable scorecard does not name its candidate")


def check_csv(seeded: Seeded, response: httpx.Response) -> None:
    rows = list(csv.DictReader(io.StringIO(response.text)))
    _expect("CSV rows", len(rows), len(seeded.invitations))
    scores = {int(r["invitation"]): r["score"] for r in rows}
    want = {i: "" if r["score"] is None else str(r["score"]) for i, r in seeded.invitations.items()}
    _expect("CSV scores", scores, want)


def _expect(what: str, got: Any, want: Any) -> None:
    if got != want:
        raise AssertionError(f"{what}: got {str(got)[:300]}, expected {str(want)[:300]}")


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One request: its path (formatted with `slug`, `invitation`: the heaviest scorecard,
    `needle`: the search, `middle`: the offset of the table's middle page) and how to check its
    answer against the seeded data."""

    name: str
    path: str
    check: Callable[[Seeded, httpx.Response], None] | None = None

    def url(self, seeded: Seeded) -> str:
        middle = len(seeded.invitations) // 2 // PAGE * PAGE
        return self.path.format(
            slug=seeded.slug, invitation=seeded.scorecard_id, needle=NEEDLE, middle=middle
        )


V1 = "/api/v1"
PAGE = 50
TABLE = V1 + "/assessments/{slug}/invitations"
PROBES = [
    Probe("GET /healthz (the floor)", "/healthz"),
    Probe("table: first page by score", TABLE + "?sort=score&descending=true", check_top_by_score),
    Probe(
        "table: middle page by time used",
        TABLE + "?sort=time_used&offset={middle}&limit=" + str(PAGE),
        check_by_time_used,
    ),
    Probe("table: search, finished", TABLE + "?search={needle}&status=finished", check_search),
    Probe("report", V1 + "/assessments/{slug}/report", check_report),
    Probe("scorecard (JSON)", V1 + "/invitations/{invitation}/scorecard", check_scorecard),
    Probe(
        "scorecard (printable HTML)",
        V1 + "/invitations/{invitation}/scorecard.html",
        check_scorecard_page,
    ),
    Probe("CSV export (every invitation)", V1 + "/assessments/{slug}/report.csv", check_csv),
]
def check_candidates_page(seeded: Seeded, response: httpx.Response) -> None:
    """The reviewer's candidates table: the page of the 50 best, best first."""
    best = expected_order(seeded, "score", True)[:PAGE]
    links = [int(i) for i in re.findall(r'href="/staff/invitations/(\d+)"', response.text)]
    _expect("candidates page: rows", links, best)


def check_stats_page(seeded: Seeded, response: httpx.Response) -> None:
    if "Score distribution" not in response.text or "Pass rate per test" not in response.text:
        raise AssertionError("the statistics page lacks its distribution or pass rates")


def check_staff_scorecard(seeded: Seeded, response: httpx.Response) -> None:
    name = seeded.invitations[seeded.scorecard_id]["candidate_name"]
    if name not in response.text or "Record the decision" not in response.text:
        raise AssertionError("the scorecard page lacks its candidate or its decision form")


#: Server-rendered staff pages, reached with the reviewer's browser session (cookie): the
#: candidates table must render in well under a second at 1,000 invitations.
PAGES: list[Probe] = [
    Probe(
        "candidates page (HTML, best first)",
        "/staff/assessments/{slug}?sort=score&desc=true",
        check_candidates_page,
    ),
    Probe("statistics fragment (HTML)", "/staff/assessments/{slug}/stats", check_stats_page),
    Probe("scorecard page (HTML)", "/staff/invitations/{invitation}", check_staff_scorecard),
]


class QueryCounter:
    """SQL statements sent through an engine (`before_cursor_execute`)."""

    def __init__(self, url: str) -> None:
        self.count = 0
        self.engine = get_engine(url)
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@dataclass
class App:
    seeded: Seeded
    http: TestClient
    queries: QueryCounter

    def call(self, probe: Probe) -> tuple[float, int, httpx.Response]:
        """Seconds, SQL statements, the answer (checked)."""
        before = self.queries.count
        started = time.perf_counter()
        response = self.http.get(
            probe.url(self.seeded), headers={"Authorization": f"Bearer {self.seeded.staff_token}"}
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise AssertionError(f"{probe.name}: {response.status_code} {response.text[:300]}")
        if probe.check is not None:
            probe.check(self.seeded, response)
        return elapsed, self.queries.count - before, response


@contextmanager
def serving(seeded: Seeded, redis_url: str) -> Iterator[App]:
    """The real app on the seeded database, started (lifespan included) around the block."""
    settings = Settings(
        database_url=seeded.url,
        redis_url=redis_url,
        challenges_dir=seeded.catalog,
        questions_dir=QUESTIONS,
        secret_key=SECRET,
        rate_limit_per_minute=100_000,
    )
    counter = QueryCounter(seeded.url)
    try:
        with TestClient(create_app(settings)) as http:
            http.cookies.set(COOKIE, seeded.staff_cookie)
            yield App(seeded, http, counter)
    finally:
        counter.close()


@contextmanager
def database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """A fresh, empty database's URL: an SQLite file in `folder`, or a throwaway PostgreSQL
    database (dropped after)."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{name}.db'}"
        try:
            yield url
        finally:
            get_engine(url).dispose()
        return
    db = f"grader_bench_{name}_{secrets.token_hex(4)}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@dataclass
class Figures:
    times: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def p95_ms(self) -> float:
        return p95(self.times) * 1000

    @property
    def query_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def measure(apps: list[App], probes: list[Probe], runs: int) -> list[dict[str, Figures]]:
    """Each probe on each app, `runs` times, interleaved (after one checked warm-up round)."""
    figures: list[dict[str, Figures]] = [{p.name: Figures() for p in probes} for _ in apps]
    for app in apps:
        for probe in probes:
            app.call(probe)
    for _ in range(runs):
        for probe in probes:
            for app, mine in zip(apps, figures, strict=True):
                elapsed, queries, _ = app.call(probe)
                mine[probe.name].times.append(elapsed)
                mine[probe.name].queries.add(queries)
    return figures


def table(
    kind: str, small: Seeded, big: Seeded, figures: list[dict[str, Figures]], load: float
) -> str:
    """The Markdown table the README quotes."""
    base, rush = figures
    lines = [
        f"{kind}: {len(big.invitations):,} invitations / {big.submissions:,} submissions "
        f"(seeded in {big.seconds:.1f} s) vs {len(small.invitations):,} / "
        f"{small.submissions:,}; load average {load:.1f} on {os.cpu_count()} cores",
        "",
        f"| request | SQL statements | {len(small.invitations):,} inv.: median (p95) | "
        f"{len(big.invitations):,} inv.: median (p95) | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, a in base.items():
        b = rush[name]
        queries = a.query_text if a.queries == b.queries else f"{a.query_text} / {b.query_text}"
        lines.append(
            f"| {name} | {queries} | {a.median_ms:.1f} ms ({a.p95_ms:.1f}) | "
            f"{b.median_ms:.1f} ms ({b.p95_ms:.1f}) | {b.median_ms / a.median_ms:.2f} |"
        )
    return "\n".join(lines)


def _extra(spec: str) -> Probe:
    name, _, path = spec.partition("=")
    if not path.startswith("/"):
        raise argparse.ArgumentTypeError("--path takes NAME=/path/{slug}/...")
    return Probe(name, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invitations", type=int, default=1000)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--base-invitations", type=int, default=10)
    parser.add_argument("--base-submissions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--path",
        type=_extra,
        action="append",
        default=[],
        help="Another GET to measure: NAME=/path, with {slug}, {invitation}, {needle}, {middle}.",
    )
    args = parser.parse_args()
    probes = PROBES + PAGES + args.path
    # 0005's batch migration of `users` handles the expression index it cannot reflect.
    warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
    for kind in args.databases.split(","):
        with (
            tempfile.TemporaryDirectory(prefix="grader-bench-assessments-") as folder,
            database(kind, root := Path(folder), "base") as base_url,
            database(kind, root, "rush") as rush_url,
        ):
            small = seed(base_url, args.base_invitations, args.base_submissions, root / "catalog")
            big = seed(rush_url, args.invitations, args.submissions, root / "catalog")
            print(
                f"{kind}: seeded {len(big.invitations)} invitations, {big.submissions} "
                f"submissions, {big.answers} answers in {big.seconds:.1f} s",
                flush=True,
            )
            with serving(small, args.redis_url) as a, serving(big, args.redis_url) as b:
                figures = measure([a, b], probes, args.runs)
            load = os.getloadavg()[0]  # the last minute's: how much else the cores were doing
            print(table(kind, small, big, figures, load) + "\n", flush=True)


if __name__ == "__main__":
    main()

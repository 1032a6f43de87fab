"""Submissions: validate, store, enqueue; read back with the caller's visibility."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grader.db.models import Challenge, Submission, SubmissionStatus, User, utcnow
from grader.errors import Conflict, InvalidSubmission, NotFound, SubmissionTooLarge
from grader.services.challenges import get_open_challenge
from worker.challenge import SOURCE_SUFFIXES, Files

log = logging.getLogger(__name__)

#: One path segment: starts with a letter, digit or underscore; no spaces, no control characters.
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
MAX_PATH = 200
MAX_DEPTH = 5

Enqueue = Callable[[int, int], None]
"""enqueue(submission_id, attempt)"""


@dataclass(frozen=True)
class SubmissionRules:
    max_files: int
    max_bytes: int


@dataclass(frozen=True)
class Submitter:
    """Who submits or reads: a user, or an API key (a service acting for people)."""

    user_id: int | None
    api_key_id: int | None
    sees_all: bool


def validate_files(files: Mapping[str, Any], rules: SubmissionRules) -> Files:
    """The files if they follow every rule, else `InvalidSubmission` saying which one broke."""
    if not isinstance(files, Mapping) or not files:
        raise InvalidSubmission(
            "`files` must map file names to their text, with main.py among them"
        )
    if len(files) > rules.max_files:
        raise InvalidSubmission(f"{len(files)} files; a submission holds at most {rules.max_files}")
    total = 0
    clean: Files = {}
    for name, text in files.items():
        check_file_name(name)
        if not isinstance(text, str):
            raise InvalidSubmission(f"{name}: the content must be a string of UTF-8 text")
        try:
            total += len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise InvalidSubmission(f"{name}: not valid UTF-8 text ({exc.reason})") from exc
        if "\x00" in text:
            raise InvalidSubmission(
                f"{name}: contains a NUL character; only text files are accepted"
            )
        clean[name] = text
    if "main.py" not in clean:
        raise InvalidSubmission("no main.py: the app must be defined as `app` in main.py")
    if total > rules.max_bytes:
        raise SubmissionTooLarge(
            f"the files hold {total} bytes; a submission holds at most {rules.max_bytes}"
        )
    return clean


def check_file_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise InvalidSubmission("a file name is empty")
    shown = ascii(name)
    if len(name) > MAX_PATH:
        raise InvalidSubmission(f"file name {shown} is longer than {MAX_PATH} characters")
    if name.startswith("/") or "\\" in name or ":" in name:
        raise InvalidSubmission(f"file name {shown}: give a relative POSIX path like app/models.py")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidSubmission(
            f"file name {shown}: empty, '.' or '..' path segments are not allowed"
        )
    if len(parts) > MAX_DEPTH:
        raise InvalidSubmission(f"file name {shown} is nested deeper than {MAX_DEPTH} levels")
    bad = next((part for part in parts if not SEGMENT_RE.match(part)), None)
    if bad is not None:
        raise InvalidSubmission(
            f"file name {shown}: use letters, digits, '_', '-' and '.' only, starting with a "
            "letter, digit or '_'"
        )
    if PurePosixPath(name).suffix not in SOURCE_SUFFIXES:
        raise InvalidSubmission(
            f"file name {shown}: only {', '.join(sorted(SOURCE_SUFFIXES))} files are accepted"
        )


def create_submission(
    session: Session,
    submitter: Submitter,
    challenge_slug: str,
    files: Mapping[str, Any],
    rules: SubmissionRules,
    enqueue: Enqueue,
    callback_url: str | None = None,
) -> Submission:
    """Store a valid submission as queued, commit, then enqueue its first attempt.

    If the enqueue fails the row stays queued and the reaper enqueues it later: a submission
    accepted is never lost, at worst late.
    """
    challenge = get_open_challenge(session, challenge_slug)
    clean = validate_files(files, rules)
    assert challenge.current_version_id is not None
    now = utcnow()
    submission = Submission(
        user_id=submitter.user_id,
        api_key_id=submitter.api_key_id,
        challenge_id=challenge.id,
        challenge_version_id=challenge.current_version_id,
        files=clean,
        callback_url=callback_url,
        status=SubmissionStatus.QUEUED,
        attempts=1,
        created_at=now,
        updated_at=now,
    )
    session.add(submission)
    session.commit()
    try:
        enqueue(submission.id, submission.attempts)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission.id)
    return submission


def get_submission(session: Session, submission_id: int, reader: Submitter) -> Submission:
    """The submission if `reader` may see it; others' look exactly like missing ones."""
    submission = session.get(Submission, submission_id)
    if submission is None or not _visible(submission, reader):
        raise NotFound(f"no submission {submission_id}")
    return submission


def _visible(submission: Submission, reader: Submitter) -> bool:
    return reader.sees_all or (reader.user_id is not None and submission.user_id == reader.user_id)


@dataclass(frozen=True)
class SubmissionFilter:
    challenge: str | None = None
    username: str | None = None
    status: SubmissionStatus | None = None


def list_submissions(
    session: Session, reader: Submitter, filters: SubmissionFilter, offset: int, limit: int
) -> tuple[list[Submission], int]:
    """A page of the submissions `reader` may see, newest first, and the total matching."""
    query = select(Submission)
    if not reader.sees_all:
        query = query.where(Submission.user_id == (reader.user_id or -1))
    if filters.challenge:
        query = query.join(Challenge, Submission.challenge_id == Challenge.id).where(
            Challenge.slug == filters.challenge
        )
    if filters.username:
        query = query.join(User, Submission.user_id == User.id).where(
            User.username == filters.username
        )
    if filters.status:
        query = query.where(Submission.status == filters.status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Submission.id.desc()).offset(offset).limit(limit)).all()
    return list(page), total


def regrade(session: Session, submission_id: int, enqueue: Enqueue) -> Submission:
    """Grade a finished submission again, against its challenge's current version (e.g. after
    a suite was fixed). The previous result is replaced."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id}")
    if not submission.status.terminal:
        raise Conflict(f"submission {submission_id} is {submission.status.value}; wait for it")
    version_id = submission.challenge.current_version_id
    now = utcnow()
    updated = session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.attempts == submission.attempts,
            Submission.status == submission.status,
        )
        .values(
            status=SubmissionStatus.QUEUED,
            attempts=submission.attempts + 1,
            challenge_version_id=version_id,
            verdict=None,
            score=None,
            max_score=None,
            duration_ms=None,
            result=None,
            error=None,
            started_at=None,
            finished_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if updated != 1:
        raise Conflict(f"submission {submission_id} changed meanwhile; try again")
    session.refresh(submission)
    try:
        enqueue(submission.id, submission.attempts)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission.id)
    return submission


def regrade_challenge(session: Session, slug: str, enqueue: Enqueue) -> list[Submission]:
    """Grade again, against the current version, the latest finished submission of every user
    of a challenge (e.g. after its suite was fixed). Submissions still in progress, and those
    made through API keys (which act for many people), are left alone."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug))
    if challenge is None:
        raise NotFound(f"no challenge {slug!r}")
    latest = (
        select(func.max(Submission.id))
        .where(Submission.challenge_id == challenge.id, Submission.user_id.is_not(None))
        .group_by(Submission.user_id)
    )
    ids = list(session.scalars(latest))
    submissions = session.scalars(select(Submission).where(Submission.id.in_(ids))).all()
    return [
        regrade(session, submission.id, enqueue)
        for submission in sorted(submissions, key=lambda s: s.id)
        if submission.status.terminal
    ]

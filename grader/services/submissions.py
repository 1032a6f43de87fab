"""Submissions: validate, store, enqueue; read back with the caller's visibility."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.db.models import (
    Challenge,
    IdempotencyKey,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from grader.errors import Conflict, InvalidSubmission, NotFound, SubmissionTooLarge
from grader.services.challenges import get_open_challenge
from grader.services.grading import Enqueue, regrade_round
from worker.challenge import SOURCE_SUFFIXES, Files

log = logging.getLogger(__name__)

#: One path segment: starts with a letter, digit or underscore; no spaces, no control characters.
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
MAX_PATH = 200
MAX_DEPTH = 5


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


def validate_files(
    files: Mapping[str, Any], rules: SubmissionRules, require_main: bool = True
) -> Files:
    """The files if they follow every rule, else `InvalidSubmission` saying which one broke.
    (A draft being edited may lack main.py for a while: `require_main=False`.)"""
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
    if require_main and "main.py" not in clean:
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


@dataclass(frozen=True)
class NewSubmission:
    """What a caller asks to have graded."""

    challenge: str
    files: Mapping[str, Any]
    callback_url: str | None = None
    external_id: str | None = None

    def fingerprint(self) -> str:
        """A hash of the request: the same `Idempotency-Key` must come with the same one."""
        document = {
            "challenge": self.challenge,
            "files": dict(self.files),
            "callback_url": self.callback_url,
            "external_id": self.external_id,
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Placement:
    """A submission made to an assessment's item: graded against the version the item pins,
    whatever the catalog says (or whether the challenge was archived since)."""

    invitation_id: int
    item_id: int
    challenge_id: int
    version_id: int


@dataclass(frozen=True)
class Idempotency:
    """An `Idempotency-Key` and whose it is (keys of different callers never meet)."""

    caller: str
    key: str
    kept_for: timedelta


def create_submission(
    session: Session,
    submitter: Submitter,
    request: NewSubmission,
    rules: SubmissionRules,
    enqueue: Enqueue,
    idempotency: Idempotency | None = None,
    placement: Placement | None = None,
) -> tuple[Submission, bool]:
    """Store a valid submission as queued, commit, then enqueue its first attempt; returns it
    and whether it is new.

    With `idempotency`, a key seen before (within `kept_for`) with the same request returns the
    first submission again, with another request is a `Conflict`; two requests racing with one
    key make one submission. If the enqueue fails the row stays queued and the reaper enqueues
    it later: a submission accepted is never lost, at worst late.
    """
    if idempotency is not None:
        earlier = replay(session, idempotency, request)
        if earlier is not None:
            return earlier, False
    if placement is None:
        challenge = get_open_challenge(session, request.challenge)
        assert challenge.current_version_id is not None
        challenge_id, version_id = challenge.id, challenge.current_version_id
    else:
        challenge_id, version_id = placement.challenge_id, placement.version_id
    clean = validate_files(request.files, rules)
    now = utcnow()
    submission = Submission(
        user_id=submitter.user_id,
        api_key_id=submitter.api_key_id,
        external_id=request.external_id,
        challenge_id=challenge_id,
        challenge_version_id=version_id,
        invitation_id=placement.invitation_id if placement else None,
        item_id=placement.item_id if placement else None,
        files=clean,
        callback_url=request.callback_url,
        status=SubmissionStatus.QUEUED,
        round=1,
        attempts=1,
        created_at=now,
        updated_at=now,
    )
    session.add(submission)
    if idempotency is not None:
        session.flush()
        session.add(
            IdempotencyKey(
                caller=idempotency.caller,
                key=idempotency.key,
                request_hash=request.fingerprint(),
                submission_id=submission.id,
                created_at=now,
            )
        )
    try:
        session.commit()
    except IntegrityError:  # the same key, committed by a concurrent request first
        session.rollback()
        assert idempotency is not None
        earlier = replay(session, idempotency, request)
        if earlier is None:
            raise
        return earlier, False
    try:
        enqueue(submission.id, submission.round, submission.attempts)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission.id)
    return submission, True


def replay(session: Session, idempotency: Idempotency, request: NewSubmission) -> Submission | None:
    """The submission a still-valid key made, if any; `Conflict` if made with another request.
    An expired key is forgotten here."""
    stored = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.caller == idempotency.caller, IdempotencyKey.key == idempotency.key
        )
    )
    if stored is None:
        return None
    if stored.created_at < utcnow() - idempotency.kept_for:
        session.delete(stored)
        session.commit()
        return None
    if stored.request_hash != request.fingerprint():
        raise Conflict(
            f"the Idempotency-Key {idempotency.key!r} was used for another request (submission "
            f"{stored.submission_id}); use a new key for a new submission"
        )
    return session.get(Submission, stored.submission_id)


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
    external_id: str | None = None


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
    if filters.external_id:
        query = query.where(Submission.external_id == filters.external_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Submission.id.desc()).offset(offset).limit(limit)).all()
    return list(page), total


def regrade(
    session: Session, submission_id: int, enqueue: Enqueue, requested_by: int | None = None
) -> Submission:
    """Grade a finished submission again, against its challenge's current version (e.g. after
    a suite was fixed), as a new round: its retries are its own, and the previous gradings
    stay in its history."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id}")
    if not submission.status.terminal:
        raise Conflict(f"submission {submission_id} is {submission.status.value}; wait for it")
    # An assessment's submission stays on the version its item pins.
    pinned = submission.item.challenge_version_id if submission.item else None
    version_id = pinned or submission.challenge.current_version_id
    assert version_id is not None
    if not regrade_round(session, submission, version_id, requested_by):
        raise Conflict(f"submission {submission_id} changed meanwhile; try again")
    session.refresh(submission)
    try:
        enqueue(submission.id, submission.round, submission.attempts)
    except Exception:
        log.exception("could not enqueue submission %s; the reaper will retry", submission.id)
    return submission


def regrade_challenge(
    session: Session, slug: str, enqueue: Enqueue, requested_by: int | None = None
) -> list[Submission]:
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
        regrade(session, submission.id, enqueue, requested_by)
        for submission in sorted(submissions, key=lambda s: s.id)
        if submission.status.terminal
    ]


def count_by_status(session: Session) -> dict[SubmissionStatus, int]:
    """Every status with its number of submissions (0 for none): metrics and operations."""
    counts = dict(
        session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
    )
    return {status: counts.get(status, 0) for status in SubmissionStatus}

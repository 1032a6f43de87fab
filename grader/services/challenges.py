"""The challenge catalog in the database: folders on disk are synced in as immutable versions."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.db.models import Challenge, ChallengeStatus, ChallengeVersion
from grader.errors import ChallengeClosed, NotFound
from worker.challenge import ChallengeError, ChallengeSpec, load_challenge

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)


def content_hash(spec: ChallengeSpec) -> str:
    return hashlib.sha256(
        json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


def store_version(session: Session, spec: ChallengeSpec) -> tuple[Challenge, bool]:
    """Make `spec` the challenge's current version; (challenge, whether anything changed)."""
    digest = content_hash(spec)
    challenge = session.scalar(select(Challenge).where(Challenge.slug == spec.slug))
    if challenge is None:
        challenge = Challenge(slug=spec.slug)
        session.add(challenge)
        session.flush()
    elif challenge.current_version and challenge.current_version.content_hash == digest:
        return challenge, False
    version = new_version(session, challenge, spec)
    session.flush()
    challenge.current_version = version
    return challenge, True


def new_version(
    session: Session, challenge: Challenge, spec: ChallengeSpec, **fields: object
) -> ChallengeVersion:
    """Add `spec` as the challenge's next version number (not yet current)."""
    number = (
        session.scalar(
            select(func.max(ChallengeVersion.number)).where(
                ChallengeVersion.challenge_id == challenge.id
            )
        )
        or 0
    ) + 1
    version = ChallengeVersion(
        challenge_id=challenge.id,
        number=number,
        declared_version=spec.meta.version,
        title=spec.meta.title,
        content_hash=content_hash(spec),
        content=spec.model_dump(mode="json"),
        **fields,
    )
    session.add(version)
    return version


def sync_catalog(session: Session, root: Path) -> SyncReport:
    """Load every challenge folder under `root`; a changed one gets a new version.

    A folder that does not load is reported and skipped: the version already live stays live.
    Archived challenges stay archived.
    """
    report = SyncReport()
    for folder in sorted(p for p in root.iterdir() if (p / "challenge.toml").is_file()):
        try:
            spec = load_challenge(folder)
        except ChallengeError as exc:
            report.broken[folder.name] = str(exc)
            log.warning("challenge %s not loaded: %s", folder.name, exc)
            continue
        existed = session.scalar(select(Challenge.id).where(Challenge.slug == spec.slug))
        _, changed = store_version(session, spec)
        (report.unchanged if not changed else report.updated if existed else report.added).append(
            spec.slug
        )
    session.commit()
    return report


def list_challenges(
    session: Session, status: ChallengeStatus | None, with_pending: bool = False
) -> list[Challenge]:
    """Challenges with a live version (or, `with_pending`, any: a first upload being
    validated), of one status or (None) of any."""
    query = select(Challenge)
    if not with_pending:
        query = query.where(Challenge.current_version_id.is_not(None))
    if status is not None:
        query = query.where(Challenge.status == status)
    return list(session.scalars(query.order_by(Challenge.slug)))


def get_challenge(
    session: Session, slug: str, include_archived: bool = False, pending: bool = False
) -> Challenge:
    """The challenge by slug. Archived ones only with `include_archived`; ones with no live
    version yet (an upload being validated) only with `pending`."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug))
    if (
        challenge is None
        or (challenge.current_version is None and not pending)
        or (challenge.status is ChallengeStatus.ARCHIVED and not include_archived)
    ):
        raise NotFound(f"no challenge {slug!r}")
    return challenge


def get_open_challenge(session: Session, slug: str) -> Challenge:
    """The challenge if it takes submissions."""
    challenge = get_challenge(session, slug, include_archived=True)
    if challenge.status is not ChallengeStatus.ACTIVE:
        raise ChallengeClosed(f"the challenge {slug!r} is archived and takes no submissions")
    return challenge


def spec_of(version: ChallengeVersion) -> ChallengeSpec:
    return ChallengeSpec.model_validate(version.content)


def set_status(session: Session, slug: str, status: ChallengeStatus) -> Challenge:
    """Archive (no new submissions, hidden from candidates) or restore a challenge."""
    challenge = get_challenge(session, slug, include_archived=True)
    challenge.status = status
    session.commit()
    return challenge


def list_versions(session: Session, slug: str) -> list[ChallengeVersion]:
    """Every version of a challenge, pending and rejected uploads included, oldest first."""
    challenge = get_challenge(session, slug, include_archived=True, pending=True)
    return list(
        session.scalars(
            select(ChallengeVersion)
            .where(ChallengeVersion.challenge_id == challenge.id)
            .order_by(ChallengeVersion.number)
        )
    )

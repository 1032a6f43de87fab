"""The catalog as candidates see it: prompt and starter files, never the hidden suite."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile, status

from grader.api.deps import AdminUser, CurrentPrincipal, RedisDep, SessionDep, SettingsDep, Slug
from grader.api.schemas import (
    ChallengeDetail,
    ChallengeSummary,
    ChallengeVersionOut,
    SubmissionOut,
    error_responses,
)
from grader.db.models import ChallengeStatus
from grader.queue import enqueue_grading, enqueue_validation, grading_queue
from grader.services import challenges, submissions, uploads

router = APIRouter(prefix="/challenges", tags=["challenges"], responses=error_responses(401))


@router.get("")
def list_challenges(_: CurrentPrincipal, session: SessionDep) -> list[ChallengeSummary]:
    return [ChallengeSummary.of(c) for c in challenges.list_active(session)]


@router.get("/{slug}", responses=error_responses(404))
def read_challenge(slug: Slug, principal: CurrentPrincipal, session: SessionDep) -> ChallengeDetail:
    return ChallengeDetail.of(
        challenges.get_challenge(session, slug, include_archived=principal.is_admin)
    )


@router.post("/{slug}/archive", responses=error_responses(403, 404))
def archive_challenge(slug: Slug, _: AdminUser, session: SessionDep) -> ChallengeSummary:
    """Stop taking submissions; existing ones keep their results."""
    return ChallengeSummary.of(challenges.set_status(session, slug, ChallengeStatus.ARCHIVED))


@router.post("/{slug}/restore", responses=error_responses(403, 404))
def restore_challenge(slug: Slug, _: AdminUser, session: SessionDep) -> ChallengeSummary:
    return ChallengeSummary.of(challenges.set_status(session, slug, ChallengeStatus.ACTIVE))


@router.post(
    "/{slug}/regrade",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(403, 404),
)
def regrade_challenge(
    slug: Slug, _: AdminUser, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> list[SubmissionOut]:
    """Re-queue the latest finished submission of every user against the current version."""
    queue = grading_queue(redis, settings.job_timeout_seconds)
    regraded = submissions.regrade_challenge(
        session, slug, lambda sid, attempt: enqueue_grading(queue, sid, attempt)
    )
    return [SubmissionOut.of(s, staff=True) for s in regraded]


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, responses=error_responses(400, 403, 413, 422)
)
def upload_challenge(
    file: UploadFile, _: AdminUser, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> ChallengeVersionOut:
    """Upload a challenge folder as .zip or .tar.gz. It is stored as a pending version and goes
    live only once a worker has proven its suite (reference 100, starter and mutants less)."""
    data = file.file.read(settings.max_upload_bytes + 1)
    limits = uploads.ArchiveLimits(settings.max_upload_bytes, settings.max_unpacked_bytes)
    spec = uploads.load_uploaded(uploads.read_archive(data, limits))
    queue = grading_queue(redis, settings.job_timeout_seconds)
    version = uploads.add_pending_version(
        session, spec, lambda version_id: enqueue_validation(queue, version_id)
    )
    return ChallengeVersionOut.model_validate(version)


@router.get("/{slug}/versions", responses=error_responses(403, 404))
def list_versions(slug: Slug, _: AdminUser, session: SessionDep) -> list[ChallengeVersionOut]:
    return [ChallengeVersionOut.model_validate(v) for v in challenges.list_versions(session, slug)]

"""The catalog as candidates see it: prompt and starter files, never the hidden suite."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, UploadFile, status

from grader.api.deps import AdminUser, CurrentPrincipal, RedisDep, SessionDep, SettingsDep, Slug
from grader.api.schemas import (
    ChallengeDetail,
    ChallengeSummary,
    ChallengeVersionOut,
    SubmissionOut,
    error_responses,
)
from grader.db.models import ChallengeStatus
from grader.queue import enqueue_validation, grading_enqueuer, grading_queue
from grader.services import challenges, submissions, uploads

router = APIRouter(prefix="/challenges", tags=["challenges"], responses=error_responses(401, 422))


@router.get("", responses=error_responses(403))
def list_challenges(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Annotated[
        ChallengeStatus | None, Query(description="Admins: `archived` lists archived ones.")
    ] = None,
    include_archived: Annotated[
        bool, Query(description="Admins: list archived challenges too.")
    ] = False,
) -> list[ChallengeSummary]:
    """The catalog. Candidates see active challenges; admins may list archived ones, to
    restore them."""
    if (include_archived or status is ChallengeStatus.ARCHIVED) and not principal.is_admin:
        raise HTTPException(403, "only admins see archived challenges")
    shown = None if include_archived and status is None else status or ChallengeStatus.ACTIVE
    return [ChallengeSummary.of(c) for c in challenges.list_challenges(session, shown)]


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
    slug: Slug, admin: AdminUser, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> list[SubmissionOut]:
    """Re-queue the latest finished submission of every user against the current version."""
    queue = grading_queue(redis, settings.job_timeout_seconds)
    regraded = submissions.regrade_challenge(session, slug, grading_enqueuer(queue), admin.id)
    return [SubmissionOut.of(s, staff=True) for s in regraded]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **error_responses(400, 403, 413, 422),
        200: {"description": "The same content as the latest version: that version, unchanged."},
    },
)
def upload_challenge(
    file: UploadFile,
    _: AdminUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    response: Response,
) -> ChallengeVersionOut:
    """Upload a challenge folder as .zip or .tar.gz. It is stored as a pending version and goes
    live only once a worker has proven its suite: its contract (every rule tested, every test
    on a rule), the reference and alternatives at 100, the starter at most half, every
    hand-written mutant and the sampled automatic ones below 100."""
    data = file.file.read(settings.max_upload_bytes + 1)
    limits = uploads.ArchiveLimits(settings.max_upload_bytes, settings.max_unpacked_bytes)
    spec = uploads.load_uploaded(uploads.read_archive(data, limits))
    queue = grading_queue(redis, settings.job_timeout_seconds)
    version, created = uploads.add_pending_version(
        session, spec, lambda version_id: enqueue_validation(queue, version_id)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ChallengeVersionOut.model_validate(version)


@router.get("/{slug}/versions", responses=error_responses(403, 404))
def list_versions(slug: Slug, _: AdminUser, session: SessionDep) -> list[ChallengeVersionOut]:
    return [ChallengeVersionOut.model_validate(v) for v in challenges.list_versions(session, slug)]

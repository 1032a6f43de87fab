"""The challenge catalog for staff: versions and what their validation measured; admins upload
an archive and watch it being validated, archive and restore, and "try it": grade the
reference through the sandbox like any submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from grader.api.deps import (
    ChangesDep,
    RedisDep,
    RowId,
    SessionDep,
    SessionsDep,
    SettingsDep,
    Slug,
    WaitsDep,
)
from grader.api.longpoll import hold_until
from grader.db.models import Challenge, ChallengeStatus, Submission
from grader.errors import InvalidInput
from grader.queue import enqueue_validation, grading_enqueuer, grading_queue
from grader.services import challenges, submissions, uploads
from grader.services.submissions import NewSubmission, SubmissionRules, Submitter
from grader.web.deps import AdminPage, CsrfChecked, Staff, StaffPage, mark_page
from grader.web.pages import render, staff_page
from grader.web.routes.candidate import prompt_html

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(mark_page)])


def _page(request: Request, template: str, staff: Staff, **context: object) -> Response:
    return staff_page(request, template, staff, "challenges", context)


@router.get("/challenges")
def catalog(request: Request, staff: StaffPage, session: SessionDep) -> Response:
    rows = []
    for challenge in challenges.list_challenges(session, None, with_pending=True):
        versions = challenges.list_versions(session, challenge.slug)
        current = challenge.current_version
        meta = challenges.spec_of(current).meta if current else None
        rows.append((challenge, meta, versions))
    return _page(request, "staff/challenges.html", staff, title="Challenges", rows=rows)


@router.get("/challenges/{slug}")
def challenge_page(slug: Slug, request: Request, staff: StaffPage, session: SessionDep) -> Response:
    challenge = challenges.get_challenge(session, slug, include_archived=True, pending=True)
    versions = challenges.list_versions(session, slug)
    return _page(
        request,
        "staff/challenge.html",
        staff,
        title=slug,
        versions=list(reversed(versions)),
        **_live(challenge),
    )


def _live(challenge: Challenge) -> dict[str, object]:
    """What the page shows of the live version: its spec, and its prompt (Markdown, under the
    page's own <h1>: the README's first heading, the title again, left out)."""
    current = challenge.current_version
    spec = challenges.spec_of(current) if current else None
    prompt = prompt_html(spec.prompt, spec.meta.title) if spec else None
    return {"challenge": challenge, "spec": spec, "prompt": prompt}


@router.get("/challenges/{slug}/versions/{number}/status")
def version_status(
    slug: Slug,
    number: Annotated[int, Path(ge=1, le=100_000)],
    request: Request,
    staff: StaffPage,
    session: SessionDep,
) -> Response:
    """One version's row (polled while its validation runs); when the validation is over, the
    page's parts that follow the live version (title, "Try it", prompt) come with it."""
    version = next((v for v in challenges.list_versions(session, slug) if v.number == number), None)
    if version is None:
        raise InvalidInput(f"{slug} has no version {number}")
    challenge = challenges.get_challenge(session, slug, include_archived=True, pending=True)
    return render(
        request,
        "staff/version_status.html",
        {
            "v": version,
            "challenge_slug": slug,
            "staff": staff,
            "browser": staff.browser,
            **_live(challenge),
        },
    )


@router.post("/challenges/upload", dependencies=[CsrfChecked])
async def upload(
    request: Request,
    staff: AdminPage,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> Response:
    """Same checks as `POST /api/v1/challenges`: the version goes live once a worker proved
    its suite."""
    form = await request.form()
    archive = form.get("archive")
    if not isinstance(archive, UploadFile):
        raise InvalidInput("choose a .zip or .tar.gz archive to upload")
    data = await archive.read(settings.max_upload_bytes + 1)
    limits = uploads.ArchiveLimits(settings.max_upload_bytes, settings.max_unpacked_bytes)

    def store() -> tuple[str, int]:
        spec = uploads.load_uploaded(uploads.read_archive(data, limits))
        queue = grading_queue(redis, settings.job_timeout_seconds)
        version, _ = uploads.add_pending_version(
            session, spec, lambda version_id: enqueue_validation(queue, version_id)
        )
        return spec.slug, version.number

    slug, number = await run_in_threadpool(store)
    return RedirectResponse(f"/staff/challenges/{slug}#version-{number}", status_code=303)


@router.post("/challenges/{slug}/archive", dependencies=[CsrfChecked])
def archive(slug: Slug, staff: AdminPage, session: SessionDep) -> Response:
    challenges.set_status(session, slug, ChallengeStatus.ARCHIVED)
    return RedirectResponse(f"/staff/challenges/{slug}", status_code=303)


@router.post("/challenges/{slug}/restore", dependencies=[CsrfChecked])
def restore(slug: Slug, staff: AdminPage, session: SessionDep) -> Response:
    challenges.set_status(session, slug, ChallengeStatus.ACTIVE)
    return RedirectResponse(f"/staff/challenges/{slug}", status_code=303)


@router.post("/challenges/{slug}/try", dependencies=[CsrfChecked])
def try_reference(
    slug: Slug, staff: AdminPage, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> Response:
    """Grade the current version's reference answer through the sandbox, as the admin."""
    challenge = challenges.get_challenge(session, slug, include_archived=True)
    if challenge.current_version is None:
        raise InvalidInput(f"{slug} has no live version")
    spec = challenges.spec_of(challenge.current_version)
    queue = grading_queue(redis, settings.job_timeout_seconds)
    submission, _ = submissions.create_submission(
        session,
        Submitter(staff.user.id, None, sees_all=True),
        NewSubmission(slug, spec.solution),
        SubmissionRules(settings.max_files, settings.max_submission_bytes),
        grading_enqueuer(queue),
    )
    return RedirectResponse(f"/staff/submissions/{submission.id}", status_code=303)


def _reader(staff: Staff) -> Submitter:
    return Submitter(staff.user.id, None, sees_all=True)


@router.get("/submissions/{submission_id}")
def submission_page(
    submission_id: RowId, request: Request, staff: StaffPage, session: SessionDep
) -> Response:
    submission = submissions.get_submission(session, submission_id, _reader(staff))
    return _page(
        request,
        "staff/submission.html",
        staff,
        title=f"Submission {submission_id}",
        submission=submission,
    )


@router.get("/submissions/{submission_id}/result")
async def submission_result(
    submission_id: RowId,
    request: Request,
    staff: StaffPage,
    sessions: SessionsDep,
    settings: SettingsDep,
    changes: ChangesDep,
    waits: WaitsDep,
    wait: Annotated[float, Query(ge=0, le=60)] = 0,
) -> Response:
    """The submission's status and result (a fragment, long-polled while it is graded)."""
    reader = _reader(staff)

    def load() -> Submission:
        with sessions() as session:
            found = submissions.get_submission(session, submission_id, reader)
            session.expunge(found)
            return found

    seen = await hold_until(
        load,
        lambda seen: seen.status.terminal,
        submission_id,
        min(wait, settings.max_wait_seconds, 20),
        changes,
        waits,
        f"user:{staff.user.id}",
    )
    return render(
        request,
        "staff/submission_result.html",
        {"submission": seen},
    )

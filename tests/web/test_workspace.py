"""The candidate's workspace on the server side: drafts (restored anywhere, refused when stale
or late), the read-only switch at the deadline, what each feedback policy shows, activity
signals reaching the reviewer."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from grader.api.routes.workspace import ACTIVITY_CALLS_PER_MINUTE, DRAFT_SAVES_PER_MINUTE
from grader.db.models import (
    ActivityEvent,
    Draft,
    Feedback,
    Role,
    Submission,
    SubmissionStatus,
    utcnow,
)
from tests.web.conftest import Browser, Site
from worker.result import GradeResult, Outcome, TestResult, Verdict

DATA = re.compile(r'<script type="application/json" id="workspace-data">(.*?)</script>', re.S)


def workspace(browser: Browser, position: int = 1) -> dict[str, object]:
    page = browser.get(f"/take/items/{position}")
    assert page.status_code == 200
    found = DATA.search(page.text)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def save(browser: Browser, files: dict[str, str], base: int | None = None) -> int:
    body: dict[str, object] = {"files": files}
    if base is not None:
        body["base_revision"] = base
    response = browser.http.put(
        "/api/v1/invitation/items/1/draft", json=body, headers={"X-CSRF-Token": browser.csrf}
    )
    return response.status_code


def test_a_draft_is_restored_in_another_browser_and_a_stale_copy_cannot_overwrite_it(
    site: Site,
) -> None:
    site.assessment()
    _, token = site.invite()
    first = site.candidate(token)
    starter = workspace(first)
    assert starter["revision"] is None and "main.py" in starter["files"]  # type: ignore[operator]
    assert save(first, {"main.py": "v1", "app/models.py": "x = 1"}) == 200
    second = site.candidate(token)  # the same link, another browser: same invitation
    restored = workspace(second)
    assert restored["files"] == {"main.py": "v1", "app/models.py": "x = 1"}
    assert restored["revision"] == 1
    assert save(second, {"main.py": "v2"}, base=1) == 200
    assert save(first, {"main.py": "stale"}, base=1) == 409  # made from revision 1: stale
    assert workspace(first)["files"] == {"main.py": "v2"}
    assert save(first, {"../etc/passwd": "x"}) == 422  # the submission rules hold for drafts
    assert save(first, {f"f{i}.py": "" for i in range(site.api.settings.max_files + 1)}) == 422


def test_at_the_deadline_the_workspace_is_read_only_and_nothing_is_saved(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite()
    browser = site.candidate(token)
    deadline = site.invitation(invitation_id).deadline_at
    assert deadline is not None
    assert save(browser, {"main.py": "in time"}) == 200
    site.api.app.state.clock = lambda: deadline + timedelta(seconds=1)
    page = browser.http.get("/take/items/1")
    assert 'id="submit" class="primary" data-until-deadline disabled' in page.text
    assert "The time is over" in page.text
    assert save(browser, {"main.py": "late"}) == 409
    late = browser.http.post(
        "/take/items/2/answer", data={"csrf_token": browser.csrf, "choice": "0"}
    )
    assert late.status_code == 409 and "time is over" in late.text
    with site.api.session() as session:
        draft = session.scalar(select(Draft))
        assert draft is not None and draft.files == {"main.py": "in time"}


def _graded(site: Site, browser: Browser) -> int:
    made = browser.http.post(
        "/api/v1/invitation/items/1/submissions",
        json={"files": {"main.py": "app = 1\n"}},
        headers={"X-CSRF-Token": browser.csrf},
    )
    assert made.status_code == 202
    result = GradeResult(
        verdict=Verdict.FAILED,
        score=2,
        max_score=5,
        duration_ms=1,
        tests=[
            TestResult(name="t::ok", outcome=Outcome.PASSED, points=2, max_points=2),
            TestResult(
                name="t::bad", outcome=Outcome.FAILED, points=0, max_points=3, message="SECRET-MSG"
            ),
        ],
    )
    with site.api.session() as session:
        row = session.get(Submission, made.json()["id"])
        assert row is not None
        row.status, row.result = SubmissionStatus.COMPLETED, result.model_dump(mode="json")
        row.score, row.max_score, row.finished_at = 2, 5, utcnow()
        session.commit()
        return row.id


def test_each_feedback_policy_shows_what_it_says_in_the_live_result(site: Site) -> None:
    shown = {}
    for policy in Feedback:
        slug = f"policy-{policy.value}"
        site.assessment(slug, feedback=policy)
        _, token = site.invite(slug)
        browser = site.candidate(token)
        submission_id = _graded(site, browser)
        fragment = browser.http.get(f"/take/submissions/{submission_id}/result").text
        shown[policy] = (
            "2 / 5" in fragment,
            "t::bad" in fragment,
            "SECRET-MSG" in fragment,
        )
    assert shown == {
        Feedback.FULL: (True, True, True),
        Feedback.TESTS: (True, True, False),
        Feedback.SCORE: (True, False, False),
        Feedback.NONE: (False, False, False),
    }


def test_activity_signals_reach_the_reviewers_scorecard(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite()
    browser = site.candidate(token)
    now = utcnow().isoformat()
    events = [
        {"kind": "paste", "at": now, "item": 1, "size": 1234},
        {"kind": "paste", "at": now, "item": 1, "size": 20},  # ordinary editing: dropped
        {"kind": "blur", "at": now, "item": 1},
        {"kind": "blur", "at": now, "item": 1},
        {"kind": "active", "at": now, "item": 1, "seconds": 90},
    ]
    sent = browser.http.post(
        "/api/v1/invitation/activity",
        json={"events": events},
        headers={"X-CSRF-Token": browser.csrf},
    )
    assert sent.status_code == 201 and sent.json() == {"kept": 4}
    reviewer = site.staff("rev", Role.REVIEWER)
    page = reviewer.http.get(f"/staff/invitations/{invitation_id}").text
    assert "1234 characters into item 1" in page
    assert "2 times" in page and "1 min 30 s" in page
    with site.api.session() as session:
        assert session.scalar(select(func.count()).select_from(ActivityEvent)) == 4
    assert "pastes of 200 characters or more" in browser.http.get("/take").text
    staff = site.api.user("reader", Role.REVIEWER)
    card = site.api.call("GET", f"/api/v1/invitations/{invitation_id}/scorecard", staff).json()
    integrity = card["integrity"]
    assert integrity["focus_lost"] == 2 and integrity["seconds_active"] == {"1": 90}
    assert [p["characters"] for p in integrity["large_pastes"]] == [1234]


def test_draft_saves_and_activity_reports_are_rate_limited(site: Site) -> None:
    site.assessment()
    _, token = site.invite()
    browser = site.candidate(token)
    statuses = [save(browser, {"main.py": f"v{i}"}) for i in range(DRAFT_SAVES_PER_MINUTE + 1)]
    assert statuses == [200] * DRAFT_SAVES_PER_MINUTE + [429]
    headers = {"X-CSRF-Token": browser.csrf}
    event = {"events": [{"kind": "blur", "at": utcnow().isoformat()}]}
    reports = [
        browser.http.post("/api/v1/invitation/activity", json=event, headers=headers).status_code
        for _ in range(ACTIVITY_CALLS_PER_MINUTE + 1)
    ]
    assert reports == [201] * ACTIVITY_CALLS_PER_MINUTE + [429]

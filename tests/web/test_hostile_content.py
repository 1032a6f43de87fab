"""Candidate-supplied text is inert on every page: names, file names, the app's log, test
messages with HTML and terminal escapes, short answers, notes. The pages are parsed and must
hold no element or attribute the service did not write itself. (The real browser test, which
also checks that no dialog opens, is tests/browser.)"""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select

from grader.db.models import Role, Submission, SubmissionStatus, utcnow
from tests.web.conftest import Site
from worker.result import GradeResult, Outcome, TestResult, Verdict

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ANSI = "\x1b[31mred\x1b[0m"
#: The only scripts pages load.
OUR_SCRIPTS = {
    "/static/vendor/htmx/htmx.min.js",
    "/static/app/common.js",
    "/static/app/workspace.js",
    "/static/app/code-view.js",
    "/static/app/staff.js",
}


class Elements(HTMLParser):
    """Every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str, where: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag != "img", (where, attrs)
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, (where, tag, handlers)
        if tag == "script":
            kind = attrs.get("type")
            assert attrs.get("src") in OUR_SCRIPTS or kind == "application/json", (where, attrs)
    assert SCRIPT not in html and IMG not in html, where
    assert "\x1b" not in html, f"{where}: a terminal escape reached the page"


def test_hostile_candidate_text_renders_as_text_on_every_page(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite(name=f"Mallory {SCRIPT}")
    candidate = site.candidate(token)
    made = candidate.http.post(
        "/api/v1/invitation/items/1/submissions",
        json={"files": {"main.py": f"# {SCRIPT}\nfrom fastapi import FastAPI\napp = FastAPI()\n"}},
        headers={"X-CSRF-Token": candidate.csrf},
    )
    assert made.status_code == 202
    # The API refuses such a file name; a row holding one (an older rule, an import) must
    # still render as text.
    refused = candidate.http.post(
        "/api/v1/invitation/items/1/submissions",
        json={"files": {"main.py": "x = 1\n", f"{IMG}.py": "y = 2\n"}},
        headers={"X-CSRF-Token": candidate.csrf},
    )
    assert refused.status_code == 422
    result = GradeResult(
        verdict=Verdict.FAILED,
        score=3,
        max_score=10,
        duration_ms=5,
        log=f"{SCRIPT} {ANSI}",
        tests=[
            TestResult(
                name=f"test_x.py::test_{IMG}",
                outcome=Outcome.FAILED,
                points=0,
                max_points=7,
                message=f"expected <b>bold</b> {SCRIPT} {ANSI}",
            ),
            TestResult(name="test_x.py::test_ok", outcome=Outcome.PASSED, points=3, max_points=3),
        ],
    )
    with site.api.session() as session:
        row = session.scalar(select(Submission))
        assert row is not None
        row.files = {**row.files, f"{IMG}.py": SCRIPT}
        # Stored as written before the rule: the raw escapes, which reading back must clean.
        stored = result.model_dump(mode="json")
        stored["log"] = f"{SCRIPT} {ANSI}"
        stored["tests"][0]["message"] = f"expected <b>bold</b> {SCRIPT} {ANSI}"
        assert "\x1b" in stored["log"] and "\x1b" in stored["tests"][0]["message"]
        row.status, row.result = SubmissionStatus.COMPLETED, stored
        row.score, row.max_score, row.verdict = 3, 10, "failed"
        row.finished_at = utcnow()
        session.commit()
        submission_id = row.id
    answer = candidate.http.post(
        "/take/items/3/answer", data={"csrf_token": candidate.csrf, "text": f"ASGI {SCRIPT}"}
    )
    assert answer.status_code == 303
    assert "\x1b" not in result.log, "the result document keeps no terminal escapes"
    admin = site.staff("boss", Role.ADMIN)
    assert (
        admin.post(f"/staff/invitations/{invitation_id}/notes", {"body": SCRIPT}).status_code == 303
    )
    pages = {
        "staff assessment": admin.http.get("/staff/assessments/screen"),
        "staff scorecard": admin.http.get(f"/staff/invitations/{invitation_id}"),
        "staff diff": admin.http.get(
            f"/staff/invitations/{invitation_id}?a={submission_id}&b={submission_id}"
        ),
        "staff print": admin.http.get(f"/staff/invitations/{invitation_id}/print"),
        "staff submission": admin.http.get(f"/staff/submissions/{submission_id}"),
        "candidate item": candidate.http.get("/take/items/1"),
        "candidate submission": candidate.http.get(f"/take/submissions/{submission_id}"),
        "candidate answer": candidate.http.get("/take/items/3"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, (where, response.text[:300])
        assert_inert(response.text, where)
    scorecard = pages["staff scorecard"].text
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in scorecard  # shown, as text
    assert "Mallory &lt;script&gt;" in scorecard

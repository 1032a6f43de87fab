"""The API's role matrix on every page: who reaches what, page by page. A page route added
without a row here fails the last test."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from grader.db.models import Role
from grader.web.routes import web_routers
from tests.api.conftest import PASSWORD
from tests.web.conftest import Browser, Site

#: A page refers to nothing outside the service: no CDN, no font, no image from elsewhere.
EXTERNAL = re.compile(r'(?:src|href|action|content)="((?:https?:)?//[^"]*)"')
SELF = "http://testserver/"
VIEWERS = ("anonymous", "candidate", "reviewer", "recruiter", "admin")
LOGIN = "login"  # a redirect to the login form
CANDIDATE_ONLY = (401, 401, 401, 401, 401)

# GET page -> what each viewer gets, in VIEWERS' order. A candidate's session is not staff:
# staff pages answer it with the login form, as they do anyone without a staff session.
PAGES: dict[str, tuple[object, ...]] = {
    "/staff": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/assessments/new": (LOGIN, LOGIN, 403, 200, 200),
    "/staff/assessments/screen": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/assessments/screen/edit": (LOGIN, LOGIN, 403, 303, 303),  # published: back
    "/staff/assessments/screen/report.csv": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/assessments/screen/stats": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/invitations/{invitation}": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/invitations/{invitation}/print": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/challenges": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/challenges/hello-world": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/challenges/hello-world/versions/1/status": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/operations": (LOGIN, LOGIN, 403, 403, 200),
    "/staff/submissions/{submission}": (LOGIN, LOGIN, 200, 200, 200),
    "/staff/submissions/{submission}/result": (LOGIN, LOGIN, 200, 200, 200),
    "/take": (401, 200, 401, 401, 401),
    "/take/items/1": (401, 200, 401, 401, 401),
    "/take/items/2": (401, 200, 401, 401, 401),
    "/take/submissions/{submission}": (401, 200, 401, 401, 401),
    "/take/submissions/{submission}/result": (401, 200, 401, 401, 401),
    "/login": (200, 200, 200, 200, 200),
    "/": (303, 303, 303, 303, 303),
}
#: Route templates answered by the table's concrete paths.
TEMPLATES = {
    "/staff/assessments/{slug}": "/staff/assessments/screen",
    "/staff/assessments/{slug}/edit": "/staff/assessments/screen/edit",
    "/staff/assessments/{slug}/report.csv": "/staff/assessments/screen/report.csv",
    "/staff/assessments/{slug}/stats": "/staff/assessments/screen/stats",
    "/staff/invitations/{invitation_id}": "/staff/invitations/{invitation}",
    "/staff/invitations/{invitation_id}/print": "/staff/invitations/{invitation}/print",
    "/staff/challenges/{slug}": "/staff/challenges/hello-world",
    "/staff/challenges/{slug}/versions/{number}/status": (
        "/staff/challenges/hello-world/versions/1/status"
    ),
    "/staff/submissions/{submission_id}": "/staff/submissions/{submission}",
    "/staff/submissions/{submission_id}/result": "/staff/submissions/{submission}/result",
    "/take/items/{position}": "/take/items/1",
    "/take/submissions/{submission_id}": "/take/submissions/{submission}",
    "/take/submissions/{submission_id}/result": "/take/submissions/{submission}/result",
    "/take/{token}": None,  # the link itself: tests/web/test_sessions.py
}


@pytest.fixture
def viewers(site: Site) -> dict[str, Browser]:
    site.assessment()
    _, token = site.invite()
    candidate = site.candidate(token)
    files = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    made = candidate.http.post(
        "/api/v1/invitation/items/1/submissions",
        json={"files": files},
        headers={"X-CSRF-Token": candidate.csrf},
    )
    assert made.status_code == 202, made.text
    return {
        "anonymous": site.browser(),
        "candidate": candidate,
        "reviewer": site.staff("rev", Role.REVIEWER),
        "recruiter": site.staff("rec", Role.RECRUITER),
        "admin": site.staff("boss", Role.ADMIN),
    }


def test_every_page_answers_every_viewer_as_the_role_matrix_says(
    site: Site, viewers: dict[str, Browser]
) -> None:
    ids = {"{invitation}": "1", "{submission}": "1"}
    for template, expected in PAGES.items():
        path = template
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
        for viewer, want in zip(VIEWERS, expected, strict=True):
            response = viewers[viewer].http.get(path)
            where = (path, viewer, response.status_code, response.headers.get("location"))
            if want == LOGIN:
                assert response.status_code == 303, where
                assert response.headers["location"].startswith("/login?next="), where
            else:
                assert response.status_code == want, where
            if response.status_code in (401, 403):
                assert "<h1>" in response.text, "an error on a page is a page"
            elsewhere = [url for url in EXTERNAL.findall(response.text) if not url.startswith(SELF)]
            assert not elsewhere, (path, viewer, elsewhere)


def test_every_get_page_route_is_in_the_matrix(site: Site) -> None:
    routes = [
        r.path
        for router in web_routers()
        for r in router.routes
        if isinstance(r, APIRoute)
        and "GET" in r.methods
        and (r.path.startswith(("/staff", "/take", "/login")) or r.path == "/")
    ]
    assert len(routes) > 20, routes
    missing = [p for p in routes if p not in PAGES and p not in TEMPLATES]
    assert not missing, f"page routes with no row in the matrix: {missing}"
    answered = {TEMPLATES[p] for p in routes if p in TEMPLATES} | set(routes)
    answered |= {"/take/items/2"}  # a second item of the same route template
    stale = [p for p in PAGES if p not in answered]
    assert not stale, f"rows of the matrix that no GET page route has: {stale}"


def test_a_candidate_account_cannot_log_in_to_the_staff_pages(site: Site) -> None:
    site.api.user("cand")  # a candidate account of the REST API
    browser = site.browser()
    form = browser.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = browser.http.post(
        "/login",
        data={"csrf_token": token, "username": "cand", "password": PASSWORD},
    )
    assert refused.status_code == 401 and "Wrong username or password" in refused.text
    assert "grader_session" not in refused.cookies


def test_a_candidate_session_reaches_only_its_own_invitation(site: Site) -> None:
    site.assessment()
    site.assessment("other")
    _, mine = site.invite()
    _, theirs = site.invite("other", "Bob")
    me, them = site.candidate(mine), site.candidate(theirs)
    made = them.http.post(
        "/api/v1/invitation/items/1/submissions",
        json={"files": {"main.py": "app = 1\n"}},
        headers={"X-CSRF-Token": them.csrf},
    )
    assert made.status_code == 202
    other_id = made.json()["id"]
    for path in (f"/take/submissions/{other_id}", f"/take/submissions/{other_id}/result"):
        assert me.http.get(path).status_code == 404, path
    assert me.http.get(f"/api/v1/invitation/submissions/{other_id}").status_code == 404
    assert "Screen" in me.get("/take").text and "Bob" not in me.get("/take").text

"""Browser sessions: the cookie's flags, logout and expiry decided by the server, CSRF on every
state-changing request, no open redirect, log-in attempts limited, the link's token leaving the
address bar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from grader.db.models import Draft, Invitation, InvitationStatus, Role, WebSession, utcnow
from grader.services import users
from grader.web.routes import web_routers
from tests.web.conftest import LOGIN_CSRF, Site


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(site: Site) -> None:
    plain = site.staff("boss", Role.ADMIN)
    cookie = next(c for c in plain.http.cookies.jar if c.name == "grader_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    https = site.browser("https://testserver")
    form = https.get("/login")
    token = LOGIN_CSRF.search(form.text)
    assert token is not None
    done = https.http.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "username": "boss",
            "password": "correct horse battery",
        },
    )
    header = done.headers["set-cookie"]
    assert "grader_session=" in header and "Secure" in header and "HttpOnly" in header
    assert "SameSite=lax" in header


def test_logout_ends_the_session_on_the_server(site: Site) -> None:
    browser = site.staff("boss", Role.ADMIN)
    stolen = browser.http.cookies.get("grader_session")
    assert browser.post("/logout").status_code == 303
    thief = site.browser()
    thief.http.cookies.set("grader_session", str(stolen))
    assert thief.http.get("/staff").status_code == 303  # to the login form
    with site.api.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_a_session_expires_by_the_servers_clock(site: Site) -> None:
    browser = site.staff("boss", Role.ADMIN)
    assert browser.http.get("/staff").status_code == 200
    hours = site.api.settings.web_session_hours
    site.api.app.state.clock = lambda: utcnow() + timedelta(hours=hours, seconds=1)
    assert browser.http.get("/staff").status_code == 303


def test_deactivating_a_user_logs_their_browsers_out(site: Site) -> None:
    browser = site.staff("rev", Role.REVIEWER)
    with site.api.session() as session:
        boss = users.create_user(session, "boss", "correct horse battery", Role.ADMIN)
        rev = users.authenticate(session, "rev", "correct horse battery")
        assert rev is not None
        users.set_active(session, rev.id, False, boss)
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert browser.http.get("/staff").status_code == 303


def test_every_state_changing_page_refuses_a_request_without_its_csrf_token(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite()
    candidate = site.candidate(token, start=False)
    admin = site.staff("boss", Role.ADMIN)
    posts = [
        r.path
        for router in web_routers()
        for r in router.routes
        if isinstance(r, APIRoute)
        and "POST" in r.methods
        and r.path.startswith(("/staff", "/take", "/logout"))
    ]
    assert len(posts) >= 19, posts
    values = {
        "{slug}": "screen",
        "{invitation_id}": str(invitation_id),
        "{position}": "2",
    }
    for template in posts:
        path = template
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        browser = candidate if path.startswith("/take") else admin
        for forged in ({}, {"csrf_token": "forged"}):
            refused = browser.http.post(path, data=forged)
            assert refused.status_code in (401, 403), (path, forged, refused.status_code)
    # nothing happened: not started, not revoked, no answer, still published
    assert site.invitation(invitation_id).status is InvitationStatus.INVITED
    assert admin.http.get("/staff/assessments/screen").text.count("published") >= 1


def test_the_rest_routes_need_the_csrf_header_with_a_session_cookie(site: Site) -> None:
    site.assessment()
    _, token = site.invite()
    browser = site.candidate(token)
    body = {"files": {"main.py": "x = 1\n"}}
    assert browser.http.put("/api/v1/invitation/items/1/draft", json=body).status_code == 403
    forged = browser.http.put(
        "/api/v1/invitation/items/1/draft",
        json=body,
        headers={"X-CSRF-Token": browser.csrf, "Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    with site.api.session() as session:
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
    saved = browser.http.put(
        "/api/v1/invitation/items/1/draft", json=body, headers={"X-CSRF-Token": browser.csrf}
    )
    assert saved.status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:x"])
def test_login_never_redirects_off_site(site: Site, target: str) -> None:
    with site.api.session() as session:
        users.create_user(session, "boss", "correct horse battery", Role.ADMIN)
    browser = site.browser()
    form = browser.get(f"/login?next={target}")
    token = LOGIN_CSRF.search(form.text)
    assert token is not None
    done = browser.http.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "username": "boss",
            "password": "correct horse battery",
            "next": target,
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff"


def test_login_attempts_are_limited_per_username(site: Site) -> None:
    with site.api.session() as session:
        users.create_user(session, "boss", "correct horse battery", Role.ADMIN)
    limit = site.api.settings.login_attempts_per_minute
    browser = site.browser()
    statuses = []
    for _ in range(limit + 1):
        form = browser.get("/login")
        token = LOGIN_CSRF.search(form.text)
        assert token is not None
        statuses.append(
            browser.http.post(
                "/login",
                data={"csrf_token": token.group(1), "username": "BOSS", "password": "guess"},
            ).status_code
        )
    assert statuses == [401] * limit + [429]
    api = site.api.http.post("/api/v1/auth/token", data={"username": "boss", "password": "x"})
    assert api.status_code == 429  # the same count, whichever door


def test_the_link_is_exchanged_for_a_session_and_leaves_the_address_bar(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite()
    browser = site.browser()
    opened = browser.http.get(f"/take/{token}")
    assert opened.status_code == 303 and opened.headers["location"] == "/take"
    assert opened.headers["referrer-policy"] == "same-origin"
    assert site.invitation(invitation_id).opened_at is not None
    assert site.browser().http.get("/take/inv_unknown").status_code == 404


def test_a_revoked_invitation_closes_its_browser_sessions_too(site: Site) -> None:
    site.assessment()
    invitation_id, token = site.invite()
    browser = site.candidate(token)
    admin = site.staff("boss", Role.ADMIN)
    assert admin.post(f"/staff/invitations/{invitation_id}/revoke").status_code == 303
    page = browser.http.get("/take")
    assert page.status_code == 403 and "revoked" in page.text
    assert site.browser().http.get(f"/take/{token}").status_code == 403
    with site.api.session() as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None and invitation.status is InvitationStatus.REVOKED


def test_every_page_carries_the_security_headers(site: Site) -> None:
    for path in ("/login", "/take/inv_x", "/staff"):
        response = site.browser().http.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"

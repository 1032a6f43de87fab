"""In-process tests of the web pages: the app of tests/api (temporary SQLite, real Redis),
with browsers simulated by TestClients that each keep their own cookies. (Real Chromium
journeys are in tests/browser.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from grader.config import Settings
from grader.db.models import Invitation, Role
from grader.services import assessments, invitations, users
from tests.api.conftest import PASSWORD, Api, redis, serving, settings

__all__ = ["redis", "settings"]

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
LOGIN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One browser: its own cookie jar, and the CSRF token of its last page."""

    http: TestClient
    csrf: str = ""
    pages: list[str] = field(default_factory=list)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        response = self.http.get(path, **kw)
        found = CSRF_META.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)


@dataclass
class Site:
    api: Api

    def browser(self, base_url: str = "http://testserver") -> Browser:
        return Browser(TestClient(self.api.app, base_url=base_url, follow_redirects=False))

    def staff(self, username: str, role: Role) -> Browser:
        with self.api.session() as session:
            users.create_user(session, username, PASSWORD, role)
        return self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> Browser:
        browser = self.browser()
        form = browser.get("/login")
        token = LOGIN_CSRF.search(form.text)
        assert token is not None
        done = browser.http.post(
            "/login",
            data={"csrf_token": token.group(1), "username": username, "password": password},
        )
        assert done.status_code == 303, done.text
        browser.get("/staff")
        return browser

    def assessment(self, slug: str = "screen", **changes: Any) -> None:
        """A published assessment: hello-world (50), a multiple choice and a short answer."""
        spec = assessments.AssessmentSpec(
            slug=slug,
            title="Screen",
            instructions="Read **this**.",
            time_limit_minutes=30,
            items=[
                assessments.ItemSpec(challenge="hello-world", weight=50),
                assessments.ItemSpec(question="resp-422-mc", weight=25),
                assessments.ItemSpec(question="basics-asgi", weight=25),
            ],
        ).model_copy(update=changes)
        with self.api.session() as session:
            assessments.create_assessment(session, spec, None)
            assessments.publish(session, slug)

    def invite(self, slug: str = "screen", name: str = "Ada") -> tuple[int, str]:
        with self.api.session() as session:
            invitation, token = invitations.invite(
                session, slug, invitations.NewInvitation(name, "ada@example.com")
            )
            return invitation.id, token

    def candidate(self, token: str, start: bool = True) -> Browser:
        """A browser that opened the link (and pressed Start)."""
        browser = self.browser()
        opened = browser.http.get(f"/take/{token}")
        assert opened.status_code == 303, opened.text
        browser.get("/take")
        if start:
            assert browser.post("/take/start").status_code == 303
            browser.get("/take")
        return browser

    def invitation(self, invitation_id: int) -> Invitation:
        with self.api.session() as session:
            found = session.get(Invitation, invitation_id)
            assert found is not None
            session.expunge(found)
            return found


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": "http://testserver"})


@pytest.fixture
def site(web_settings: Settings, redis: Redis) -> Iterator[Site]:  # type: ignore[type-arg]
    with serving(web_settings) as api:
        yield Site(api)

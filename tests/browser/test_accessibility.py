"""axe-core (vendored in tests/browser/vendor) on every candidate page, every main staff page
(as an admin: the pages with the most controls), the login page and an error page: no serious
or critical violation of WCAG 2.1 A/AA or axe's best practices.

The pages' Content-Security-Policy allows no inline script, and Playwright's add_script_tag
injects axe as an inline <script>: these contexts alone are made with `bypass_csp=True`, the
CSP itself being checked by every other browser test (a violation fails them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    GRADING_TIMEOUT_MS,
    NewContext,
    as_admin,
    assert_accessible,
)
from tests.e2e.conftest import Service
from tests.e2e.test_assessments import WRONG_ROOT, answer, candidate, graded, invite, submit

pytestmark = pytest.mark.docker


@dataclass(frozen=True)
class Taken:
    """Invitations of the tests' assessment in each state, made through the API."""

    unstarted: dict[str, Any]
    started: dict[str, Any]  # a graded wrong submission (its id: `submission`), two answers
    finished: dict[str, Any]
    submission: int


@pytest.fixture(scope="module")
def taken(service: Service, admin: httpx.Client, screen: str) -> Taken:
    unstarted = invite(admin, screen, "Not Started")
    started = invite(admin, screen, "At Work")
    finished = invite(admin, screen, "All Done")
    with candidate(service, started["token"]) as http:
        assert http.post("/api/v1/invitation/start").status_code == 200
        submission = submit(http, 1, WRONG_ROOT)
        assert answer(http, 2, choice=1).status_code == 200
        assert answer(http, 3, text="ASGI: the async successor of WSGI.").status_code == 200
    with candidate(service, finished["token"]) as http:
        assert http.post("/api/v1/invitation/start").status_code == 200
        assert answer(http, 3, text="A <b>short</b> answer.").status_code == 200
        assert http.post("/api/v1/invitation/finish").status_code == 200
    with candidate(service, started["token"]) as http:
        graded(http, submission, GRADING_TIMEOUT_MS / 1000)
    return Taken(unstarted, started, finished, submission)


def ready_when(selector: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector).first).to_be_visible()


def coding_ready(page: Page) -> None:
    expect(page.locator("#editor .cm-content")).to_be_visible()
    expect(page.locator("#history tr.failed").first).to_be_visible()


#: name -> (which invitation's link opens the session, or None; the path; when it is ready)
PAGES: dict[str, tuple[str | None, str, Callable[[Page], None]]] = {
    "landing-before-start": ("unstarted", "/take", ready_when("form[action='/take/start']")),
    "landing-started": ("started", "/take", ready_when("details.finish")),
    "workspace-coding": ("started", "/take/items/1", coding_ready),
    "question-multiple-choice": ("started", "/take/items/2", ready_when("fieldset")),
    "question-short-answer": ("started", "/take/items/3", ready_when("textarea")),
    "submission": ("started", "/take/submissions/{submission}", ready_when(".code-view")),
    "landing-finished": ("finished", "/take", ready_when("#done-h")),
    "login": (None, "/login", ready_when("#username")),
    "error-no-session": (None, "/take", ready_when("[role=alert]")),
    "error-unknown-link": (None, "/take/inv_not-a-real-token", ready_when("[role=alert]")),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_violations(
    name: str, taken: Taken, new_context: NewContext
) -> None:
    who, path, ready = PAGES[name]
    # bypass_csp: only so that axe can be injected (see the module's docstring)
    page = new_context(bypass_csp=True).new_page()
    if who is not None:
        page.goto(getattr(taken, who)["link"])
        expect(page).to_have_url(re.compile(r"/take$"))
    response = page.goto(path.format(submission=taken.submission))
    assert response is not None
    if name.startswith("error"):
        assert response.status in (401, 404), response.status
    else:
        assert response.status == 200, response.status
    ready(page)
    assert_accessible(page, name)


@pytest.fixture(scope="module")
def admin_state(browser: Browser, service: Service) -> dict[str, Any]:
    """An admin's signed-in browser state (its session cookie), made once for these pages."""
    context = browser.new_context(base_url=service.url)
    try:
        page = context.new_page()
        as_admin(page)
        return dict(context.storage_state())
    finally:
        context.close()


def scorecard_ready(page: Page) -> None:
    expect(page.locator("#item-1 .code-view .cm-content")).to_be_visible()
    expect(page.locator("#item-1 tr.failed").first).to_be_visible()
    expect(page.get_by_role("button", name="Confirm or override")).to_be_visible()


def invite_one(page: Page) -> None:
    """The invited-links page is the answer to the invite form: invite someone."""
    page.get_by_label("Name", exact=True).fill("Axe Candidate")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator("input.link-field")).to_have_count(1)


#: name -> (the path, formatted with the assessment's slug, the started candidate's invitation
#: and submission; when it is ready; what to do there first, if anything)
STAFF_PAGES: dict[str, tuple[str, Callable[[Page], None], Callable[[Page], None] | None]] = {
    "staff-assessments": ("/staff", ready_when("table.data tbody a"), None),
    "staff-assessment-form": ("/staff/assessments/new", ready_when("#question-table"), None),
    "staff-assessment": ("/staff/assessments/{screen}", ready_when(".chart svg"), None),
    "staff-scorecard": ("/staff/invitations/{invitation}", scorecard_ready, None),
    "staff-challenges": ("/staff/challenges", ready_when("#archive"), None),
    "staff-challenge": ("/staff/challenges/hello-world", ready_when(".prose"), None),
    "staff-submission": ("/staff/submissions/{submission}", ready_when(".code-view"), None),
    "staff-operations": ("/staff/operations", ready_when("#queue-depth"), None),
    "staff-invited": ("/staff/assessments/{screen}", ready_when(".link-field"), invite_one),
}


@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_staff_pages_have_no_serious_or_critical_violations(
    name: str,
    taken: Taken,
    screen: str,
    admin_state: dict[str, Any],
    new_context: NewContext,
) -> None:
    path, ready, then = STAFF_PAGES[name]
    page = new_context(bypass_csp=True, storage_state=admin_state).new_page()
    where = path.format(screen=screen, invitation=taken.started["id"], submission=taken.submission)
    response = page.goto(where)
    assert response is not None and response.status == 200, (where, response)
    if then is not None:
        then(page)
    ready(page)
    assert_accessible(page, name)

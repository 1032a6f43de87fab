"""axe-core (vendored in tests/browser/vendor) on every candidate page, the login page and an
error page: no serious or critical violation of WCAG 2.1 A/AA or axe's best practices.

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
from playwright.sync_api import Page, expect

from tests.browser.conftest import GRADING_TIMEOUT_MS, NewContext, assert_accessible
from tests.e2e.conftest import Service
from tests.e2e.test_assessments import WRONG_ROOT, answer, candidate, graded, invite, submit

pytestmark = pytest.mark.docker


@dataclass(frozen=True)
class Taken:
    """Invitations of the tests' assessment in each state, made through the API."""

    unstarted: dict[str, Any]
    started: dict[str, Any]  # a graded wrong submission (its id: `submission`), one answer
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

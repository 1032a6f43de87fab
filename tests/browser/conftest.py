"""Pages in a real browser: Debian's Chromium driven by Playwright, against one real deployment
(`grader serve` + `grader worker`, Redis, Docker) on SQLite shared by the whole session.

The deployment is `tests.e2e.conftest.deploy` with its fixtures (Docker client, private Redis):
nothing of that machinery is repeated here. The browser is started once per session, each test
gets a new context (cookies, storage) of its own. A missing browser fails the run with a clear
message (`scripts/setup-browser.sh` installs it): it never skips.

Helpers for the tests: `screenshot(page, name)` saves a PNG under the run's artifacts folder
(`$GRADER_ARTIFACTS`, default `artifacts/` at the repository root, git-ignored), and
`axe_violations(page)` runs axe-core (vendored in `vendor/axe-core`) on the page."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    expect,
    sync_playwright,
)

from grader.config import REPO_ROOT
from grader.queue import RedisClient
from tests.e2e.conftest import ADMIN, Service, deploy, docker_client, redis, redis_url
from tests.e2e.test_assessments import new_assessment

__all__ = ["docker_client", "redis", "redis_url"]  # the e2e fixtures, used here as they are

CHROMIUM = Path(os.environ.get("GRADER_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("GRADER_ARTIFACTS") or REPO_ROOT / "artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
#: Playwright's expect() and waits: long enough for a grading on two busy cores.
GRADING_TIMEOUT_MS = 120_000


@pytest.fixture(scope="package")
def service(
    redis_url: str,
    redis: RedisClient,
    docker_client: docker.DockerClient,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    """One deployment on SQLite for every browser test (two workers: the machine is small)."""
    work = tmp_path_factory.mktemp("browser-service")
    database_url = f"sqlite:///{work / 'grader.db'}"
    with deploy(database_url, redis_url, redis, docker_client, work, workers=2) as svc:
        yield svc


@pytest.fixture(scope="package")
def admin(service: Service) -> Iterator[httpx.Client]:
    with service.client(service.admin_token) as client:
        yield client


# Package scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and later tests that call asyncio.run() would fail.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: the browser tests need Debian's chromium "
            "(run scripts/setup-browser.sh, or set GRADER_CHROMIUM to its path)",
            pytrace=False,
        )
    for stale in SCREENSHOTS.glob("FAILED-*.png"):  # an earlier run's failures
        stale.unlink()
    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root; it is Chromium's own sandbox, not the grader's.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class PageErrors:
    """What went wrong in a context's pages: uncaught exceptions, console errors (a CSP
    violation is one), assets (scripts, styles, images, fonts) that failed to load, and any
    5xx answer. A 4xx of a page or a call is not one: error pages and refusals are tested."""

    ASSETS = frozenset({"script", "stylesheet", "image", "font"})

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.messages.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))
        page.on("response", self._response)

    def _console(self, page: Page, msg: ConsoleMessage) -> None:
        # A response's status is logged too ("Failed to load resource"): seen in _response.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            where = msg.location
            at = f" (at {where['url']}:{where['lineNumber']})" if where.get("url") else ""
            self.messages.append(f"{page.url}: console: {msg.text}{at}")

    def _response(self, response: Response) -> None:
        failed = response.status >= 400 and response.request.resource_type in self.ASSETS
        if failed or response.status >= 500:  # a page, a fragment or an API call that broke
            self.messages.append(f"{response.url}: {response.status}")


NewContext = Callable[..., BrowserContext]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item: a failed test's pages are photographed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_context(
    browser: Browser, service: Service, request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """`new_context(**options)`: a fresh context on the service (1280x720 unless told), closed
    at the end of the test, which fails if any of its pages threw or logged an error. When
    the test failed, its open pages are saved as `FAILED-<test>-<n>.png`."""
    made: list[BrowserContext] = []
    errors = PageErrors()

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(
            **{"base_url": service.url, "viewport": DESKTOP, "locale": "en-GB", **options}
        )
        context.set_default_timeout(15_000)
        context.on("page", errors.watch)
        made.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        open_pages = [p for c in made for p in c.pages if not p.is_closed()]
        for n, page in enumerate(open_pages):
            screenshot(page, f"FAILED-{request.node.name}-{n}")
    for context in made:
        context.close()
    assert not errors.messages, "errors in the pages:\n" + "\n".join(errors.messages)


@pytest.fixture
def context(new_context: NewContext) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


#: A code view (CodeMirror) measures its lines only once they have been on screen: below the
#: fold, its line numbers sit at estimated heights, which a full-page picture shows out of line
#: with the code. Each is brought into view for two frames first (then back to the top).
MEASURE_CODE_VIEWS = """async () => {
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const views = document.querySelectorAll(".cm-host");
    if (!views.length) return;
    for (const view of views) {
        view.scrollIntoView({block: "center"});
        await frames();
    }
    window.scrollTo(0, 0);
    await frames();
}"""


def screenshot(
    page: Page, name: str, full_page: bool = True, clip_height: float | None = None
) -> Path:
    """Save the page as `<artifacts>/screenshots/<name>.png` (the whole page, or only its top
    `clip_height` pixels); its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page or clip_height is not None:
        page.evaluate(MEASURE_CODE_VIEWS)
    if clip_height is not None:
        assert page.viewport_size is not None
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": clip_height}
        page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


#: axe-core's rule tags checked: WCAG 2.0/2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every impact). The page's context must
    have been made with `bypass_csp=True`: the script is injected as an inline <script>."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as a reader wants them: rule, impact, help, and each offending node."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violation on the page."""
    found = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not found, f"axe-core on {name} ({page.url}):\n{describe(found)}"


INSTRUCTIONS = (
    "One coding task and two questions.\n\n- Use **FastAPI**.\n- Submit as often as you like."
)
ITEMS: list[dict[str, Any]] = [
    {"challenge": "hello-world", "weight": 60},
    {"question": "basics-def-endpoint-mc", "weight": 20},  # one right option: 0
    {"question": "basics-asgi", "weight": 20},  # short answer
]


@pytest.fixture(scope="package")
def screen(admin: httpx.Client) -> str:
    """The tests' assessment (its slug): one hello-world item and two concept questions, with
    30 minutes and the full feedback (tests with their messages)."""
    return new_assessment(
        admin,
        ITEMS,
        title="Backend screen",
        instructions=INSTRUCTIONS,
        time_limit_minutes=30,
        feedback="full",
    )


#: The reviewer the staff tests log in as (made through the REST API by the admin).
REVIEWER = ("rita-reviewer", "reviewer-password-1")


@pytest.fixture(scope="package")
def reviewer(admin: httpx.Client) -> tuple[str, str]:
    """A reviewer account: (username, password)."""
    username, password = REVIEWER
    made = admin.post(
        "/api/v1/users", json={"username": username, "password": password, "role": "reviewer"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "reviewer"
    return REVIEWER


def log_in(page: Page, username: str, password: str, then: str = "/staff") -> None:
    """Sign in on the login form, as a person does; the page lands on `then`."""
    page.goto(f"/login?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    expect(page.locator("header .who")).to_contain_text(username)


def as_admin(page: Page) -> None:
    log_in(page, *ADMIN)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

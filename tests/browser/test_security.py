"""The pages' defences in a real browser, against the real service, its
worker and Docker.

Hostile candidate content: a candidate named `<img src=x onerror=alert(1)>` (invited from a
pasted CSV list), whose app prints `<script>alert(1)</script>` when it is imported and answers
with HTML, so that the suite's failure message echoes it (a real grading), whose other
submission holds a file named `<img src=x onerror=alert(1)>.py` (refused by the API: written to
the row directly, as an older rule or an import would have left it) with test messages full of
HTML and terminal escapes, and whose short answer, note and decision comment carry <script>.
Every staff page that shows them is opened; the DOM (shadow roots included: the code views)
holds no element and no attribute that came from that text, the text is shown as text, and no
dialog ever opens.

CSRF: a page of another origin (a second local port) posts a form to the service's
`/staff/assessments/{slug}/close` with the victim's session cookie: the service refuses it
(403) and the assessment stays published; the same button on the service's own page works."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import update

from grader.db.models import Submission
from grader.db.session import get_sessionmaker
from tests.browser.conftest import (
    GRADING_TIMEOUT_MS,
    NewContext,
    as_admin,
    screenshot,
)
from tests.e2e.conftest import Service
from tests.e2e.test_assessments import (
    RIGHT,
    candidate,
    graded,
    new_assessment,
    submit,
)

pytestmark = pytest.mark.docker

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ANSI = "\x1b[31mred\x1b[0m"
#: The only scripts the pages load.
OUR_SCRIPTS = {
    "/static/vendor/htmx/htmx.min.js",
    "/static/app/common.js",
    "/static/app/code-view.js",
    "/static/app/staff.js",
}

#: The app: prints a <script> when imported, answers GET / with HTML (the suite's message
#: echoes what it got), and is otherwise right.
HOSTILE_APP = {
    "main.py": (
        "from fastapi import FastAPI\n\n"
        f"print({SCRIPT!r}, flush=True)\n"
        "app = FastAPI()\n\n\n"
        '@app.get("/")\n'
        "def home() -> dict[str, str]:\n"
        f"    return {{'message': {'<b>Hello</b> ' + SCRIPT + ' ' + IMG!r}}}\n\n\n"
        '@app.get("/hello/{name}")\n'
        "def hello(name: str) -> dict[str, str]:\n"
        '    return {"message": f"Hello {name}"}\n'
    )
}
#: A stored result the worker could never have written (its text passes through a filter):
#: raw terminal escapes and markup in every field a page shows.
STORED_RESULT: dict[str, Any] = {
    "verdict": "failed",
    "score": 60,
    "max_score": 100,
    "duration_ms": 5,
    "log": f"{SCRIPT} {ANSI} {IMG}",
    "error": None,
    "tests": [
        {
            "name": f"test_x.py::test_{IMG}",
            "outcome": "failed",
            "points": 0,
            "max_points": 40,
            "message": f"expected <b>bold</b> {SCRIPT} {ANSI} {IMG}",
        },
        {
            "name": "test_x.py::test_ok",
            "outcome": "passed",
            "points": 60,
            "max_points": 60,
            "message": "",
        },
    ],
}

#: Every element of the document and of its open shadow roots (the code views): scripts,
#: elements that load or embed something, and event-handler attributes, wherever they are.
INVENTORY = """() => {
    const found = {scripts: [], loaders: [], handlers: [], escapes: 0};
    const LOADERS = ["img", "iframe", "object", "embed", "video", "audio", "image", "base", "meta"];
    const walk = (root) => {
        for (const el of root.querySelectorAll("*")) {
            const tag = el.tagName.toLowerCase();
            if (tag === "script") {
                found.scripts.push(el.getAttribute("src") || "inline: " + el.textContent);
            }
            // (the code view's own: an empty image beside a widget, e.g. a control character's)
            const buffer = tag === "img" && el.className === "cm-widgetBuffer"
                && el.attributes.length === 2;
            const ours = buffer || (tag === "meta" && el.parentElement === document.head);
            if (LOADERS.includes(tag) && !ours) {
                found.loaders.push(el.outerHTML.slice(0, 120));
            }
            for (const attr of el.attributes) {
                if (attr.name.startsWith("on")) found.handlers.push(`${tag}[${attr.name}]`);
                if (/^\\s*javascript:/i.test(attr.value)) {
                    found.handlers.push(`${tag}[${attr.name}=javascript:]`);
                }
            }
            if (el.shadowRoot) walk(el.shadowRoot);
        }
    };
    walk(document);
    found.escapes = (document.documentElement.outerHTML.match(/\\u001b/g) || []).length;
    return found;
}"""


def assert_inert(page: Page, where: str) -> None:
    found = page.evaluate(INVENTORY)
    assert set(found["scripts"]) <= OUR_SCRIPTS, (where, found["scripts"])
    assert found["loaders"] == [], (where, found["loaders"])
    assert found["handlers"] == [], (where, found["handlers"])
    assert found["escapes"] == 0, f"{where}: a terminal escape reached the page"


def never_a_dialog(page: Page) -> list[str]:
    """Every dialog the page opens (dismissed at once): the list must stay empty."""
    opened: list[str] = []

    def seen(dialog: Dialog) -> None:
        opened.append(f"{page.url}: {dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", seen)
    return opened


def code_views_drawn(page: Page) -> None:
    """Wait until every file of the page is drawn by the code view (CodeMirror)."""
    page.wait_for_function(
        "() => !document.querySelector('pre[data-highlight]')"
        " && [...document.querySelectorAll('.code-view .cm-host')].every((h) => h.shadowRoot"
        " && h.shadowRoot.querySelector('.cm-content'))"
    )


def test_hostile_candidate_content_is_inert_on_every_staff_page(
    service: Service, screen: str, new_context: NewContext
) -> None:
    page = new_context().new_page()
    dialogs = never_a_dialog(page)
    as_admin(page)

    # Invited from a pasted list: the name and the reference are hostile.
    page.goto(f"/staff/assessments/{screen}")
    page.get_by_label("Paste CSV").fill(f"{IMG},mallory@example.org,{SCRIPT}\n")
    page.get_by_role("button", name="Invite all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations made")
    expect(page.locator("table.links tbody td").first).to_have_text(f"{IMG} mallory@example.org")
    assert_inert(page, "invited")
    link = page.locator("input.link-field").input_value()
    token = link.rsplit("/", 1)[1]
    invitation = int(
        (page.locator("table.links tbody a").get_attribute("href") or "").rsplit("/", 1)[1]
    )

    # Her work, through the REST API with the invitation's token.
    with candidate(service, token) as http:
        assert http.post("/api/v1/invitation/start").status_code == 200
        refused = http.post(
            "/api/v1/invitation/items/1/submissions",
            json={"files": {**RIGHT, f"{IMG}.py": SCRIPT}},
        )
        assert refused.status_code == 422, refused.text  # such a file name is refused
        logged = submit(http, 1, HOSTILE_APP)
        stored = submit(http, 1, RIGHT)
        saved = http.put("/api/v1/invitation/items/3/answer", json={"text": f"ASGI {SCRIPT}"})
        assert saved.status_code == 200, saved.text
        echoed = graded(http, logged, GRADING_TIMEOUT_MS / 1000)
        graded(http, stored, GRADING_TIMEOUT_MS / 1000)
    # (the candidate's own view may hold no log: the staff pages are what is checked here)
    assert echoed["score"] < 100, echoed
    # The second submission becomes a row the API would never have let in.
    with get_sessionmaker(service.database_url)() as session:
        files = {**RIGHT, f"{IMG}.py": f"{SCRIPT}\n# {ANSI}\n"}
        session.execute(
            update(Submission)
            .where(Submission.id == stored)
            .values(files=files, result=STORED_RESULT, score=60, verdict="failed")
        )
        session.commit()

    # A note and a decision comment written on the scorecard.
    page.goto(f"/staff/invitations/{invitation}")
    page.get_by_label("Add a note").fill(f"Note: {SCRIPT} {IMG}")
    page.get_by_role("button", name="Add note").click()
    decision = page.get_by_role("region", name="Decision")
    decision.get_by_label("hold").check()
    decision.get_by_label("Comment").fill(f"Hold {IMG}")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("region", name="Decision")).to_contain_text(f"Hold {IMG}")

    # Every page that shows her: the text is there, as text, and nothing else.
    pages = {
        "assessment table": f"/staff/assessments/{screen}?q=mallory",
        "scorecard": f"/staff/invitations/{invitation}",
        "scorecard, the logging app": f"/staff/invitations/{invitation}?show={logged}",
        "scorecard, the stored row": f"/staff/invitations/{invitation}?show={stored}",
        "scorecard, the diff": f"/staff/invitations/{invitation}?a={logged}&b={stored}",
        "submission, the logging app": f"/staff/submissions/{logged}",
        "submission, the stored row": f"/staff/submissions/{stored}",
        "print view": f"/staff/invitations/{invitation}/print",
    }
    for where, path in pages.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (where, response)
        if page.locator(".code-view, pre[data-highlight]").count():
            code_views_drawn(page)
        for details in page.locator("details").all():  # the logs, the reference answer
            details.locator("summary").click()
        assert_inert(page, where)
        text = page.locator("body").inner_text()
        assert IMG in text, f"{where}: the name is not shown as text"
        screenshot(page, "hostile-" + re.sub(r"\W+", "-", where).strip("-"))

    # Where each piece of text shows, as text.
    page.goto(f"/staff/assessments/{screen}?q=mallory")
    expect(page.locator("#candidates tbody a")).to_have_text(IMG)
    page.goto(f"/staff/invitations/{invitation}?show={logged}")
    expect(page.get_by_role("heading", level=1)).to_have_text(IMG)
    expect(page.locator(".meta")).to_contain_text(f"ref {SCRIPT}")
    expect(page.locator("#item-1 pre.message").first).to_contain_text(f"<b>Hello</b> {SCRIPT}")
    page.locator("#item-1 details summary").click()
    expect(page.locator("#item-1 details pre")).to_contain_text(SCRIPT)  # the app's print
    expect(page.locator("#item-3 blockquote.answer")).to_have_text(f"ASGI {SCRIPT}")
    expect(page.locator("#notes .note-body")).to_have_text(f"Note: {SCRIPT} {IMG}")
    page.goto(f"/staff/invitations/{invitation}?show={stored}")
    tab = page.get_by_role("tab", name=f"{IMG}.py")
    tab.click()
    expect(page.get_by_role("textbox", name=f"Code of {IMG}.py")).to_contain_text(SCRIPT)
    expect(page.locator("#item-1 table.tests tr.failed td").first).to_have_text(
        f"test_x.py::test_{IMG}"
    )
    screenshot(page, "hostile-scorecard-file-tab")
    page.goto(f"/staff/invitations/{invitation}?a={logged}&b={stored}")
    expect(page.get_by_label(f"Diff of {IMG}.py")).to_contain_text(SCRIPT)
    page.goto(f"/staff/submissions/{stored}")
    expect(page.locator("pre.message").first).to_contain_text(f"expected <b>bold</b> {SCRIPT}")
    assert dialogs == [], dialogs


# --- CSRF -------------------------------------------------------------------------------------


@contextmanager
def other_origin(html: str) -> Iterator[str]:
    """A page of another origin (a second local port) serving `html`; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/prize.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def forged_form(action: str, token: str | None) -> str:
    field = f'<input type="hidden" name="csrf_token" value="{token}">' if token else ""
    return (
        '<!doctype html><html lang="en"><head><title>You won</title></head><body>'
        f'<form method="post" action="{action}">{field}'
        '<button type="submit">Claim your prize</button></form></body></html>'
    )


@pytest.mark.parametrize("token", [None, "a-guessed-token"], ids=["no-token", "wrong-token"])
def test_a_form_from_another_origin_cannot_close_an_assessment(
    service: Service, admin: httpx.Client, new_context: NewContext, token: str | None
) -> None:
    slug = new_assessment(admin, [{"challenge": "hello-world", "weight": 100}])
    page = new_context().new_page()
    as_admin(page)  # the victim: an admin with a live session
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["grader_session"]["sameSite"] == "Lax" and cookies["grader_session"]["httpOnly"]

    action = f"{service.url}/staff/assessments/{slug}/close"
    with other_origin(forged_form(action, token)) as evil:
        assert evil.split(":")[2].split("/")[0] != service.url.rsplit(":", 1)[1]
        page.goto(evil)
        with page.expect_response(action) as answered:
            page.get_by_role("button", name="Claim your prize").click()
    response = answered.value
    sent = response.request.all_headers()
    assert "grader_session=" in sent.get("cookie", ""), "the victim's cookie went along"
    assert sent.get("origin", "").startswith("http://127.0.0.1:") and sent["origin"] != service.url
    assert response.status == 403, response.status
    expect(page.get_by_role("alert")).to_contain_text("did not come from this site")
    assert admin.get(f"/api/v1/assessments/{slug}").json()["status"] == "published"

    # The same session, from the service's own page (its token, its origin), closes it.
    page.goto(f"/staff/assessments/{slug}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close").click()
    expect(page.locator("h1 .badge")).to_have_text("closed")
    assert admin.get(f"/api/v1/assessments/{slug}").json()["status"] == "closed"

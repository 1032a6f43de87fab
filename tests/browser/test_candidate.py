"""The candidate's journey in a real browser, against the real service,
its worker and Docker: open the invitation link, start, type in the editor, reload (the draft
comes back, also in another browser), submit a wrong answer and watch the failing tests'
messages arrive without a reload, fix it to 100, answer the concept questions, finish. Then the
countdown and the read-only switch at the deadline, the keyboard-only path, and the layouts at
1280x720 and on a 390-px-wide phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from grader.db.session import get_sessionmaker
from grader.services import activity
from grader.services.invitations import get_invitation
from tests.browser.conftest import (
    DESKTOP,
    GRADING_TIMEOUT_MS,
    PHONE,
    NewContext,
    parse_time,
    screenshot,
)
from tests.e2e.conftest import Service
from tests.e2e.test_assessments import RIGHT, WRONG_ROOT, candidate, invite, new_assessment, submit

pytestmark = pytest.mark.docker

ASGI = "ASGI is the asynchronous server gateway interface, the successor of WSGI; Uvicorn runs it."


#: Records, per submission shown in the history, the statuses it went through (no reload: a
#: reload would lose the record).
WATCH_STATUSES = """() => {
    window.statuses = {};
    const record = () => {
        for (const box of document.querySelectorAll("#history .result")) {
            const id = box.id.replace("submission-", "");
            const status = [...box.classList].find((c) => c.startsWith("status-")).slice(7);
            const seen = (window.statuses[id] ??= []);
            if (seen[seen.length - 1] !== status) seen.push(status);
        }
    };
    // (htmx settles a swapped-in element's class a moment after inserting it)
    new MutationObserver(record).observe(document.getElementById("history"),
        {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
}"""


def editor(page: Page) -> Locator:
    """The editor's editable element (CodeMirror, inside an open shadow root: CSS pierces it)."""
    return page.locator("#editor .cm-content")


def set_code(page: Page, text: str) -> None:
    """Replace the editor's text as a paste does (typing would auto-indent and close brackets).
    A real paste event with the text on its clipboard data: the editor inserts it itself, and
    the workspace records it as a large paste (an activity signal)."""
    editor(page).click()
    page.keyboard.press("Control+A")
    editor(page).evaluate(
        """(element, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const paste = {clipboardData: data, bubbles: true, composed: true};
            element.dispatchEvent(new ClipboardEvent("paste", paste));
        }""",
        text,
    )


def code(page: Page) -> str:
    # The document as the view shows it (short files are drawn whole).
    return str(
        page.evaluate(
            """() => [...document.querySelector('#editor .cm-host').shadowRoot
                      .querySelectorAll('.cm-line')].map((l) => l.textContent).join('\\n')"""
        )
    )


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Draft saved"))


def open_link(page: Page, link: str) -> None:
    """Open the invitation link: the token becomes a session, the address bar loses it."""
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/take$"))


def queued(page: Page) -> int:
    """The id of the submission the page just reported as queued."""
    status = page.locator("#submit-status")
    expect(status).to_have_text(re.compile(r"^Submission \d+ sent: its result appears below\.$"))
    return int(status.inner_text().split()[1])


def csrf(page: Page) -> str:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    return token


def test_candidate_journey(
    service: Service, admin: httpx.Client, screen: str, page: Page, new_context: NewContext
) -> None:
    invited = invite(admin, screen, "Grace Hopper")
    assert invited["link"].startswith(service.url)

    # The landing page: instructions, time limit, items, what is recorded, the Start button.
    open_link(page, invited["link"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Backend screen")
    expect(page.locator(".meta")).to_contain_text("For Grace Hopper")
    expect(page.locator(".meta")).to_contain_text("time limit 30 minutes")
    instructions = page.get_by_role("region", name="Instructions")
    expect(instructions.locator("li")).to_have_count(2)
    expect(instructions.locator("strong")).to_have_text("FastAPI")  # Markdown, rendered
    expect(page.locator("table.items tbody tr")).to_have_count(3)
    expect(page.get_by_role("region", name="What is recorded while you work")).to_contain_text(
        "pastes of 200 characters or more"
    )
    expect(page.get_by_text("cannot be paused")).to_be_visible()
    screenshot(page, "candidate-landing")

    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/take/items/1$"))
    expect(page.locator("h1")).to_have_text("1. Hello World")  # one h1: the prompt's is h2
    expect(page.get_by_role("tab", name="main.py")).to_have_attribute("aria-selected", "true")
    expect(editor(page)).to_contain_text("TODO: return the greeting")  # the starter file
    expect(page.locator("#countdown .clock")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    # Typing is saved on the server; a reload (and another browser) gets the draft back.
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("# a draft typed by hand")
    page.reload()  # at once: mid-edit, before the draft's debounced save
    expect(editor(page)).to_contain_text("# a draft typed by hand")
    expect(editor(page)).to_contain_text("TODO: return the greeting")
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Draft saved"))
    other = new_context().new_page()
    open_link(other, invited["link"])
    expect(other.get_by_role("link", name="Continue with item 1")).to_be_visible()
    other.goto("/take/items/1")
    expect(editor(other)).to_contain_text("# a draft typed by hand")
    other.context.close()

    # A wrong answer: queued at once, then its failing tests with their messages, no reload.
    page.evaluate(WATCH_STATUSES)
    set_code(page, WRONG_ROOT["main.py"])
    wait_saved(page)
    assert code(page) == WRONG_ROOT["main.py"].rstrip("\n") or code(page) == WRONG_ROOT["main.py"]
    page.get_by_role("button", name="Submit for grading").click()
    first_id = queued(page)
    first = page.locator(f"#submission-{first_id}")
    failed = first.locator("tr.failed")
    expect(failed.first).to_be_visible(timeout=GRADING_TIMEOUT_MS)
    expect(first.locator(".badge.fail")).to_have_text(re.compile(r"^\d+ / 100$"))
    expect(failed.first.locator("pre.message")).not_to_be_empty()
    expect(first.locator("tr.passed").first).to_be_visible()
    went = page.evaluate("() => window.statuses")
    # queued at once, then (if the grading outlasts the page's next look, about a second:
    # the start of a grading is not announced) running, then the result
    assert went in (
        {str(first_id): ["queued", "running", "completed"]},
        {str(first_id): ["queued", "completed"]},
    ), went

    # Fixed: 100.
    set_code(page, RIGHT["main.py"])
    page.get_by_role("button", name="Submit for grading").click()
    best_id = queued(page)
    best = page.locator(f"#submission-{best_id}")
    expect(page.locator("#history > li")).to_have_count(2)
    expect(page.locator("#history > li > .result").first).to_have_id(f"submission-{best_id}")
    expect(best.locator(".badge.pass")).to_have_text("100 / 100", timeout=GRADING_TIMEOUT_MS)
    expect(best.locator("tr.failed")).to_have_count(0)
    statuses = page.evaluate("() => window.statuses")  # still there: the same document
    assert statuses[str(best_id)][-1] == "completed" and statuses[str(first_id)][-1] == "completed"
    screenshot(page, "candidate-workspace")

    # The earlier submission opens on a page of its own, with its code.
    first.get_by_role("link", name=re.compile(r"^Submission \d+$")).click()
    expect(page).to_have_url(re.compile(r"/take/submissions/\d+$"))
    shown = page.get_by_role("textbox", name="Code of main.py")
    expect(shown).to_contain_text('return {"message": "Hello, World!"}')  # the wrong one
    expect(page.locator("tr.failed").first).to_be_visible()
    screenshot(page, "candidate-submission")
    page.go_back()

    # The concept questions: saved as answered, still there after a reload.
    page.get_by_role("link", name="Item 2 →").click()
    expect(page).to_have_url(re.compile(r"/take/items/2$"))
    page.get_by_label(re.compile(r"^Runs it in an external thread pool")).check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.locator("#answer-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d:\d\d"))
    screenshot(page, "candidate-question-choice")
    page.get_by_role("link", name="Item 3 →").click()
    page.get_by_role("textbox").fill(ASGI)
    page.get_by_role("button", name="Save answer").click()
    expect(page.locator("#answer-status")).to_have_text(re.compile(r"^Saved at"))
    screenshot(page, "candidate-question-text")
    page.reload()
    expect(page.get_by_role("textbox")).to_have_value(ASGI)
    page.goto("/take/items/2")
    expect(page.get_by_label(re.compile(r"^Runs it in an external thread pool"))).to_be_checked()

    # Finish, after a confirmation; the landing page then says so.
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("table.items tbody tr").nth(1)).to_contain_text("answered")
    page.get_by_text("Finish the assessment…").click()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Yes, finish now").click()  # asked, and cancelled
    expect(page.locator(".badge.status-started")).to_be_visible()
    assert asked == ["Finish the assessment now? You cannot change anything afterwards."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Yes, finish now").click()
    expect(page.get_by_role("heading", name="You have finished")).to_be_visible()
    screenshot(page, "candidate-finished")

    card = admin.get(f"/api/v1/invitations/{invited['id']}/scorecard")
    assert card.status_code == 200, card.text
    items = card.json()["items"]
    assert items[1]["answer"]["answer"] == {"choice": [0]}
    assert items[2]["answer"]["answer"] == {"text": ASGI}
    status = admin.get(f"/api/v1/invitations/{invited['id']}").json()
    assert (status["status"], status["finished_how"]) == ("finished", "candidate")
    # The activity signals the landing page announced: both pastes (sizes, on item 1) and time
    # active, sent by the workspace when the candidate left the page.
    with get_sessionmaker(service.database_url)() as session:
        signals = activity.summary(session, get_invitation(session, invited["id"]))
    assert [(item, size) for item, size, _ in signals.pastes] == [
        (1, len(WRONG_ROOT["main.py"])),
        (1, len(RIGHT["main.py"])),
    ]
    assert signals.seconds_active.get(1, 0) >= 1


def seconds_left(page: Page) -> int:
    """The countdown's reading, in seconds ("m:ss" or "h:mm:ss")."""
    parts = [int(p) for p in page.locator("#countdown .clock").inner_text().split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


#: How far ahead of the test the assessment's window closes: the candidate's deadline, since
#: it comes before start + time limit. Long enough to open the link and start on a busy machine.
DEADLINE_SECONDS = 20


def test_countdown_warning_and_read_only_switch_at_the_deadline(
    service: Service, admin: httpx.Client, page: Page
) -> None:
    closes_at = datetime.now(UTC) + timedelta(seconds=DEADLINE_SECONDS)
    slug = new_assessment(
        admin,
        [{"challenge": "hello-world", "weight": 100}],
        title="Deadline screen",
        time_limit_minutes=30,
        closes_at=closes_at.isoformat(),
    )
    invited = invite(admin, slug, "Ada Lovelace")
    open_link(page, invited["link"])
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/take/items/1$"))

    # The countdown counts to min(start + limit, closes_at), from the server's clock.
    box = page.locator("#countdown")
    assert parse_time(box.get_attribute("data-deadline") or "") == closes_at
    expect(box.locator(".clock")).to_have_text(re.compile(r"^0:[0-2]\d$"))
    before = seconds_left(page)
    assert 0 < before <= DEADLINE_SECONDS
    page.wait_for_function(
        "(shown) => document.querySelector('#countdown .clock').textContent !== shown",
        arg=f"0:{before:02d}",
    )
    assert seconds_left(page) < before
    # Under 5 minutes from the start: the warning is there at once.
    expect(page.get_by_role("alert")).to_have_text("Less than a minute left: submit what you have.")
    expect(box).to_have_class(re.compile(r"\bwarning\b"))
    set_code(page, RIGHT["main.py"])
    wait_saved(page)
    submit = page.get_by_role("button", name="Submit for grading")
    expect(submit).to_be_enabled()

    # The deadline passes: the page turns read-only by itself.
    left_ms = (closes_at - datetime.now(UTC)).total_seconds() * 1000
    expect(submit).to_be_disabled(timeout=left_ms + 10_000)
    assert datetime.now(UTC) >= closes_at - timedelta(seconds=1), "read-only too early"
    expect(page.locator("#read-only-note")).to_have_text(re.compile(r"^The time is over"))
    expect(page.locator("#time-warning")).to_be_hidden()  # no "submit what you have" any more
    expect(box).to_have_class(re.compile(r"\bover\b"))
    expect(box.locator(".clock")).to_have_text("0:00")
    expect(page.locator("body")).to_have_class(re.compile(r"\bread-only\b"))
    for control in ("Add file", "Rename", "Delete"):
        expect(page.get_by_role("button", name=control)).to_be_disabled()
    expect(editor(page)).to_have_attribute("aria-readonly", "true")
    text = code(page)
    editor(page).click()
    page.keyboard.type("late")
    assert code(page) == text, "the editor took text after the deadline"
    screenshot(page, "candidate-read-only")

    # The server decides too: a submission (or a draft) after the deadline is refused.
    headers = {"X-CSRF-Token": csrf(page)}
    late = page.request.post(
        "/api/v1/invitation/items/1/submissions", headers=headers, data={"files": RIGHT}
    )
    assert late.status == 409, late.text()
    draft = page.request.put(
        "/api/v1/invitation/items/1/draft", headers=headers, data={"files": RIGHT}
    )
    assert draft.status == 409, draft.text()
    # And a reload shows the page read-only from the server's side.
    page.reload()
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for grading")).to_be_disabled()
    expect(editor(page)).to_have_attribute("aria-readonly", "true")


def focused(page: Page) -> dict[str, str]:
    """The focused element, seen through the editor's shadow root: its tag, role, id, text."""
    found: dict[str, str] = page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) {
                el = el.shadowRoot.activeElement;
            }
            return {tag: el.tagName.toLowerCase(), role: el.getAttribute("role") || "",
                    id: el.id, text: (el.textContent || "").trim().slice(0, 80),
                    editor: el.classList.contains("cm-content") ? "yes" : ""};
        }"""
    )
    return found


def tab_to(page: Page, wanted: Callable[[dict[str, str]], bool], key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until `wanted(focused)`, as a keyboard user would: in the
    editor, Tab indents, so Escape first (CodeMirror's way out, stated under the editor)."""
    for _ in range(40):
        now = focused(page)
        if wanted(now):
            return
        if now["editor"]:
            page.keyboard.press("Escape")
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached the control; last focused: {focused(page)}")


def test_keyboard_only_start_tabs_and_submit(admin: httpx.Client, screen: str, page: Page) -> None:
    invited = invite(admin, screen, "Keyboard User")
    open_link(page, invited["link"])
    tab_to(page, lambda f: f["text"] == "Start the assessment")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/take/items/1$"))
    expect(editor(page)).to_contain_text("TODO")

    # A second file, added with the keyboard: the name field takes the focus, Enter adds it.
    tab_to(page, lambda f: f["id"] == "add-file")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "file-name"
    page.keyboard.type("helpers.py")
    page.keyboard.press("Enter")
    helpers = page.get_by_role("tab", name="helpers.py")
    expect(helpers).to_have_attribute("aria-selected", "true")
    assert focused(page)["editor"], "the new file's editor has the focus"
    page.keyboard.type("VALUE = 1")
    wait_saved(page)

    # Back to the file tabs (Shift+Tab), then between them with the arrow keys.
    tab_to(page, lambda f: f["role"] == "tab", key="Shift+Tab")
    assert focused(page)["text"] == "helpers.py"
    page.keyboard.press("ArrowLeft")
    main = page.get_by_role("tab", name="main.py")
    expect(main).to_be_focused()
    expect(main).to_have_attribute("aria-selected", "true")
    expect(editor(page)).to_contain_text("TODO")
    page.keyboard.press("End")
    expect(helpers).to_be_focused()
    expect(editor(page)).to_have_text("VALUE = 1")
    page.keyboard.press("Home")
    expect(main).to_be_focused()

    # On to Submit, through the editor (Escape, Tab), and Enter.
    tab_to(page, lambda f: f["id"] == "submit")
    page.keyboard.press("Enter")
    submitted = queued(page)
    expect(page.locator(f"#submission-{submitted}")).to_be_visible()


def overflowing(page: Page) -> list[str]:
    """Elements that stick out to the right of the viewport (none: no horizontal scrolling).
    The width is the one the context was made with: an emulated phone widens its layout
    viewport (window.innerWidth) to fit a page that is too wide, instead of scrolling."""
    assert page.viewport_size is not None
    found: list[str] = page.evaluate(
        """(width) => {
            if (document.scrollingElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                             + (typeof el.className === "string" && el.className
                                ? "." + el.className.split(" ").join(".") : ""))
                .slice(0, 15);
        }""",
        page.viewport_size["width"],
    )
    return found


def test_readable_on_a_phone_and_at_1280x720(
    service: Service, admin: httpx.Client, screen: str, new_context: NewContext
) -> None:
    """Each candidate page, at 390 px wide (a phone) and at 1280x720: no horizontal scrolling,
    with a graded submission's test table showing."""
    invited = invite(admin, screen, "Phone Reader")
    # name -> (viewport, an emulated phone?, the editor's least share of the width)
    layouts = {"phone": (PHONE, True, 0.8), "desktop": (DESKTOP, False, 0.45)}
    pages: dict[str, Page] = {}
    for name, (viewport, mobile, _) in layouts.items():
        pages[name] = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
        open_link(pages[name], invited["link"])
        assert overflowing(pages[name]) == [], f"{name}: the landing page scrolls sideways"
    screenshot(pages["phone"], "candidate-landing-phone")
    pages["phone"].get_by_role("button", name="Start the assessment").click()
    expect(pages["phone"]).to_have_url(re.compile(r"/take/items/1$"))
    with candidate(service, invited["token"]) as http:  # a wrong answer, sent by the API
        submit(http, 1, WRONG_ROOT)

    for name, page in pages.items():
        viewport, _, share = layouts[name]
        page.goto("/take/items/1")
        expect(page.locator("#history tr.failed").first).to_be_visible(timeout=GRADING_TIMEOUT_MS)
        assert overflowing(page) == [], f"{name}: the workspace scrolls sideways"
        box = page.locator("#editor").bounding_box()
        assert box is not None and box["width"] >= share * viewport["width"], box
        screenshot(page, f"candidate-workspace-{name}")
        for position in (2, 3):
            page.goto(f"/take/items/{position}")
            expect(page.get_by_role("button", name="Save answer")).to_be_visible()
            assert overflowing(page) == [], f"{name}: item {position} scrolls sideways"
        screenshot(page, f"candidate-question-{name}")
        page.goto("/take")
        assert overflowing(page) == [], f"{name}: the started landing page scrolls sideways"

"""The hiring team's journeys in a real browser, against the real
service, its worker and Docker.

A reviewer finds a candidate in an assessment's table (filters, sorting), opens the scorecard,
compares two submissions, overrides a short answer's score (the total moves, "needs review"
goes), records a decision and exports the CSV, whose row agrees with the scorecard. An admin
uploads a challenge archive and watches its version row turn live by itself (htmx polling, no
reload) while building an assessment through the form, publishing it, inviting two candidates
from a pasted CSV list (links shown once, with a copy button) and revoking one; then "Try it"
grades the new challenge's reference to 100, and the operations page lists the workers (a
reviewer gets a 403 there). Each main page is photographed (1280x720; the table at 390 px)."""

from __future__ import annotations

import csv
import io
import re
import secrets
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    GRADING_TIMEOUT_MS,
    PHONE,
    NewContext,
    as_admin,
    log_in,
    screenshot,
)
from tests.browser.test_candidate import overflowing
from tests.e2e.conftest import HELLO, Service
from tests.e2e.test_assessments import (
    ASGI_PARTIAL,
    RIGHT,
    WRONG_ROOT,
    answer,
    candidate,
    graded,
    invite,
    submit,
)

pytestmark = pytest.mark.docker

#: The uploaded copy of hello-world (one per session: the catalog is the deployment's).
UPLOADED = "hello-upload"
#: How long the worker may take to validate it (reference, alternatives, starter, mutants).
VALIDATION_TIMEOUT_MS = 240_000


def hello_archive(slug: str) -> bytes:
    """challenges/hello-world as a .tar.gz under another slug, as an author would pack it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(HELLO.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            data = path.read_bytes()
            if path.name == "challenge.toml":
                data = data.replace(b'slug = "hello-world"', f'slug = "{slug}"'.encode())
            info = tarfile.TarInfo(f"{slug}/{path.relative_to(HELLO).as_posix()}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# --- journey 2: the reviewer ----------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A finished candidate of the tests' assessment: a mutant then the reference on item 1,
    the right choice on item 2, a partial short answer on item 3 (proposed 4 / 6)."""

    invitation: int
    name: str
    mutant: int
    reference: int


@pytest.fixture(scope="module")
def prepared(service: Service, admin: httpx.Client, screen: str) -> Prepared:
    """Made through the REST API with the invitation's token, not the candidate pages; and a
    rival who finished with nothing (a second row for the sorting)."""
    name = f"Katherine Johnson {secrets.token_hex(2)}"
    invited = invite(admin, screen, name, candidate_email="kj@example.org")
    rival = invite(admin, screen, f"Quick Quitter {secrets.token_hex(2)}")
    with candidate(service, rival["token"]) as http:
        assert http.post("/api/v1/invitation/start").status_code == 200
        assert http.post("/api/v1/invitation/finish").status_code == 200
    with candidate(service, invited["token"]) as http:
        assert http.post("/api/v1/invitation/start").status_code == 200
        mutant = submit(http, 1, WRONG_ROOT)
        reference = submit(http, 1, RIGHT)
        assert answer(http, 2, choice=0).status_code == 200
        assert answer(http, 3, text=ASGI_PARTIAL).status_code == 200
        assert graded(http, mutant, GRADING_TIMEOUT_MS / 1000)["score"] < 100
        assert graded(http, reference, GRADING_TIMEOUT_MS / 1000)["score"] == 100
        assert http.post("/api/v1/invitation/finish").status_code == 200
    return Prepared(invited["id"], name, mutant, reference)


def rows(page: Page) -> Locator:
    return page.locator("#candidates tbody tr")


def scores(page: Page) -> list[float]:
    """The candidates table's score column, as numbers ("-" for none: -1)."""
    texts = rows(page).locator("td:nth-child(3)").all_inner_texts()
    return [float(t) if t.strip() != "-" else -1.0 for t in texts]


def total(page: Page) -> float:
    return float(page.locator("p.total strong").inner_text())


def readme_scorecard(page: Page, prepared: Prepared) -> None:
    """The README's picture of a scorecard (reviewer-scorecard.png, 1280 wide): the mutant's
    failing tests with their messages, its code, and the short answer's review form."""
    page.goto(f"/staff/invitations/{prepared.invitation}?show={prepared.mutant}")
    expect(page.locator("#item-1 .code-view .cm-content")).to_be_visible()
    bottom = page.locator("#item-3 form").bounding_box()
    assert bottom is not None
    path = screenshot(page, "reviewer-scorecard", clip_height=bottom["y"] + bottom["height"] + 24)
    assert path.stat().st_size < 300_000, path.stat().st_size
    page.goto(f"/staff/invitations/{prepared.invitation}")


def test_reviewer_finds_reviews_decides_and_exports(
    service: Service,
    screen: str,
    reviewer: tuple[str, str],
    prepared: Prepared,
    new_context: NewContext,
) -> None:
    page = new_context(accept_downloads=True).new_page()
    page.goto("/staff")  # no session: to the login form, and back here afterwards
    expect(page).to_have_url(re.compile(r"/login\?next=/staff$"))
    screenshot(page, "staff-login")
    log_in(page, *reviewer)
    expect(page.get_by_role("link", name="New assessment")).to_have_count(0)  # not a manager
    expect(page.get_by_role("link", name="Operations")).to_have_count(0)  # not an admin
    screenshot(page, "staff-assessments")
    page.get_by_role("link", name="Backend screen").click()
    expect(page).to_have_url(re.compile(rf"/staff/assessments/{screen}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Backend screen")
    expect(page.get_by_role("region", name="Invite candidates")).to_have_count(0)

    # Filters: the finished candidates who await a review, then sorted by score, both ways.
    page.get_by_label("Status").select_option("finished")
    page.get_by_label("Review").select_option("needed")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=finished&review=needed"))
    expect(rows(page).filter(has_text=prepared.name)).to_have_count(1)
    expect(rows(page).filter(has_text="Quick Quitter")).to_have_count(0)  # nothing to review
    for text in rows(page).locator("td:nth-child(2)").all_inner_texts():
        assert text == "finished"
    page.get_by_label("Review").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page).filter(has_text="Quick Quitter")).to_have_count(1)
    page.get_by_role("link", name="Score").click()  # first click: descending
    expect(page).to_have_url(re.compile(r"sort=score&desc=true"))
    expect(page.get_by_role("columnheader", name=re.compile("Score"))).to_contain_text(
        "sorted descending"
    )
    found = scores(page)
    assert found == sorted(found, reverse=True) and len(found) >= 2, found
    page.get_by_role("link", name=re.compile("^Score")).click()
    expect(page).to_have_url(re.compile(r"sort=score&desc=false"))
    found = scores(page)
    assert found == sorted(found), found
    # And by name.
    page.get_by_label("Name or email").fill("katherine")
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    row = rows(page).first
    expect(row).to_contain_text("kj@example.org")
    expect(row.locator(".badge")).to_have_text("needs review")
    screenshot(page, "staff-assessment-filtered")
    # The same table on a phone: it scrolls inside its card, the page does not.
    phone = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, storage_state=page.context.storage_state()
    ).new_page()
    phone.goto(f"/staff/assessments/{screen}?status=finished&sort=score&desc=true")
    expect(rows(phone).filter(has_text=prepared.name)).to_have_count(1)
    screenshot(phone, "staff-assessment-phone")
    assert overflowing(phone) == [], "the assessment page scrolls sideways on a phone"
    phone.context.close()

    # The scorecard.
    row.get_by_role("link", name=prepared.name).click()
    expect(page).to_have_url(re.compile(rf"/staff/invitations/{prepared.invitation}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(prepared.name)
    summary = page.get_by_role("region", name="Summary")
    expect(summary.locator(".badge", has_text="needs review")).to_be_visible()
    before = total(page)
    assert before == pytest.approx(60 + 20 + 20 * 4 / 6, abs=0.05), before
    coding = page.locator("#item-1")
    expect(coding).to_contain_text(f"Counted: submission {prepared.reference} (100 / 100)")
    expect(coding.locator("table.tests tr.passed")).to_have_count(4)
    expect(coding.get_by_role("textbox", name="Code of main.py")).to_contain_text("Hello World")
    screenshot(page, "staff-scorecard")
    readme_scorecard(page, prepared)

    # The diff between the mutant and the reference.
    coding.get_by_label("From").select_option(str(prepared.mutant))
    coding.get_by_label("To").select_option(str(prepared.reference))
    coding.get_by_role("button", name="Show the diff").click()
    expect(page).to_have_url(re.compile(rf"a={prepared.mutant}&b={prepared.reference}"))
    coding = page.locator("#item-1")
    changes = coding.get_by_role("heading", name=re.compile("^Changes from"))
    expect(changes).to_have_text(f"Changes from {prepared.mutant} to {prepared.reference}")
    diff = coding.get_by_label("Diff of main.py")
    expect(diff.locator(".del", has_text='"Hello, World!"')).to_have_count(1)
    expect(diff.locator(".add", has_text='"Hello World"')).to_have_count(1)
    screenshot(page, "staff-scorecard-diff")

    # The short answer: proposed 4 / 6, overridden to 6 with a comment.
    question = page.locator("#item-3")
    expect(question.locator("blockquote.answer")).to_have_text(ASGI_PARTIAL)
    expect(question.locator(".badge", has_text="needs review")).to_be_visible()
    expect(question.get_by_label("Points")).to_have_value("4")
    question.get_by_label("Points").fill("6")
    comment = "Names Uvicorn implicitly: full marks."
    question.get_by_label("Comment").fill(comment)
    question.get_by_role("button", name="Confirm or override").click()
    expect(page).to_have_url(re.compile(rf"/staff/invitations/{prepared.invitation}#item-3$"))
    question = page.locator("#item-3")
    expect(question).to_contain_text(f"Reviewed: 6 by {reviewer[0]}")
    expect(question).to_contain_text(comment)
    expect(page.locator(".badge", has_text="needs review")).to_have_count(0)
    after = total(page)
    assert after == pytest.approx(100.0), after
    expect(question.get_by_role("button", name="Update review")).to_be_visible()

    # The decision.
    decision = page.get_by_role("region", name="Decision")
    decision.get_by_label("advance").check()
    decision.get_by_label("Comment").fill("Strong on the basics.")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(r"#decision$"))
    expect(page.get_by_role("region", name="Decision")).to_contain_text(f"advance by {reviewer[0]}")
    expect(page.get_by_role("region", name="Decision").get_by_label("advance")).to_be_checked()
    screenshot(page, "staff-scorecard-reviewed")

    # The CSV export agrees with the scorecard.
    page.get_by_role("link", name=screen).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == f"{screen}.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = {row["invitation"]: row for row in csv.DictReader(io.StringIO(text))}
    mine = exported[str(prepared.invitation)]
    assert mine["candidate"] == prepared.name and mine["status"] == "finished"
    assert float(mine["score"]) == pytest.approx(after)
    assert (mine["needs_review"], mine["decision"]) == ("False", "advance")
    assert [float(mine[f"item_{n}"]) for n in (1, 2, 3)] == [60.0, 20.0, 20.0]


# --- journey 3: the admin -------------------------------------------------------------------


def confirm_next(page: Page) -> list[str]:
    """Accept the next confirmation dialog; the list it will hold its message in."""
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    return asked


def upload(page: Page, slug: str) -> Locator:
    """Upload the archive on the catalog page; its version row, polled while it validates."""
    page.goto("/staff/challenges")
    page.get_by_label("Archive").set_input_files(
        files=[
            {
                "name": f"{slug}.tar.gz",
                "mimeType": "application/gzip",
                "buffer": hello_archive(slug),
            }
        ]
    )
    page.get_by_role("button", name="Upload and validate").click()
    expect(page).to_have_url(re.compile(rf"/staff/challenges/{slug}#version-1$"))
    return page.locator("#version-1")


def test_admin_uploads_builds_publishes_invites_and_revokes(
    service: Service,
    admin: httpx.Client,
    reviewer: tuple[str, str],
    new_context: NewContext,
) -> None:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    catalog = context.new_page()
    as_admin(catalog)

    # The upload first: its validation (reference, alternatives, starter, mutants) is the
    # longest wait, and it runs while the admin builds the assessment in another tab.
    started = time.monotonic()
    version = upload(catalog, UPLOADED)
    expect(version.locator(".badge.running")).to_have_text("validating…")
    expect(version).to_contain_text("being graded by a worker")
    catalog.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    screenshot(catalog, "staff-challenge-validating")

    # A new assessment through the form.
    page = context.new_page()
    page.goto("/staff")
    page.get_by_role("link", name="New assessment").click()
    expect(page).to_have_url(re.compile(r"/staff/assessments/new$"))
    slug = f"api-screen-{secrets.token_hex(2)}"
    page.get_by_label("Title").fill("API developer screen")
    page.get_by_label("Slug (in links and the API)").fill(slug)
    page.get_by_label("Time limit").fill("45")
    page.get_by_label("Hello World").fill("50")
    # The question bank, narrowed by seed section, then by a word.
    count = page.locator("#filter-count")
    every = int(count.inner_text().split()[0])
    page.get_by_label("Seed section").select_option("1")
    basics = int(count.inner_text().split()[0])
    assert 0 < basics < every, (basics, every)
    bank = page.locator("#question-table tbody tr")
    for row in bank.filter(visible=True).all():
        expect(row.locator("td:nth-child(2)")).to_have_text("1")
    page.get_by_label("Search").fill("asgi")
    expect(count).to_have_text(re.compile(r"^[1-9]\d* shown$"))
    assert int(count.inner_text().split()[0]) < basics
    page.locator("#w-q-basics-asgi").fill("30")
    page.locator("#w-q-basics-asgi-server-mc").fill("20")
    expect(page.locator("#weight-total")).to_have_text("100")
    page.get_by_label("Search").fill("")  # the chosen ones stay shown with the others
    expect(page.locator("#w-q-basics-asgi")).to_be_visible()
    screenshot(page, "staff-assessment-form")
    page.get_by_role("button", name="Create draft").click()
    expect(page).to_have_url(re.compile(rf"/staff/assessments/{slug}$"))
    expect(page.locator("h1 .badge")).to_have_text("draft")
    expect(page.locator(".meta")).to_contain_text("3 items · 45 min")

    # Publish, after the confirmation.
    asked = confirm_next(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1 .badge")).to_have_text("published")
    assert asked and asked[0].startswith("Publish?"), asked
    made = admin.get(f"/api/v1/assessments/{slug}").json()
    assert made["status"] == "published" and made["time_limit_minutes"] == 45
    assert [(i.get("challenge") or i.get("question"), i["weight"]) for i in made["items"]] == [
        ("hello-world", 50),
        ("basics-asgi", 30),
        ("basics-asgi-server-mc", 20),
    ], made["items"]
    screenshot(page, "staff-assessment-published")

    # Two candidates from a pasted list: two links, shown once, each with a copy button.
    page.get_by_label("Paste CSV").fill(
        "name,email,reference\nAlan Turing,alan@example.org,ATS-1\nJoan Clarke,joan@example.org,\n"
    )
    page.get_by_role("button", name="Invite all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations made")
    links = page.locator("input.link-field")
    expect(links).to_have_count(2)
    alan, joan = (links.nth(n).input_value() for n in (0, 1))
    for link in (alan, joan):
        assert re.fullmatch(rf"{re.escape(service.url)}/take/inv_[\w-]+", link), link
    expect(page.get_by_role("button", name="Copy", exact=True)).to_have_count(2)
    copy = page.locator("button[data-copy]").first  # (its name changes: by its place)
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == alan
    expect(page.get_by_label("All links")).to_have_value(
        f"Alan Turing,{alan}\nJoan Clarke,{joan}\n"
    )
    screenshot(page, "staff-invited")

    # Revoke Joan's: her link stops working, Alan's still opens.
    page.get_by_role("link", name="Joan Clarke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joan Clarke")
    asked = confirm_next(page)
    page.get_by_role("button", name="Revoke the link").click()
    expect(page.get_by_role("region", name="Summary")).to_contain_text("revoked")
    assert asked and asked[0].startswith("Revoke this invitation?"), asked
    expect(page.get_by_role("button", name="Revoke the link")).to_have_count(0)
    for link, works in ((joan, False), (alan, True)):
        with candidate(service, link.rsplit("/", 1)[1]) as http:
            opened = http.get("/api/v1/invitation")
        assert (opened.status_code == 200) == works, (link, opened.status_code, opened.text)
    page.goto(f"/staff/assessments/{slug}")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).filter(has_text="Joan Clarke")).to_contain_text("revoked")

    # Meanwhile the catalog tab turned the version live by itself (htmx, no reload).
    expect(version.locator(".badge.pass")).to_have_text("live", timeout=VALIDATION_TIMEOUT_MS)
    validated = time.monotonic() - started
    assert catalog.evaluate("() => window.sameDocument === true"), "the page was reloaded"
    expect(version.locator("td:nth-child(2) .badge")).to_have_text("live")
    summary = version.locator("td:nth-child(4)")
    expect(summary).to_contain_text("reference 100/100")
    expect(summary).to_contain_text(re.compile(r"mutants caught (\d+)/\1"))
    expect(summary).to_contain_text(re.compile(r"alternatives at 100 (\d+)/\1"))
    print(f"validation of the uploaded challenge: {validated:.0f} s")
    # The parts that follow the live version came along: its title, the prompt, "Try it".
    expect(catalog.get_by_role("heading", level=1)).to_contain_text("Hello World")
    expect(catalog.get_by_role("region", name="Prompt (live version)")).to_be_visible()
    expect(catalog.get_by_role("status")).to_have_text("Validation of version 1 finished: live.")
    screenshot(catalog, "staff-challenge")

    # "Try it": the reference, graded through the sandbox, scores 100.
    catalog.get_by_role("button", name="Try it: grade the reference").click()
    expect(catalog).to_have_url(re.compile(r"/staff/submissions/\d+$"))
    result = catalog.locator("#submission-result")
    expect(result.locator("strong")).to_have_text("100 / 100", timeout=GRADING_TIMEOUT_MS)
    expect(result.locator(".badge")).to_have_text("completed")
    expect(result.locator("tr.passed")).to_have_count(4)
    expect(catalog.get_by_role("textbox", name="Code of main.py")).to_contain_text("Hello World")
    screenshot(catalog, "staff-submission")
    catalog.goto("/staff/challenges")
    expect(catalog.locator("tr", has_text=UPLOADED)).to_contain_text("1: live")
    screenshot(catalog, "staff-challenges")

    # Operations: the workers and the queue, for admins only.
    page.goto("/staff/operations")
    workers = page.get_by_role("region", name=re.compile(r"^Workers"))
    expect(workers.get_by_role("heading")).to_have_text(f"Workers ({service.worker_count})")
    expect(workers.locator("tbody tr")).to_have_count(service.worker_count)
    expect(page.locator("#queue-depth")).to_have_text(re.compile(r"^\d+$"))
    screenshot(page, "staff-operations")
    other = new_context().new_page()
    log_in(other, *reviewer)
    expect(other.get_by_role("link", name="Operations")).to_have_count(0)
    refused = other.goto("/staff/operations")
    assert refused is not None and refused.status == 403
    expect(other.get_by_role("alert")).to_contain_text("only for: admin")

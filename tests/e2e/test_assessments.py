"""Assessments end to end, on the real deployment of each database backend: an admin
builds, publishes and sends an assessment; a candidate takes it through the invitation's token
(wrong and right code graded by the workers in Docker, concept answers); the staff scorecard,
the CSV export (API and CLI) and the signed `invitation.finished` webhook agree with totals
computed here by hand; a reviewer's score makes the total final. Also: an abandoned invitation
finalised by the worker's reaper at the window's close, and revoked or expired links refused."""

from __future__ import annotations

import csv
import io
import json
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from grader.services.webhooks import SIGNATURE_HEADER, verify
from tests.e2e.conftest import CALLBACK_SECRET, HELLO, Service
from worker.challenge import load_challenge

pytestmark = pytest.mark.docker

HELLO_SPEC = load_challenge(HELLO)
RIGHT = HELLO_SPEC.solution
WRONG_ROOT = HELLO_SPEC.mutants["wrong-message"]  # fails the root test only
TITLE_CASED = HELLO_SPEC.mutants["greeting-typo"]  # fails names that change when title-cased
NO_NAME_ROUTE = HELLO_SPEC.mutants["missing-name-route"]  # passes the root test only

#: Short answer to "basics-asgi" (6 points) that shows two of its three rubric points.
ASGI_PARTIAL = "ASGI is the asynchronous server gateway interface, the successor of WSGI."
ASGI_PROPOSED, ASGI_MAX, ASGI_REVIEWED = 4, 6, 5

#: The journey's assessment: position -> (item, weight). Weights add up to 100.
ITEMS: list[dict[str, Any]] = [
    {"challenge": "hello-world", "weight": 30},  # 1: wrong, then right
    {"challenge": "hello-world", "weight": 30},  # 2: two wrong answers, the better first
    {"question": "basics-features-mc", "weight": 10},  # 3: several keys, all ticked
    {"question": "basics-def-endpoint-mc", "weight": 10},  # 4: wrong, then changed to right
    {"question": "basics-asgi-server-mc", "weight": 10},  # 5: wrong
    {"question": "basics-asgi", "weight": 10},  # 6: short answer, proposed then reviewed
]


def candidate(service: Service, token: str) -> httpx.Client:
    """A client that is nobody but the invitation's holder."""
    return httpx.Client(base_url=service.url, headers={"X-Invitation-Token": token}, timeout=90)


def new_assessment(admin: httpx.Client, items: list[dict[str, Any]], **settings: Any) -> str:
    """Create and publish an assessment; its slug."""
    slug = f"e2e-{secrets.token_hex(4)}"
    body = {"slug": slug, "title": f"Screen {slug}", "items": items, **settings}
    created = admin.post("/api/v1/assessments", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    published = admin.post(f"/api/v1/assessments/{slug}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    return slug


def invite(admin: httpx.Client, slug: str, name: str, **extra: Any) -> dict[str, Any]:
    response = admin.post(
        f"/api/v1/assessments/{slug}/invitations", json={"candidate_name": name, **extra}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["token"].startswith("inv_") and created["link"].endswith(created["token"])
    return created


def submit(http: httpx.Client, position: int, files: dict[str, str]) -> int:
    response = http.post(f"/api/v1/invitation/items/{position}/submissions", json={"files": files})
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/api/v1/invitation/submissions/{response.json()['id']}"
    return int(response.json()["id"])


def graded(http: httpx.Client, submission_id: int, seconds: float = 120) -> dict[str, Any]:
    """Long-poll the candidate's own submission until its grading is final."""
    deadline = time.monotonic() + seconds
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = http.get(f"/api/v1/invitation/submissions/{submission_id}", params={"wait": 30})
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] in ("completed", "error"):
            assert body["status"] == "completed", body
            return body
    raise AssertionError(f"submission {submission_id} not graded within {seconds} s: {body}")


def answer(http: httpx.Client, position: int, **given: Any) -> httpx.Response:
    return http.put(f"/api/v1/invitation/items/{position}/answer", json=given)


def poll(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not done(value := read()):
        assert time.monotonic() < deadline, value
        time.sleep(0.3)
    return value


@dataclass(frozen=True)
class Received:
    body: bytes
    signature: str
    at: datetime


@contextmanager
def receiver() -> Iterator[tuple[str, queue.Queue[Received]]]:
    """An HTTP endpoint of the test's own that records what is POSTed to it: (url, queue)."""
    got: queue.Queue[Received] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.put(Received(body, self.headers.get(SIGNATURE_HEADER, ""), datetime.now(UTC)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ats", got
    finally:
        server.shutdown()
        server.server_close()


def parse_csv(text: str) -> dict[int, dict[str, str]]:
    """The CSV export's rows by invitation id."""
    return {int(row["invitation"]): row for row in csv.DictReader(io.StringIO(text))}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_candidate_journey_scorecard_exports_and_webhook(service: Service) -> None:
    reviewer_name, reviewer_password = f"rev-{secrets.token_hex(3)}", "reviewer-pw-1"
    with (
        receiver() as (hook_url, hooks),
        service.client(service.admin_token) as admin,
    ):
        made = admin.post(
            "/api/v1/users",
            json={"username": reviewer_name, "password": reviewer_password, "role": "reviewer"},
        )
        assert made.status_code == 201, made.text
        slug = new_assessment(
            admin,
            ITEMS,
            instructions="Two coding tasks and four questions.",
            time_limit_minutes=30,
            counting="best",
            feedback="full",
            webhook_url=hook_url,
        )
        pinned = admin.get(f"/api/v1/assessments/{slug}").json()["items"]
        assert [i["challenge_version"] is not None for i in pinned] == [True] * 2 + [False] * 4
        invited = invite(
            admin, slug, "Ada Lovelace", candidate_email="ada@example.org", external_id="ats-7"
        )
        invitation_id, token = invited["id"], invited["token"]
        assert invited["status"] == "invited"

        with candidate(service, token) as http:
            # Opening the link shows the instructions and starts nothing.
            opened = http.get("/api/v1/invitation")
            assert opened.status_code == 200, opened.text
            view = opened.json()
            assert (view["assessment"], view["status"], view["started_at"]) == (
                slug,
                "invited",
                None,
            )
            assert view["instructions"] == "Two coding tasks and four questions."
            assert [i["kind"] for i in view["items"]] == ["coding"] * 2 + ["question"] * 4
            assert all(i["correct"] is None for i in view["items"]), "no key before the end"
            early = http.post("/api/v1/invitation/items/1/submissions", json={"files": RIGHT})
            assert early.status_code == 409 and "start" in early.json()["detail"]

            started = http.post("/api/v1/invitation/start")
            assert started.status_code == 200, started.text
            assert started.json()["status"] == "started"
            assert started.json()["deadline_at"] is not None

            # Wrong answers first, on both coding items (graded in parallel).
            wrong_1, better_2 = submit(http, 1, WRONG_ROOT), submit(http, 2, TITLE_CASED)
            first = graded(http, wrong_1)
            assert first["verdict"] == "failed" and 0 <= first["score"] < first["max_score"]
            assert first["tests"] and any(t["outcome"] != "passed" for t in first["tests"])
            second = graded(http, better_2)
            assert 0 < second["score"] < second["max_score"]
            right_1 = submit(http, 1, RIGHT)
            right = graded(http, right_1)
            assert (right["verdict"], right["score"]) == ("passed", right["max_score"])

            # Concept questions; an answer may be changed until the deadline.
            for position, given in (
                (3, {"choice": [2, 0, 1]}),
                (4, {"choice": 1}),
                (4, {"choice": 0}),
                (5, {"choice": 3}),
                (6, {"text": ASGI_PARTIAL}),
            ):
                saved = answer(http, position, **given)
                assert saved.status_code == 200, saved.text
            assert answer(http, 3, text="not a choice").status_code == 422

            # A worse answer sent last, still grading when the candidate finishes.
            worse_2 = submit(http, 2, NO_NAME_ROUTE)
            finished = http.post("/api/v1/invitation/finish")
            assert finished.status_code == 200, finished.text
            assert finished.json()["status"] == "finished"
            at_finish = admin.get(f"/api/v1/invitations/{invitation_id}/scorecard").json()
            assert hooks.empty(), "invitation.finished is sent once no grading is pending"
            late = http.post("/api/v1/invitation/items/1/submissions", json={"files": RIGHT})
            assert late.status_code == 409, late.text
            assert answer(http, 5, choice=0).status_code == 409
            worse = graded(http, worse_2)  # accepted before the end: graded all the same
            assert worse["score"] < second["score"]
            ended = http.get("/api/v1/invitation").json()
            assert ended["items"][2]["correct"] is None, "no key while others may be at work"
        assert at_finish["provisional"] is True
        assert at_finish["items"][1]["coding"]["pending"] == 1

        # The total, by hand: best submission per coding item, multiple choice exact (no
        # partial credit), the short answer at its proposed points until reviewed.
        item_points = [
            30 * right["score"] / right["max_score"],
            30 * max(second["score"], worse["score"]) / second["max_score"],
            10.0,
            10.0,
            0.0,
            10 * ASGI_PROPOSED / ASGI_MAX,
        ]
        expected = round(sum(item_points), 2)

        card = poll(
            lambda: admin.get(f"/api/v1/invitations/{invitation_id}/scorecard").json(),
            lambda c: all(i["coding"] is None or i["coding"]["pending"] == 0 for i in c["items"]),
        )
        assert card["total"] == pytest.approx(expected, abs=0.011)
        assert [i["points"] for i in card["items"]] == pytest.approx(item_points, abs=0.006)
        assert (card["provisional"], card["needs_review"]) == (True, True)
        assert card["invitation"]["score"] == card["total"]
        assert card["invitation"]["finished_how"] == "candidate"
        coding_1, coding_2 = card["items"][0]["coding"], card["items"][1]["coding"]
        assert (coding_1["submissions"], coding_1["counted"]["id"]) == (2, right_1)
        assert [s["id"] for s in coding_1["history"]] == [wrong_1, right_1]
        assert coding_1["first_full_score_at"] is not None
        assert all(t["outcome"] == "passed" for t in coding_1["tests"])
        assert (coding_2["submissions"], coding_2["counted"]["id"]) == (2, better_2)
        assert coding_2["first_full_score_at"] is None
        short = card["items"][5]["answer"]
        assert (short["proposed_points"], short["max_points"]) == (ASGI_PROPOSED, ASGI_MAX)
        assert short["reviewed_points"] is None
        assert card["items"][3]["answer"]["answer"] == {"choice": [0]}

        # The ATS is told once the last grading ended: signed, with the final coding scores.
        hook = hooks.get(timeout=60)
        assert verify(CALLBACK_SECRET, hook.body, hook.signature)
        assert not verify("another secret, thirty-two bytes or more!", hook.body, hook.signature)
        event = json.loads(hook.body)
        assert event["event"] == "invitation.finished"
        assert event["invitation"]["id"] == invitation_id
        assert event["invitation"]["external_id"] == "ats-7"
        assert (event["invitation"]["status"], event["invitation"]["finished_how"]) == (
            "finished",
            "candidate",
        )
        assert event["invitation"]["score"] == pytest.approx(expected, abs=0.011)
        assert event["invitation"]["needs_review"] is True
        assert hook.at >= moment(card["items"][1]["coding"]["history"][-1]["finished_at"])
        assert admin.get(event["invitation"]["scorecard"]).json()["total"] == card["total"]

        # The CSV export says what the scorecard says.
        exported = admin.get(f"/api/v1/assessments/{slug}/report.csv")
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("text/csv")
        rows = parse_csv(exported.text)
        assert list(rows) == [invitation_id]
        row = rows[invitation_id]
        assert (row["candidate"], row["email"], row["external_id"], row["status"]) == (
            "Ada Lovelace",
            "ada@example.org",
            "ats-7",
            "finished",
        )
        assert float(row["score"]) == pytest.approx(card["total"], abs=0.011)
        assert row["needs_review"] == "True"
        for position, item in enumerate(card["items"], start=1):
            assert float(row[f"item_{position}"]) == pytest.approx(item["points"], abs=0.006)
        assert int(row["time_used_seconds"]) == round(card["time_used_seconds"])

        # The assessment's report counts the counted submissions, and prints.
        summary = admin.get(f"/api/v1/assessments/{slug}/report").json()
        assert summary["by_status"] == {"finished": 1}
        assert summary["median_score"] == pytest.approx(card["total"], abs=0.011)
        assert [i["full_marks"] for i in summary["items"]] == [1, 0, 1, 1, 0, 0]
        failing = [t for t in summary["items"][1]["tests"] if t["pass_rate"] < 1]
        assert failing and all(t["ran"] == 1 for t in summary["items"][1]["tests"])
        printable = admin.get(f"/api/v1/invitations/{invitation_id}/scorecard.html")
        assert printable.status_code == 200 and "Ada Lovelace" in printable.text

    # A reviewer settles the short answer: the total moves to the reviewed points and is final.
    reviewer = service.login(reviewer_name, reviewer_password)
    with service.client(reviewer) as staff:
        reviewed = staff.put(
            f"/api/v1/invitations/{invitation_id}/answers/6/review",
            json={"points": ASGI_REVIEWED, "comment": "names Uvicorn elsewhere in the call"},
        )
        assert reviewed.status_code == 200, reviewed.text
        decided = staff.put(
            f"/api/v1/invitations/{invitation_id}/decision",
            json={"decision": "advance", "comment": "solid"},
        )
        assert decided.status_code == 200, decided.text
        assert staff.post(f"/api/v1/assessments/{slug}/close").status_code == 403
        final = staff.get(f"/api/v1/invitations/{invitation_id}/scorecard").json()
        final_csv = staff.get(f"/api/v1/assessments/{slug}/report.csv").text
    item_points[5] = 10 * ASGI_REVIEWED / ASGI_MAX
    expected = round(sum(item_points), 2)
    assert (final["provisional"], final["needs_review"]) == (False, False)
    assert final["total"] == pytest.approx(expected, abs=0.011)
    assert final["items"][5]["points"] == pytest.approx(item_points[5], abs=0.006)
    answer_card = final["items"][5]["answer"]
    assert (answer_card["proposed_points"], answer_card["reviewed_points"]) == (
        ASGI_PROPOSED,
        ASGI_REVIEWED,
    )
    assert answer_card["reviewed_by"] == reviewer_name
    assert (final["invitation"]["decision"], final["decided_by"]) == ("advance", reviewer_name)
    row = parse_csv(final_csv)[invitation_id]
    assert float(row["score"]) == pytest.approx(expected, abs=0.011)
    assert (row["needs_review"], row["decision"]) == ("False", "advance")
    assert float(row["item_6"]) == pytest.approx(item_points[5], abs=0.006)

    # The CLI prints the same rows as the API.
    done = service.cli("assessments", "report", slug, "--csv")
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(csv.reader(io.StringIO(done.stdout))) == list(csv.reader(io.StringIO(final_csv)))


def test_abandoned_invitation_is_finalised_by_the_reaper(service: Service) -> None:
    """The window closes a few seconds from now: the started candidate who never finishes is
    finalised by the worker's reaper (GRADER_REAPER_INTERVAL_SECONDS=1 in the deployment), the
    one who never started expires, and the started one's scorecard exists."""
    closes_at = datetime.now(UTC) + timedelta(seconds=8)
    with service.client(service.admin_token) as admin:
        slug = new_assessment(
            admin,
            [
                {"challenge": "hello-world", "weight": 50},
                {"question": "basics-features-mc", "weight": 50},
            ],
            time_limit_minutes=60,
            closes_at=closes_at.isoformat(),
        )
        started, idle = invite(admin, slug, "Gone Midway"), invite(admin, slug, "Never Came")
        with candidate(service, started["token"]) as http:
            begun = http.post("/api/v1/invitation/start")
            assert begun.status_code == 200, begun.text
            assert moment(begun.json()["deadline_at"]) == closes_at  # earlier than the limit
            assert answer(http, 2, choice=[0, 1, 2]).status_code == 200
            # Nothing is taken after the deadline, whether or not the reaper has run yet.
            time.sleep(max(0.0, (closes_at - datetime.now(UTC)).total_seconds()) + 0.5)
            refused = answer(http, 2, choice=[0])
            assert refused.status_code == 409, refused.text
            assert (
                http.post(
                    "/api/v1/invitation/items/1/submissions", json={"files": RIGHT}
                ).status_code
                == 409
            )
        path = f"/api/v1/invitations/{started['id']}"
        done = poll(lambda: admin.get(path).json(), lambda i: i["status"] == "finished", 30)
        assert done["finished_how"] == "deadline"
        assert moment(done["finished_at"]) >= closes_at
        card = admin.get(f"{path}/scorecard")
        assert card.status_code == 200, card.text
        assert card.json()["total"] == 50 and card.json()["provisional"] is False
        assert card.json()["items"][1]["answer"]["answer"] == {"choice": [0, 1, 2]}
        gone = poll(
            lambda: admin.get(f"/api/v1/invitations/{idle['id']}").json(),
            lambda i: i["status"] == "expired",
            30,
        )
        assert gone["started_at"] is None
        with candidate(service, idle["token"]) as http:
            expired = http.get("/api/v1/invitation")
        assert expired.status_code == 403 and "expired" in expired.json()["detail"]
        rows = parse_csv(admin.get(f"/api/v1/assessments/{slug}/report.csv").text)
        assert (rows[started["id"]]["status"], float(rows[started["id"]]["score"])) == (
            "finished",
            50,
        )
        assert rows[idle["id"]]["status"] == "expired"


def test_revoked_link_is_refused(service: Service) -> None:
    with service.client(service.admin_token) as admin:
        slug = new_assessment(admin, [{"question": "basics-features-mc", "weight": 100}])
        invited = invite(admin, slug, "Revoked Candidate")
        with candidate(service, invited["token"]) as http:
            assert http.get("/api/v1/invitation").status_code == 200
            revoked = admin.post(f"/api/v1/invitations/{invited['id']}/revoke")
            assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
            for response in (
                http.get("/api/v1/invitation"),
                http.post("/api/v1/invitation/start"),
                answer(http, 1, choice=[0, 1, 2]),
            ):
                assert response.status_code == 403, response.text
                assert "revoked" in response.json()["detail"]
        assert admin.post(f"/api/v1/invitations/{invited['id']}/revoke").status_code == 409
        with candidate(service, "inv_" + secrets.token_urlsafe(32)) as stranger:
            assert stranger.get("/api/v1/invitation").status_code == 401

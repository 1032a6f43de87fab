"""Assessments on the staff's side: the lifecycle, items fixed at publication and pinned
versions, copies, weights, scorecards and their arithmetic, reviews, notes, decisions, the
invitation table, the report, the CSV and printable exports, the `invitation.finished` webhook
and question uploads. In process: gradings are recorded as the worker would record them."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from grader.config import REPO_ROOT
from grader.db.models import (
    Assessment,
    Challenge,
    ChallengeVersion,
    Invitation,
    QuestionRecord,
    Role,
    Submission,
    WebhookDelivery,
)
from grader.services import invitations
from tests.api.assessment_kit import (
    ITEMS,
    MC,
    MC_KEY,
    SHORT,
    SHORT_RIGHT,
    TESTS,
    Kit,
    result_of,
)
from worker.challenge import load_challenge
from worker.result import GradeResult, Verdict

BASE = "/api/v1/assessments"

ITEMS_OUT: list[dict[str, Any]] = [
    {"kind": "coding", "challenge": "hello-world", "question": None, "weight": 40},
    {"kind": "coding", "challenge": "path-query-params", "question": None, "weight": 30},
    {"kind": "question", "challenge": None, "question": MC, "weight": 10},
    {"kind": "question", "challenge": None, "question": SHORT, "weight": 20},
]


def _version_id(kit: Kit, slug: str, number: int) -> int:
    with kit.api.session() as session:
        return session.scalars(
            select(ChallengeVersion.id)
            .join(Challenge, ChallengeVersion.challenge_id == Challenge.id)
            .where(Challenge.slug == slug, ChallengeVersion.number == number)
        ).one()


# --- lifecycle ------------------------------------------------------------------------------


def test_lifecycle_draft_published_closed_archived(kit: Kit) -> None:
    made = kit.create("screen")
    assert made["status"] == "draft" and made["published_at"] is None
    assert [(i["position"], i["kind"], i["weight"]) for i in made["items"]] == [
        (1, "coding", 40),
        (2, "coding", 30),
        (3, "question", 10),
        (4, "question", 20),
    ]
    assert [i["challenge_version"] for i in made["items"]] == [None] * 4
    # A draft changes freely, and nobody can be invited to it yet.
    body = {"slug": "screen", "title": "Backend screen", "items": ITEMS}
    assert kit.call("PUT", f"{BASE}/screen", kit.admin, json=body).json()["title"] == (
        "Backend screen"
    )
    invite = {"candidate_name": "Ada"}
    refused = kit.call("POST", f"{BASE}/screen/invitations", kit.admin, json=invite)
    assert refused.status_code == 409 and "publish it first" in refused.json()["detail"]

    published = kit.publish("screen")
    assert published["status"] == "published" and published["published_at"] is not None
    assert [i["challenge_version"] for i in published["items"]] == [1, 1, None, None]
    # Fixed now: items cannot change (copy it to change it), it cannot be published again
    # nor archived while candidates may be at work.
    changed = {**body, "items": [{"challenge": "hello-world", "weight": 100}]}
    put = kit.call("PUT", f"{BASE}/screen", kit.admin, json=changed)
    assert put.status_code == 409 and "copy it" in put.json()["detail"]
    assert len(kit.call("GET", f"{BASE}/screen", kit.admin).json()["items"]) == 4
    assert kit.call("POST", f"{BASE}/screen/publish", kit.admin).status_code == 409
    assert kit.call("POST", f"{BASE}/screen/archive", kit.admin).status_code == 409
    invitation_id, _ = kit.invite("screen")

    closed = kit.call("POST", f"{BASE}/screen/close", kit.admin)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    assert kit.call("POST", f"{BASE}/screen/close", kit.admin).status_code == 409
    late = kit.call("POST", f"{BASE}/screen/invitations", kit.admin, json=invite)
    assert late.status_code == 409

    archived = kit.call("POST", f"{BASE}/screen/archive", kit.admin)
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    # Hidden from the list by default, kept with its results.
    listed = kit.call("GET", BASE, kit.admin).json()
    assert listed["total"] == 0 and listed["items"] == []
    everything = kit.call("GET", BASE, kit.admin, params={"include_archived": True}).json()
    assert [a["slug"] for a in everything["items"]] == ["screen"]
    only = kit.call("GET", BASE, kit.admin, params={"status": "archived"}).json()
    assert only["total"] == 1
    kept = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert kept["status"] == "expired"  # never started before the assessment closed


def test_a_copy_is_a_new_draft_with_the_same_items_that_can_change(kit: Kit) -> None:
    kit.published("screen", time_limit_minutes=45, feedback="score", counting="last")
    copied = kit.call("POST", f"{BASE}/screen/copy", kit.admin, json={"slug": "screen-2"})
    assert copied.status_code == 201, copied.text
    copy = copied.json()
    assert copy["slug"] == "screen-2" and copy["status"] == "draft"
    assert (copy["time_limit_minutes"], copy["feedback"], copy["counting"]) == (45, "score", "last")
    original = kit.call("GET", f"{BASE}/screen", kit.admin).json()
    strip = [(i["kind"], i["challenge"], i["question"], i["weight"]) for i in copy["items"]]
    assert strip == [(i["kind"], i["challenge"], i["question"], i["weight"]) for i in ITEMS_OUT]
    assert [i["challenge_version"] for i in copy["items"]] == [None] * 4
    with kit.api.session() as session:
        row = session.scalars(select(Assessment).where(Assessment.slug == "screen-2")).one()
        assert (
            row.copied_from_id
            == session.scalars(select(Assessment.id).where(Assessment.slug == "screen")).one()
        )
    body = {"slug": "screen-2", "title": "Shorter", "items": [{"question": MC, "weight": 100}]}
    assert kit.call("PUT", f"{BASE}/screen-2", kit.admin, json=body).status_code == 200
    assert len(kit.call("GET", f"{BASE}/screen", kit.admin).json()["items"]) == 4
    assert original["items"] == kit.call("GET", f"{BASE}/screen", kit.admin).json()["items"]
    taken = kit.call("POST", f"{BASE}/screen/copy", kit.admin, json={"slug": "screen-2"})
    assert taken.status_code == 409


def test_weights_must_add_up_to_100_to_publish(kit: Kit) -> None:
    short = [{**item, "weight": 10} if item.get("question") == MC else item for item in ITEMS]
    short[3] = {"question": SHORT, "weight": 10}
    kit.create("ninety", short)
    refused = kit.call("POST", f"{BASE}/ninety/publish", kit.admin)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "the items' weights add up to 90, not 100"
    assert kit.call("GET", f"{BASE}/ninety", kit.admin).json()["status"] == "draft"
    kit.create("empty", [])
    assert kit.call("POST", f"{BASE}/empty/publish", kit.admin).status_code == 422
    zero = {"slug": "zero", "title": "t", "items": [{"challenge": "hello-world", "weight": 0}]}
    assert kit.call("POST", BASE, kit.admin, json=zero).status_code == 422


def test_unknown_challenges_and_questions_are_refused_and_nothing_is_stored(kit: Kit) -> None:
    cases = [
        [{"challenge": "no-such-challenge", "weight": 100}],
        [{"question": "no-such-question", "weight": 100}],
        [{"challenge": "hello-world", "question": MC, "weight": 100}],
        [{"weight": 100}],
    ]
    for items in cases:
        body = {"slug": "bad", "title": "Bad", "items": items}
        response = kit.call("POST", BASE, kit.admin, json=body)
        assert response.status_code == 422, (items, response.text)
    assert kit.count(Assessment) == 0
    # The same on a draft's update: it keeps its items.
    kit.create("draft")
    bad = {"slug": "draft", "title": "x", "items": [{"question": "nope", "weight": 100}]}
    assert kit.call("PUT", f"{BASE}/draft", kit.admin, json=bad).status_code == 422
    assert len(kit.call("GET", f"{BASE}/draft", kit.admin).json()["items"]) == 4
    assert kit.call("GET", f"{BASE}/draft", kit.admin).json()["title"] == "Assessment draft"
    taken = kit.call("POST", BASE, kit.admin, json={"slug": "draft", "title": "t", "items": []})
    assert taken.status_code == 409


def test_the_challenge_version_is_pinned_at_publication_and_moved_only_by_upgrade(
    kit: Kit,
) -> None:
    kit.published("pinned")
    invitation_id, token = kit.started("pinned")
    first = kit.graded(token, 1, passed=2)
    assert kit.scorecard(invitation_id)["total"] == 20.0
    kit.new_version("hello-world", "version two")
    v1, v2 = _version_id(kit, "hello-world", 1), _version_id(kit, "hello-world", 2)

    # A running interview does not change: the item, what the candidate reads, what is graded.
    item = kit.call("GET", f"{BASE}/pinned", kit.admin).json()["items"][0]
    assert item["challenge_version"] == 1
    view = kit.call("GET", "/api/v1/invitation", kit.token(token)).json()
    assert "version two" not in view["items"][0]["prompt"]
    second = kit.submitted(token, 1)
    with kit.api.session() as session:
        assert session.get(Submission, second).challenge_version_id == v1  # type: ignore[union-attr]
    # An assessment published now pins the new version.
    assert kit.published("later")["items"][0]["challenge_version"] == 2

    # Upgrading is explicit: the item moves and its finished submissions are regraded.
    kit.grade(second, result_of(1))
    upgraded = kit.call("POST", f"{BASE}/pinned/items/1/upgrade", kit.admin)
    assert upgraded.status_code == 202, upgraded.text
    regraded = upgraded.json()
    assert sorted(s["id"] for s in regraded) == [first, second]
    assert {(s["status"], s["round"]) for s in regraded} == {("queued", 2)}
    assert kit.call("GET", f"{BASE}/pinned", kit.admin).json()["items"][0]["challenge_version"] == 2
    with kit.api.session() as session:
        versions = {session.get(Submission, s).challenge_version_id for s in (first, second)}  # type: ignore[union-attr]
    assert versions == {v2}
    view = kit.call("GET", "/api/v1/invitation", kit.token(token)).json()
    assert "version two" in view["items"][0]["prompt"]
    card = kit.scorecard(invitation_id)
    assert card["provisional"] and card["items"][0]["coding"]["pending"] == 2
    kit.grade(first, result_of(4))
    kit.grade(second, result_of(3))
    assert kit.scorecard(invitation_id)["items"][0]["points"] == 40.0
    again = kit.call("POST", f"{BASE}/pinned/items/1/upgrade", kit.admin)
    assert again.status_code == 409
    question = kit.call("POST", f"{BASE}/pinned/items/3/upgrade", kit.admin)
    assert question.status_code == 422
    missing = kit.call("POST", f"{BASE}/pinned/items/9/upgrade", kit.admin)
    assert missing.status_code == 404


# --- scorecards -----------------------------------------------------------------------------


def test_the_scorecard_total_is_the_weighted_sum_and_reviewers_confirm_or_override(
    kit: Kit,
) -> None:
    kit.published("card")
    invitation_id, token = kit.started("card")
    for passed in (2, 3, 1):  # best counts: 3 of 4 tests -> 75 % of 40 = 30
        kit.graded(token, 1, passed)
    kit.graded(token, 2, 1)  # 25 % of 30 = 7.5
    assert kit.answer(token, 3, {"choice": MC_KEY}).status_code == 200  # 10
    assert kit.answer(token, 4, {"text": SHORT_RIGHT}).status_code == 200  # proposed 6/6: 20
    card = kit.scorecard(invitation_id)
    assert [i["points"] for i in card["items"]] == [30.0, 7.5, 10.0, 20.0]
    assert card["total"] == 67.5 and card["needs_review"] and card["provisional"]
    coding = card["items"][0]["coding"]
    assert coding["submissions"] == 3 and len(coding["history"]) == 3
    assert (coding["counted"]["score"], coding["counted"]["max_score"]) == (75, 100)
    assert [t["outcome"] for t in coding["tests"]] == ["passed"] * 3 + ["failed"]
    short = card["items"][3]["answer"]
    assert (short["proposed_points"], short["max_points"], short["reviewed_points"]) == (6, 6, None)
    assert all(m["phrasing"] for m in short["matched"])
    assert card["items"][3]["question"]["rubric"]  # staff see the rubric
    invitation = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert invitation["score"] == 67.5 and invitation["needs_review"] is True

    reviewer = kit.as_role(Role.REVIEWER)
    path = f"/api/v1/invitations/{invitation_id}/answers/4/review"
    too_many = kit.call("PUT", path, reviewer, json={"points": 7})
    assert too_many.status_code == 422
    reviewed = kit.call("PUT", path, reviewer, json={"points": 3, "comment": "vague on WSGI"})
    assert reviewed.status_code == 200, reviewed.text
    card = reviewed.json()
    answer = card["items"][3]["answer"]
    assert (answer["proposed_points"], answer["reviewed_points"]) == (6, 3)
    assert (answer["reviewed_by"], answer["review_comment"]) == ("the-reviewer", "vague on WSGI")
    assert answer["reviewed_at"] is not None
    assert card["items"][3]["points"] == 10.0  # 3/6 of 20
    assert card["total"] == 57.5 and not card["needs_review"] and not card["provisional"]
    invitation = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert invitation["score"] == 57.5 and invitation["needs_review"] is False
    unanswered = kit.call("PUT", f"/api/v1/invitations/{invitation_id}/answers/2/review", reviewer)
    assert unanswered.status_code == 422  # no body
    not_answered = kit.call(
        "PUT", f"/api/v1/invitations/{invitation_id}/answers/2/review", reviewer, json={"points": 1}
    )
    assert not_answered.status_code == 404


def test_counting_last_takes_the_last_graded_submission(kit: Kit) -> None:
    kit.published("last", counting="last")
    invitation_id, token = kit.started("last")
    kit.graded(token, 1, 4)
    kit.graded(token, 1, 1)
    kit.submitted(token, 1)  # still queued: the last *graded* one counts meanwhile
    card = kit.scorecard(invitation_id)
    assert card["items"][0]["points"] == 10.0  # 25 % of 40, not the earlier 100 %
    assert card["items"][0]["coding"]["submissions"] == 3 and card["provisional"]


def test_notes_and_decisions_record_who_and_when(kit: Kit) -> None:
    kit.published("decide")
    invitation_id, _ = kit.started("decide")
    reviewer, recruiter = kit.as_role(Role.REVIEWER), kit.as_role(Role.RECRUITER)
    notes = f"/api/v1/invitations/{invitation_id}/notes"
    first = kit.call("POST", notes, reviewer, json={"body": "clean code"})
    assert first.status_code == 201 and first.json()["author"] == "the-reviewer"
    kit.call("POST", notes, recruiter, json={"body": "call on Monday"})
    assert kit.call("POST", notes, reviewer, json={"body": ""}).status_code == 422
    decision = f"/api/v1/invitations/{invitation_id}/decision"
    held = kit.call("PUT", decision, reviewer, json={"decision": "hold", "comment": "wait"})
    assert held.status_code == 200 and held.json()["decision"] == "hold"
    assert held.json()["decided_at"] is not None
    bad = kit.call("PUT", decision, reviewer, json={"decision": "hire"})
    assert bad.status_code == 422
    kit.call("PUT", decision, recruiter, json={"decision": "advance", "comment": "strong"})
    card = kit.scorecard(invitation_id)
    assert [(n["author"], n["body"]) for n in card["notes"]] == [
        ("the-reviewer", "clean code"),
        ("the-recruiter", "call on Monday"),
    ]
    assert card["invitation"]["decision"] == "advance"
    assert (card["decided_by"], card["decision_comment"]) == ("the-recruiter", "strong")
    assert (
        kit.call("POST", "/api/v1/invitations/999/notes", reviewer, json={"body": "x"}).status_code
        == 404
    )


# --- the table, the report and the exports --------------------------------------------------


def _candidates(kit: Kit) -> dict[str, int]:
    """Five candidates of the assessment `table`, in different states:
    Ada finished 100 in 10 min, Bob finished 30 in 50 min, Cy started (answered a short answer:
    needs review), Dee only invited, Eve revoked."""
    kit.published("table", time_limit_minutes=60)
    ids = {}
    ids["ada"], ada = kit.started("table", "Ada Byron", candidate_email="ada@lab.example")
    kit.graded(ada, 1, 4)
    kit.graded(ada, 2, 4)
    kit.answer(ada, 3, {"choice": MC_KEY})
    kit.answer(ada, 4, {"text": SHORT_RIGHT})
    kit.call(
        "PUT", f"/api/v1/invitations/{ids['ada']}/answers/4/review", kit.admin, json={"points": 6}
    )
    kit.clock.move(minutes=10)
    kit.call("POST", "/api/v1/invitation/finish", kit.token(ada))
    ids["bob"], bob = kit.started("table", "Bob Stone", candidate_email="bob@corp.example")
    kit.graded(bob, 1, 3)  # 3 of 4 tests: 30
    kit.clock.move(minutes=50)
    kit.call("POST", "/api/v1/invitation/finish", kit.token(bob))
    ids["cy"], cy = kit.started("table", "Cy Twombly")
    kit.answer(cy, 4, {"text": "no idea"})
    ids["dee"], _ = kit.invite("table", "Dee Dee")
    ids["eve"], _ = kit.invite("table", "Eve Online")
    kit.call("POST", f"/api/v1/invitations/{ids['eve']}/revoke", kit.admin)
    return ids


def test_the_invitation_table_paginates_filters_and_sorts(kit: Kit) -> None:
    ids = _candidates(kit)
    path = f"{BASE}/table/invitations"

    def names(**params: Any) -> list[str]:
        page = kit.call("GET", path, kit.admin, params=params)
        assert page.status_code == 200, page.text
        return [i["candidate_name"].split()[0].lower() for i in page.json()["items"]]

    page = kit.call("GET", path, kit.admin, params={"limit": 2, "offset": 2}).json()
    assert (page["total"], page["offset"], page["limit"]) == (5, 2, 2)
    assert [i["id"] for i in page["items"]] == [ids["cy"], ids["dee"]]
    assert names(status="finished") == ["ada", "bob"]
    assert names(status="revoked") == ["eve"]
    assert names(needs_review=True) == ["cy"]
    assert names(search="CORP.example") == ["bob"]
    assert names(search="twomb") == ["cy"]
    assert names(sort="score", descending=True)[:3] == ["ada", "bob", "cy"]
    assert names(sort="time_used")[:2] == ["ada", "bob"]
    assert names(sort="time_used", descending=True)[0] == "cy"  # a running clock: 60 min
    assert names(sort="status") == ["ada", "bob", "dee", "eve", "cy"]
    assert kit.call("GET", path, kit.admin, params={"sort": "salary"}).status_code == 422
    assert kit.call("GET", path, kit.admin, params={"limit": 0}).status_code == 422
    assert kit.call("GET", f"{BASE}/nope/invitations", kit.admin).status_code == 404
    kit.invite("table", "Ann_Lee")
    kit.invite("table", "Annxlee 100%")
    assert names(search="n_l") == ["ann_lee"]  # `_` and `%` are letters here, not wildcards
    assert names(search="0%") == ["annxlee"]
    assert names(search="%") == ["annxlee"]


def test_the_csv_export_parses_and_matches_each_json_scorecard(kit: Kit) -> None:
    ids = _candidates(kit)
    response = kit.call("GET", f"{BASE}/table/report.csv", kit.admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(int(r["invitation"]) for r in rows) == sorted(ids.values())
    for row in rows:
        card = kit.scorecard(int(row["invitation"]))
        assert row["candidate"] == card["invitation"]["candidate_name"]
        assert row["status"] == card["invitation"]["status"]
        assert float(row["score"] or 0) == card["total"], row
        assert [float(row[f"item_{n}"]) for n in range(1, 5)] == [
            i["points"] for i in card["items"]
        ], row
    by_name = {r["candidate"]: r for r in rows}
    assert float(by_name["Ada Byron"]["score"]) == 100.0
    assert float(by_name["Bob Stone"]["score"]) == 30.0
    assert by_name["Bob Stone"]["time_used_seconds"] == str(50 * 60)


def test_the_report_shows_distribution_pass_rates_and_medians(kit: Kit) -> None:
    _candidates(kit)
    report = kit.call("GET", f"{BASE}/table/report", kit.admin).json()
    assert report["invitations"] == 5
    assert report["by_status"] == {"finished": 2, "started": 1, "invited": 1, "revoked": 1}
    assert report["distribution"] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert report["median_score"] == 65.0
    assert report["median_time_used_seconds"] == 30 * 60
    first, second, choice, short = report["items"]
    assert (first["attempted"], first["full_marks"], first["median_points"]) == (2, 1, 35.0)
    # The test most candidates fail comes first: it may be the prompt's or the suite's fault.
    hardest = first["tests"][0]
    assert (hardest["name"], hardest["passed"], hardest["ran"]) == (TESTS[3], 1, 2)
    assert {t["name"]: t["pass_rate"] for t in first["tests"]} == {
        TESTS[0]: 1.0,
        TESTS[1]: 1.0,
        TESTS[2]: 1.0,
        TESTS[3]: 0.5,
    }
    assert (second["attempted"], second["full_marks"]) == (1, 1)
    assert (choice["attempted"], choice["full_marks"], choice["median_points"]) == (1, 1, 10.0)
    assert (short["attempted"], short["full_marks"]) == (2, 1)  # Ada's, reviewed, and Cy's


def test_a_drafts_report_and_export_are_empty_not_errors(kit: Kit) -> None:
    kit.create("draft")
    report = kit.call("GET", f"{BASE}/draft/report", kit.admin)
    assert report.status_code == 200, report.text
    titles = [i["title"] for i in report.json()["items"]]
    assert titles == [
        load_challenge(REPO_ROOT / "challenges" / "hello-world").meta.title,
        load_challenge(REPO_ROOT / "challenges" / "path-query-params").meta.title,
        MC,
        SHORT,
    ]
    exported = kit.call("GET", f"{BASE}/draft/report.csv", kit.admin)
    assert exported.status_code == 200 and len(exported.text.splitlines()) == 1
    assert kit.call("GET", f"{BASE}/draft/invitations", kit.admin).json()["total"] == 0


def test_the_printable_scorecard_escapes_candidate_text(kit: Kit) -> None:
    kit.published("print")
    script = "<script>alert(1)</script>"
    invitation_id, token = kit.started("print", script)
    kit.answer(token, 4, {"text": "<img src=x onerror=alert(2)> ASGI"})
    noted = kit.call(
        "POST",
        f"/api/v1/invitations/{invitation_id}/notes",
        kit.admin,
        json={"body": "<b onclick=alert(3)>bold</b>"},
    )
    assert noted.status_code == 201, noted.text
    page = kit.call("GET", f"/api/v1/invitations/{invitation_id}/scorecard.html", kit.admin)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b onclick" not in html and "&lt;b onclick=alert(3)&gt;bold&lt;/b&gt;" in html
    missing = kit.call("GET", "/api/v1/invitations/999/scorecard.html", kit.admin)
    assert missing.status_code == 404


# --- the invitation.finished webhook ---------------------------------------------------------

HOOK = "http://93.184.216.34/hooks/ats"


def _deliveries(kit: Kit, invitation_id: int) -> list[tuple[str, str]]:
    with kit.api.session() as session:
        return [
            (d.event, d.url)
            for d in session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.invitation_id == invitation_id)
            )
        ]


def test_invitation_finished_is_told_once_when_no_grading_is_pending(kit: Kit) -> None:
    kit.published("hooked", webhook_url=HOOK)
    invitation_id, token = kit.started("hooked")
    pending = kit.submitted(token, 1)
    kit.call("POST", "/api/v1/invitation/finish", kit.token(token))
    assert _deliveries(kit, invitation_id) == []  # a grading is pending: the total may move
    kit.grade(pending, result_of(4))
    assert _deliveries(kit, invitation_id) == [("invitation.finished", HOOK)]
    with kit.api.session() as session:
        payload = session.scalars(select(WebhookDelivery.payload)).one()
    assert payload["invitation"]["score"] == 40.0
    assert payload["invitation"]["scorecard"] == f"/api/v1/invitations/{invitation_id}/scorecard"
    # Later changes (a review, another refresh) do not tell it again.
    kit.call("POST", "/api/v1/invitation/finish", kit.token(token))
    with kit.api.session() as session:
        invitations.refresh_after_grading(session, pending)
    assert len(_deliveries(kit, invitation_id)) == 1


def test_the_invitations_own_callback_wins_and_must_be_a_public_url(kit: Kit) -> None:
    kit.published("own", webhook_url=HOOK)
    own = "http://93.184.216.35/candidate/7"
    invitation_id, token = kit.started("own", callback_url=own)
    kit.call("POST", "/api/v1/invitation/finish", kit.token(token))
    assert _deliveries(kit, invitation_id) == [("invitation.finished", own)]
    private = {"candidate_name": "x", "callback_url": "http://127.0.0.1:8000/hook"}
    refused = kit.call("POST", f"{BASE}/own/invitations", kit.admin, json=private)
    assert refused.status_code == 422
    # No webhook at all: nothing is queued.
    kit.published("quiet")
    quiet_id, quiet = kit.started("quiet")
    kit.call("POST", "/api/v1/invitation/finish", kit.token(quiet))
    assert _deliveries(kit, quiet_id) == []


def test_an_assessment_webhook_must_be_a_public_http_url(kit: Kit) -> None:
    for url in ("ftp://93.184.216.34/x", "http://127.0.0.1/hook", "not a url"):
        body = {"slug": "bad-hook", "title": "t", "items": ITEMS, "webhook_url": url}
        response = kit.call("POST", BASE, kit.admin, json=body)
        assert response.status_code == 422, (url, response.text)
    assert kit.count(Assessment) == 0


def test_without_a_callback_secret_no_webhook_or_callback_is_taken(kit: Kit) -> None:
    kit.published("plain")
    kit.api.app.state.settings = kit.api.settings.model_copy(update={"callback_secret": None})
    body = {"slug": "hooked", "title": "t", "items": ITEMS, "webhook_url": HOOK}
    refused = kit.call("POST", BASE, kit.admin, json=body)
    assert refused.status_code == 422 and "not enabled" in refused.json()["detail"]
    callback = {"candidate_name": "x", "callback_url": HOOK}
    invited = kit.call("POST", f"{BASE}/plain/invitations", kit.admin, json=callback)
    assert invited.status_code == 422 and "not enabled" in invited.json()["detail"]
    assert kit.count(Assessment) == 1 and kit.count(Invitation) == 0
    assert kit.count(WebhookDelivery) == 0


# --- the question bank ---------------------------------------------------------------------

BANK_FILE = """
section = 10
title = "Uploaded"

[[question]]
id = "upload-status-mc"
kind = "multiple_choice"
seed = "Which status code means created?"
points = 2
prompt = "Which status code does a successful POST that creates a resource usually answer?"
options = ["200", "201", "204", "404"]
correct = [1]
explanation = "201 Created says a resource was made."

[[question]]
id = "upload-pydantic"
kind = "short_answer"
seed = "What does Pydantic do in FastAPI?"
points = 4
prompt = "What does Pydantic do in FastAPI?"
reference = "Pydantic validates request data against the declared models and serialises responses."
right_answers = [
  "It validates the incoming data with the models you declare, and serialises what you return.",
  "Validation of request bodies from model classes; it also serialises the responses.",
]
wrong_answers = ["", "It is the web server.", "A template engine."]

  [[question.rubric]]
  point = "Validates request data against declared models"
  points = 2
  phrasings = ["validate"]

  [[question.rubric]]
  point = "Serialises responses"
  points = 2
  phrasings = ["serialise"]
"""


def _upload(kit: Kit, text: str, headers: dict[str, str] | None = None) -> Any:
    files = {"file": ("uploaded.toml", text.encode(), "application/toml")}
    return kit.call("POST", "/api/v1/questions", headers or kit.admin, files=files)


def test_admins_upload_questions_that_prove_their_rubric(kit: Kit) -> None:
    before = kit.count(QuestionRecord)
    added = _upload(kit, BANK_FILE)
    assert added.status_code == 201, added.text
    assert added.json() == ["upload-status-mc", "upload-pydantic"]
    assert kit.count(QuestionRecord) == before + 2
    found = kit.call("GET", "/api/v1/questions", kit.admin, params={"section": 10}).json()
    assert [q["id"] for q in found] == ["upload-pydantic", "upload-status-mc"]
    # Usable in an assessment at once; uploading the same file again adds nothing.
    kit.published("uploaded", [{"question": "upload-pydantic", "weight": 100}])
    assert _upload(kit, BANK_FILE).json() == []
    changed = BANK_FILE.replace("usually answer?", "answer?")
    assert _upload(kit, changed).status_code == 409


def test_a_rubric_that_does_not_give_its_paraphrases_full_marks_is_refused(kit: Kit) -> None:
    before = kit.count(QuestionRecord)
    # The second rubric point's phrasing is in none of the right answers.
    weak = BANK_FILE.replace('phrasings = ["serialise"]', 'phrasings = ["json schema"]')
    refused = _upload(kit, weak)
    assert refused.status_code == 422
    assert "upload-pydantic" in refused.json()["detail"]
    assert "not full marks" in refused.json()["detail"]
    broken = _upload(kit, "section = 10\n[[question]]\nid = 1\n")
    assert broken.status_code == 422
    assert kit.count(QuestionRecord) == before  # the valid multiple-choice question neither
    assert kit.count(QuestionRecord, QuestionRecord.key == "upload-status-mc") == 0
    staff = _upload(kit, BANK_FILE, kit.as_role(Role.RECRUITER))
    assert staff.status_code == 403


def _csv_rows(kit: Kit, slug: str) -> dict[int, dict[str, str]]:
    text = kit.call("GET", f"{BASE}/{slug}/report.csv", kit.admin).text
    return {int(row["invitation"]): row for row in csv.DictReader(io.StringIO(text))}


def test_counting_last_counts_a_last_submission_whose_app_did_not_start(kit: Kit) -> None:
    kit.published("crashed", counting="last")
    invitation_id, token = kit.started("crashed")
    kit.graded(token, 1, 4)
    broken = kit.submitted(token, 1)
    # The app did not even import: no test was collected, so nothing is out of anything.
    kit.grade(
        broken,
        GradeResult(
            verdict=Verdict.ERROR, score=0, max_score=0, duration_ms=5, error="SyntaxError"
        ),
    )
    card = kit.scorecard(invitation_id)
    assert card["items"][0]["points"] == 0.0 and card["total"] == 0.0
    assert card["items"][0]["coding"]["counted"]["id"] == broken
    row = _csv_rows(kit, "crashed")[invitation_id]
    assert (float(row["score"]), float(row["item_1"])) == (0.0, 0.0)


def test_after_an_upgrade_the_table_and_the_scorecard_agree(kit: Kit) -> None:
    kit.published("moved")
    invitation_id, token = kit.started("moved")
    kit.graded(token, 1, 2)
    kit.new_version("hello-world", "moved on")
    assert kit.call("POST", f"{BASE}/moved/items/1/upgrade", kit.admin).status_code == 202
    card = kit.scorecard(invitation_id)
    row = _csv_rows(kit, "moved")[invitation_id]
    assert card["provisional"] and float(row["score"]) == card["total"] == 0.0
    listed = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert listed["score"] == card["total"]


def test_an_archived_challenge_is_not_published_but_a_running_interview_keeps_it(
    kit: Kit,
) -> None:
    kit.create("before")
    kit.published("running")
    _, token = kit.started("running")
    archived = kit.call("POST", "/api/v1/challenges/hello-world/archive", kit.admin)
    assert archived.status_code == 200
    refused = kit.call("POST", f"{BASE}/before/publish", kit.admin)
    assert refused.status_code == 422 and "archived" in refused.json()["detail"]
    assert kit.submit(token, 1).status_code == 202  # graded against the pinned version


def test_lists_of_assessments_and_questions_paginate_and_filter(kit: Kit) -> None:
    for n in range(5):
        kit.create(f"list-{n}")
    kit.publish("list-1")
    page = kit.call("GET", BASE, kit.admin, params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["offset"], page["limit"]) == (5, 1, 2)
    assert [a["slug"] for a in page["items"]] == ["list-3", "list-2"]  # newest first
    published = kit.call("GET", BASE, kit.admin, params={"status": "published"}).json()
    assert [a["slug"] for a in published["items"]] == ["list-1"]
    assert kit.call("GET", BASE, kit.admin, params={"limit": 101}).status_code == 422
    assert kit.call("GET", BASE, kit.admin, params={"status": "gone"}).status_code == 422
    found = kit.call("GET", "/api/v1/questions", kit.admin, params={"search": "idempotent"})
    assert MC in [q["id"] for q in found.json()]
    assert all("idempotent" in (q["prompt"] + q["id"]).lower() for q in found.json())
    section = kit.call("GET", "/api/v1/questions", kit.admin, params={"section": 1}).json()
    assert section and {q["section"] for q in section} == {1}


def test_the_csv_quotes_what_a_spreadsheet_would_run_as_a_formula(kit: Kit) -> None:
    kit.published("formulas")
    with kit.api.session() as session:
        invitations.invite(
            session, "formulas", invitations.NewInvitation('=HYPERLINK("x")', None, "+1")
        )
    admin = kit.as_role(Role.ADMIN)
    text = kit.call("GET", "/api/v1/assessments/formulas/report.csv", admin).text
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["candidate"] == '\'=HYPERLINK("x")' and row["external_id"] == "'+1"

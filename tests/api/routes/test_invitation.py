"""The candidate's side of an assessment, through the invitation's token: the link, revoked,
expired and unknown tokens, the server's clock and the deadline, finishing and finalisation,
what each feedback policy shows, the submission cap, and concept answers."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from grader.db.models import Answer, Invitation, Role, Submission
from grader.services import invitations
from tests.api.assessment_kit import (
    APP,
    MC_KEY,
    SHORT_RIGHT,
    Kit,
    parse_time,
    result_of,
)

ME = "/api/v1/invitation"


def _view(kit: Kit, token: str) -> Any:
    response = kit.call("GET", ME, kit.token(token))
    assert response.status_code == 200, response.text
    return response.json()


def _finalise(kit: Kit) -> list[int]:
    """The reaper's pass, at the server's time."""
    with kit.api.session() as session:
        return invitations.finalise_due(session, kit.clock())


# --- the link and its token -----------------------------------------------------------------


def test_the_token_is_shown_once_and_only_its_hash_is_stored(kit: Kit) -> None:
    kit.published("link")
    made = kit.call(
        "POST", "/api/v1/assessments/link/invitations", kit.admin, json={"candidate_name": "Ada"}
    )
    assert made.status_code == 201
    body = made.json()
    token = body["token"]
    assert token.startswith("inv_") and len(token) >= 40
    assert body["link"] == f"https://grader.example.com/take/{token}"
    assert body["token_prefix"] == token[:10] and body["status"] == "invited"
    with kit.api.session() as session:
        row = session.get(Invitation, body["id"])
        assert row is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(getattr(row, c.key)) for c in Invitation.__table__.columns]
    assert not any(token in value for value in stored)
    # Never shown again: not in the invitation, the table, the scorecard.
    for path in (
        f"/api/v1/invitations/{body['id']}",
        "/api/v1/assessments/link/invitations",
        f"/api/v1/invitations/{body['id']}/scorecard",
    ):
        shown = kit.call("GET", path, kit.admin)
        assert shown.status_code == 200 and token not in shown.text, path
    # Opening the link shows the instructions without starting the clock.
    view = _view(kit, token)
    assert (view["status"], view["started_at"], view["deadline_at"]) == ("invited", None, None)
    assert view["title"] == "Assessment link" and view["candidate_name"] == "Ada"
    opened = kit.call("GET", f"/api/v1/invitations/{body['id']}", kit.admin).json()
    assert opened["opened_at"] is not None and opened["started_at"] is None


def test_unknown_revoked_and_expired_tokens_are_refused(kit: Kit) -> None:
    closes = kit.clock() + timedelta(hours=2)
    kit.published("window", closes_at=closes.isoformat())
    for headers in ({}, kit.token("inv_not-a-real-token"), kit.admin):
        refused = kit.call("GET", ME, headers)
        assert refused.status_code == 401, headers

    revoked_id, revoked = kit.started("window", "Rev")
    kit.submitted(revoked, 1)
    assert kit.call("POST", f"/api/v1/invitations/{revoked_id}/revoke", kit.admin).status_code == (
        200
    )
    for method, path in (("GET", ME), ("POST", f"{ME}/start"), ("POST", f"{ME}/finish")):
        response = kit.call(method, path, kit.token(revoked))
        assert response.status_code == 403, (method, path)
        assert response.json()["detail"] == "this invitation was revoked"
    assert kit.submit(revoked, 1).status_code == 403
    assert kit.count(Submission) == 1  # what the candidate sent stays
    again = kit.call("POST", f"/api/v1/invitations/{revoked_id}/revoke", kit.admin)
    assert again.status_code == 409

    _, waiting = kit.invite("window", "Late")
    _, working = kit.started("window", "Working")
    kit.clock.at(closes)
    expired = kit.call("GET", ME, kit.token(waiting))
    assert expired.status_code == 403
    assert expired.json()["detail"] == "this invitation expired: the assessment's window closed"
    assert kit.call("POST", f"{ME}/start", kit.token(waiting)).status_code == 403
    # One who started reads their (finished) assessment, and can send nothing more.
    assert kit.submit(working, 1).status_code == 409
    # Nobody is invited once the window closed, by the server's clock.
    late = kit.call(
        "POST", "/api/v1/assessments/window/invitations", kit.admin, json={"candidate_name": "x"}
    )
    assert late.status_code == 409 and "closed" in late.json()["detail"]


def test_a_token_for_one_assessment_reads_nothing_of_another(kit: Kit) -> None:
    kit.published("alpha")
    kit.published("beta")
    alpha_id, alpha = kit.started("alpha", "Alpha")
    beta_id, beta = kit.started("beta", "Beta")
    _, neighbour = kit.started("alpha", "Neighbour")
    theirs = kit.submitted(beta, 1)
    nearby = kit.submitted(neighbour, 1)
    kit.grade(theirs, result_of(4))
    kit.answer(beta, 3, {"choice": MC_KEY})
    mine = kit.submitted(alpha, 1)

    assert _view(kit, alpha)["assessment"] == "alpha"
    for other in (theirs, nearby):
        hidden = kit.call("GET", f"{ME}/submissions/{other}", kit.token(alpha))
        assert hidden.status_code == 404 and hidden.json() == {"detail": f"no submission {other}"}
        waited = kit.call("GET", f"{ME}/submissions/{other}?wait=1", kit.token(alpha))
        assert waited.status_code == 404
    assert kit.call("GET", f"{ME}/submissions/{mine}", kit.token(alpha)).status_code == 200
    listed = kit.call("GET", f"{ME}/items/1/submissions", kit.token(alpha)).json()
    assert [s["id"] for s in listed] == [mine]
    assert _view(kit, alpha)["items"][2]["answer"] is None  # Beta's answer is not Alpha's
    # The token opens no staff route, and no other invitation.
    for path in (
        f"/api/v1/invitations/{beta_id}",
        f"/api/v1/invitations/{beta_id}/scorecard",
        f"/api/v1/invitations/{alpha_id}/scorecard",
        "/api/v1/assessments/beta",
        f"/api/v1/submissions/{theirs}",
    ):
        assert kit.call("GET", path, kit.token(alpha)).status_code == 401, path
    # A candidate account does not see assessment submissions either.
    account = kit.as_role(Role.CANDIDATE)
    assert kit.call("GET", f"/api/v1/submissions/{theirs}", account).status_code == 404
    assert kit.call("GET", "/api/v1/submissions", account).json()["total"] == 0


# --- the clock ------------------------------------------------------------------------------


def test_the_deadline_is_the_earlier_of_the_time_limit_and_the_window(kit: Kit) -> None:
    start = kit.clock()
    kit.published(
        "limit", time_limit_minutes=30, closes_at=(start + timedelta(hours=2)).isoformat()
    )
    _, token = kit.invite("limit")
    view = kit.call("POST", f"{ME}/start", kit.token(token)).json()
    assert parse_time(view["started_at"]) == start
    assert parse_time(view["deadline_at"]) == start + timedelta(minutes=30)
    assert parse_time(view["server_time"]) == start
    # Starting again changes nothing.
    kit.clock.move(minutes=5)
    again = kit.call("POST", f"{ME}/start", kit.token(token)).json()
    assert parse_time(again["started_at"]) == start

    closes = start + timedelta(minutes=20)
    kit.published("window", time_limit_minutes=30, closes_at=closes.isoformat())
    _, token = kit.started("window")
    assert parse_time(_view(kit, token)["deadline_at"]) == closes

    kit.published("open-ended")
    _, token = kit.started("open-ended")
    assert _view(kit, token)["deadline_at"] is None

    opens = kit.clock() + timedelta(days=1)
    kit.published("later", opens_at=opens.isoformat())
    _, token = kit.invite("later")
    early = kit.call("POST", f"{ME}/start", kit.token(token))
    assert early.status_code == 409 and "opens at" in early.json()["detail"]
    kit.clock.at(opens)
    assert kit.call("POST", f"{ME}/start", kit.token(token)).status_code == 200


def test_after_the_deadline_nothing_is_taken_and_nothing_is_half_stored(kit: Kit) -> None:
    kit.published("clock", time_limit_minutes=30)
    _, token = kit.started("clock")
    deadline = parse_time(_view(kit, token)["deadline_at"])

    kit.clock.at(deadline - timedelta(seconds=1))
    accepted = kit.submit(token, 1)
    assert accepted.status_code == 202, accepted.text
    assert accepted.headers["Location"] == f"{ME}/submissions/{accepted.json()['id']}"
    assert kit.answer(token, 3, {"choice": MC_KEY}).status_code == 200
    assert kit.answer(token, 4, {"text": SHORT_RIGHT}).status_code == 200

    for moment in (deadline, deadline + timedelta(seconds=1)):
        kit.clock.at(moment)
        late = kit.submit(token, 1)
        assert late.status_code == 409
        assert late.json()["detail"].startswith("the time is over: the deadline was ")
        changed = kit.answer(token, 3, {"choice": [1]})
        assert changed.status_code == 409 and "the time is over" in changed.json()["detail"]
        assert kit.answer(token, 4, {"text": "changed my mind"}).status_code == 409
    assert kit.count(Submission) == 1
    with kit.api.session() as session:
        answers = {
            a.answer.get("text") or str(a.answer["choice"]) for a in session.scalars(select(Answer))
        }
    assert answers == {str(sorted(MC_KEY)), SHORT_RIGHT}
    # Finishing now is the deadline's doing, at the deadline: no more time is counted.
    finished = kit.call("POST", f"{ME}/finish", kit.token(token)).json()
    assert finished["status"] == "finished"
    invitation = kit.call("GET", "/api/v1/assessments/clock/invitations", kit.admin).json()
    row = invitation["items"][0]
    assert row["finished_how"] == "deadline" and parse_time(row["finished_at"]) == deadline


def test_a_candidate_can_finish_early_and_then_sends_nothing_more(kit: Kit) -> None:
    kit.published("early", time_limit_minutes=60)
    invitation_id, token = kit.started("early")
    kit.clock.move(minutes=12)
    assert kit.call("POST", f"{ME}/finish", kit.token(token)).json()["status"] == "finished"
    row = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert row["finished_how"] == "candidate"
    assert parse_time(row["finished_at"]) == kit.clock()
    assert kit.scorecard(invitation_id)["time_used_seconds"] == 12 * 60
    assert kit.submit(token, 1).status_code == 409
    assert kit.answer(token, 3, {"choice": MC_KEY}).status_code == 409
    assert kit.call("POST", f"{ME}/start", kit.token(token)).status_code == 409
    assert kit.call("POST", f"{ME}/finish", kit.token(token)).status_code == 200  # no change
    _, unstarted = kit.invite("early", "Idle")
    assert kit.call("POST", f"{ME}/finish", kit.token(unstarted)).status_code == 409
    assert kit.submit(unstarted, 1).status_code == 409
    assert kit.count(Submission) == 0


def test_the_service_finalises_abandoned_invitations_and_expires_unstarted_ones(kit: Kit) -> None:
    closes = kit.clock() + timedelta(hours=3)
    kit.published("abandon", time_limit_minutes=30, closes_at=closes.isoformat())
    gone_id, gone = kit.started("abandon", "Gone")
    kit.graded(gone, 1, 2)
    kit.answer(gone, 3, {"choice": MC_KEY})
    idle_id, _ = kit.invite("abandon", "Idle")
    deadline = kit.clock() + timedelta(minutes=30)

    kit.clock.at(deadline - timedelta(seconds=1))
    assert _finalise(kit) == []
    kit.clock.at(deadline + timedelta(minutes=2))  # the reaper passes a little after
    assert _finalise(kit) == [gone_id]
    assert _finalise(kit) == []
    row = kit.call("GET", f"/api/v1/invitations/{gone_id}", kit.admin).json()
    assert (row["status"], row["finished_how"]) == ("finished", "deadline")
    assert parse_time(row["finished_at"]) == deadline
    card = kit.scorecard(gone_id)
    assert card["total"] == 30.0 and card["time_used_seconds"] == 30 * 60  # 20 + 10
    # The one who never started expires when the window closes, not before.
    assert kit.call("GET", f"/api/v1/invitations/{idle_id}", kit.admin).json()["status"] == (
        "invited"
    )
    kit.clock.at(closes)
    _finalise(kit)
    assert kit.call("GET", f"/api/v1/invitations/{idle_id}", kit.admin).json()["status"] == (
        "expired"
    )


def test_closing_an_assessment_finishes_those_at_work_by_the_servers_clock(kit: Kit) -> None:
    kit.published("closing", time_limit_minutes=60)
    working_id, _ = kit.started("closing", "Working")
    waiting_id, _ = kit.invite("closing", "Waiting")
    kit.clock.move(minutes=10)
    assert kit.call("POST", "/api/v1/assessments/closing/close", kit.admin).status_code == 200
    row = kit.call("GET", f"/api/v1/invitations/{working_id}", kit.admin).json()
    assert (row["status"], row["finished_how"]) == ("finished", "closed")
    assert parse_time(row["finished_at"]) == kit.clock()
    waiting = kit.call("GET", f"/api/v1/invitations/{waiting_id}", kit.admin).json()
    assert waiting["status"] == "expired"


def test_a_submission_accepted_before_the_deadline_counts_when_graded_after(kit: Kit) -> None:
    kit.published("late-grade", time_limit_minutes=30)
    invitation_id, token = kit.started("late-grade")
    kit.clock.move(minutes=30, seconds=-1)
    submission = kit.submitted(token, 1)
    kit.clock.move(minutes=5)
    assert _finalise(kit) == [invitation_id]
    assert kit.scorecard(invitation_id)["provisional"]
    kit.grade(submission, result_of(4))  # recorded well after the deadline
    card = kit.scorecard(invitation_id)
    assert card["items"][0]["points"] == 40.0 and card["total"] == 40.0
    assert not card["provisional"]
    row = kit.call("GET", f"/api/v1/invitations/{invitation_id}", kit.admin).json()
    assert row["score"] == 40.0
    seen = kit.call("GET", f"{ME}/submissions/{submission}", kit.token(token)).json()
    assert (seen["status"], seen["score"]) == ("completed", 100)


# --- what the candidate sees ----------------------------------------------------------------

SECRET_WORDS = ("rubric", "phrasings", "right_answers", "wrong_answers", "matched", "proposed")


def _graded_view(kit: Kit, feedback: str) -> tuple[dict[str, Any], list[Any]]:
    kit.published(f"fb-{feedback}", feedback=feedback)
    _, token = kit.started(f"fb-{feedback}", f"Fb {feedback}")
    submission = kit.submitted(token, 1)
    kit.grade(submission, result_of(3, message="GET /hello answered 500"))
    one = kit.call("GET", f"{ME}/submissions/{submission}", kit.token(token))
    listed = kit.call("GET", f"{ME}/items/1/submissions", kit.token(token))
    assert one.status_code == 200 and listed.status_code == 200
    assert one.json()["files"] == {"main.py": APP}
    return one.json(), listed.json()


def test_feedback_full_shows_tests_with_their_messages(kit: Kit) -> None:
    seen, listed = _graded_view(kit, "full")
    assert (seen["verdict"], seen["score"], seen["max_score"]) == ("failed", 75, 100)
    assert [t["outcome"] for t in seen["tests"]] == ["passed", "passed", "passed", "failed"]
    assert seen["tests"][3]["message"] == "GET /hello answered 500"
    assert seen["log"] == "candidate log line"
    assert listed[0]["tests"] == seen["tests"]


def test_feedback_tests_shows_names_and_outcomes_without_messages(kit: Kit) -> None:
    seen, listed = _graded_view(kit, "tests")
    assert [(t["name"], t["outcome"]) for t in seen["tests"]][3] == (
        "test_b.py::test_x",
        "failed",
    )
    assert all(t["message"] == "" for t in seen["tests"] + listed[0]["tests"])
    assert seen["log"] is None and seen["error"] is None
    assert "answered 500" not in json.dumps([seen, listed])


def test_feedback_score_shows_the_score_only(kit: Kit) -> None:
    seen, listed = _graded_view(kit, "score")
    assert (seen["score"], seen["max_score"], seen["tests"], seen["log"]) == (75, 100, None, None)
    assert listed[0]["tests"] is None and "test_b.py" not in json.dumps([seen, listed])


def test_feedback_none_says_received_only(kit: Kit) -> None:
    seen, listed = _graded_view(kit, "none")
    for shown in (seen, listed[0]):
        assert shown["status"] == "completed"
        assert (shown["verdict"], shown["score"], shown["max_score"], shown["tests"]) == (
            None,
            None,
            None,
            None,
        )


def test_keys_and_explanations_only_after_the_end_and_never_rubrics_or_points(kit: Kit) -> None:
    kit.published("reveal")
    _, token = kit.started("reveal")
    saved = kit.answer(token, 4, {"text": SHORT_RIGHT})
    assert saved.status_code == 200
    assert set(saved.json()) == {"item", "answered_at", "answer"}
    kit.answer(token, 3, {"choice": [2, 0, 3]})
    during = _view(kit, token)
    choice, short = during["items"][2], during["items"][3]
    assert choice["options"] == ["GET", "POST", "PUT", "DELETE"] and choice["multiple"] is True
    assert (choice["correct"], choice["explanation"]) == (None, None)
    assert choice["answer"] == {"choice": [0, 2, 3]}
    assert (short["answer"], short["explanation"]) == ({"text": SHORT_RIGHT}, None)
    assert short["points"] == 6  # what the question is worth, not what the answer earned
    coding = during["items"][0]
    assert coding["starter"] and "main.py" in coding["starter"]
    text = json.dumps(during)
    assert not any(word in text for word in SECRET_WORDS)
    kit.call("POST", f"{ME}/finish", kit.token(token))
    finished = _view(kit, token)  # others may still be at work: nothing to pass on to them
    assert (finished["items"][2]["correct"], finished["items"][3]["explanation"]) == (None, None)
    kit.call("POST", "/api/v1/assessments/reveal/close", kit.as_role(Role.ADMIN))
    after = _view(kit, token)
    assert after["items"][2]["correct"] == MC_KEY and after["items"][2]["explanation"]
    assert after["items"][3]["explanation"]  # the reference answer
    assert not any(word in json.dumps(after) for word in SECRET_WORDS)


# --- the rules of submitting and answering --------------------------------------------------


def test_the_submission_cap_per_item(kit: Kit) -> None:
    kit.published("capped", max_submissions_per_item=2)
    _, token = kit.started("capped")
    assert _view(kit, token)["items"][0]["submissions_left"] == 2
    kit.submitted(token, 1)
    kit.submitted(token, 1)
    refused = kit.submit(token, 1)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "item 1 takes at most 2 submissions; you have made them all"
    assert kit.count(Submission) == 2
    view = _view(kit, token)
    assert (view["items"][0]["submissions_made"], view["items"][0]["submissions_left"]) == (2, 0)
    kit.submitted(token, 2)  # the cap is per item
    assert _view(kit, token)["items"][1]["submissions_left"] == 1


def test_items_take_only_their_kind_of_answer(kit: Kit) -> None:
    kit.published("kinds")
    _, token = kit.started("kinds")
    assert kit.submit(token, 3).status_code == 422  # a question, not a coding item
    assert kit.submit(token, 9).status_code == 404
    assert kit.submit(token, 1, main="").status_code == 202
    bad_files = kit.call(
        "POST", f"{ME}/items/1/submissions", kit.token(token), json={"files": {"x.sh": "ls"}}
    )
    assert bad_files.status_code == 422
    assert kit.count(Submission) == 1
    for position, body in (
        (1, {"choice": 0}),
        (3, {"text": "GET"}),
        (3, {"choice": 7}),
        (3, {"choice": [0, True]}),
        (4, {"choice": 1}),
        (4, {"text": "x" * 10_001}),
    ):
        response = kit.answer(token, position, body)
        assert response.status_code == 422, (position, body, response.text)
    assert kit.answer(token, 9, {"choice": 0}).status_code == 404
    assert kit.count(Answer) == 0


def test_multiple_choice_is_exact_and_a_new_answer_replaces_a_review(kit: Kit) -> None:
    kit.published("answers")
    invitation_id, token = kit.started("answers")

    def points(position: int) -> Any:
        answer = kit.scorecard(invitation_id)["items"][position - 1]["answer"]
        return answer["proposed_points"], answer["reviewed_points"]

    kit.answer(token, 3, {"choice": MC_KEY})
    assert points(3) == (2, None) and kit.scorecard(invitation_id)["total"] == 10.0
    for wrong in ([0, 2], [0, 1, 2, 3], [1], 1):
        saved = kit.answer(token, 3, {"choice": wrong})
        assert saved.status_code == 200, (wrong, saved.text)
        assert points(3) == (0, None), wrong
    kit.answer(token, 3, {"choice": [3, 2, 0]})
    assert points(3) == (2, None)
    kit.answer(token, 4, {"text": "It is a kind of database."})
    proposed, _ = points(4)
    assert proposed <= 2  # at most a third of 6
    assert kit.scorecard(invitation_id)["needs_review"]
    kit.call(
        "PUT",
        f"/api/v1/invitations/{invitation_id}/answers/4/review",
        kit.admin,
        json={"points": 5},
    )
    assert points(4) == (proposed, 5)
    kit.answer(token, 4, {"text": SHORT_RIGHT})  # changed before the deadline: reviewed again
    assert points(4) == (6, None) and kit.scorecard(invitation_id)["needs_review"]
    assert kit.count(Answer, Answer.invitation_id == invitation_id) == 2

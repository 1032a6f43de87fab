"""A submission's gradings are kept for ever: a retry and a regrade add to the history, and a
regrade does not spend the retries."""

from __future__ import annotations

from grader.api.schemas import CANDIDATE_INTERNAL_ERROR
from grader.db.models import Role
from grader.services import grading
from tests.api.conftest import Api
from worker.result import GradeResult, Verdict

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
PATH = "/api/v1/submissions"


def grade(api: Api, submission_id: int, verdict: Verdict, score: int) -> None:
    """What a worker does: claim the submission, record a result."""
    result = GradeResult(
        verdict=verdict,
        score=score,
        max_score=100,
        duration_ms=9,
        error="docker went away" if verdict is Verdict.INTERNAL_ERROR else None,
    )
    with api.session() as session:
        claimed = grading.claim(session, submission_id)
        assert claimed is not None
        grading.record(session, claimed, result, 3, lambda *_: None)


def test_retries_and_regrades_are_kept_and_a_regrade_has_retries_of_its_own(api: Api) -> None:
    carol, admin = api.user("carol"), api.user("boss", Role.ADMIN)
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    made = api.call("POST", PATH, carol, json=body).json()
    grade(api, made["id"], Verdict.INTERNAL_ERROR, 0)  # attempt 1: the grader's fault
    grade(api, made["id"], Verdict.FAILED, 40)  # attempt 2
    first = api.call("GET", f"{PATH}/{made['id']}", carol).json()
    assert (first["status"], first["score"], first["round"], first["attempts"]) == (
        "completed",
        40,
        1,
        2,
    )
    regraded = api.call("POST", f"{PATH}/{made['id']}/regrade", admin).json()
    assert (regraded["round"], regraded["attempts"], regraded["status"]) == (2, 1, "queued")
    grade(api, made["id"], Verdict.PASSED, 100)
    final = api.call("GET", f"{PATH}/{made['id']}", carol).json()
    assert (final["score"], final["round"], final["attempts"]) == (100, 2, 1)
    history = [
        (g["round"], g["attempt"], g["reason"], g["status"], g["score"], g["requested_by"])
        for g in final["gradings"]
    ]
    assert history == [
        (1, 1, "first", "internal_error", 0, None),
        (1, 2, "retry", "completed", 40, None),
        (2, 1, "regrade", "completed", 100, "boss"),
    ]
    # The grader's own error text is for staff; the candidate sees a neutral sentence.
    assert final["gradings"][0]["error"] != "docker went away"
    assert final["gradings"][0]["error"] == CANDIDATE_INTERNAL_ERROR
    staff = api.call("GET", f"{PATH}/{made['id']}", admin).json()
    assert staff["gradings"][0]["error"] == "docker went away"

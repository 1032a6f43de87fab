"""What a response may show to whom."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grader.api.schemas import CANDIDATE_INTERNAL_ERROR, SubmissionOut
from grader.db.models import Challenge, Submission, SubmissionStatus, User

SUITE_LEAK = "the hidden suite could not run (pytest exit 2): assert r.json() == SECRET"


def test_candidates_never_see_infrastructure_error_text(
    session: Session, hello: Challenge, candidate: User
) -> None:
    assert hello.current_version_id is not None
    submission = Submission(
        user_id=candidate.id,
        challenge_id=hello.id,
        challenge_version_id=hello.current_version_id,
        files={"main.py": ""},
        status=SubmissionStatus.ERROR,
        error=SUITE_LEAK,
    )
    session.add(submission)
    session.commit()
    assert SubmissionOut.of(submission, staff=False).error == CANDIDATE_INTERNAL_ERROR
    assert SubmissionOut.of(submission, staff=True).error == SUITE_LEAK

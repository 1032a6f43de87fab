"""The result document: what a grading produced, shared by the worker, the API and the CLI."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

#: What candidate-derived text may not carry: C0 and C1 control characters but tab and newline
#: (terminal escapes, carriage returns that overwrite lines), lone surrogates (they cannot be
#: encoded as UTF-8), and bidirectional overrides (they reorder what a reviewer reads).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as valid UTF-8 that prints as itself: unprintable characters become U+FFFD, a
    Windows line end a newline."""
    return _UNPRINTABLE.sub("\ufffd", text.replace("\r\n", "\n"))


#: Text that came from the candidate's app (messages, logs, errors): always printable. Applied
#: when a result is built and when a stored one is read back, so no stored result can break
#: a listing, a page or a terminal.
CandidateText = Annotated[str, AfterValidator(printable)]


class Verdict(StrEnum):
    PASSED = "passed"
    """Every test passed."""
    FAILED = "failed"
    """The app ran and some tests failed."""
    ERROR = "error"
    """The app did not start: syntax error, import error, no `app`, crash at start-up."""
    TIMEOUT = "timeout"
    """The wall-clock limit was reached."""
    MEMORY_LIMIT = "memory_limit"
    """The app was killed for exceeding its memory limit."""
    OUTPUT_LIMIT = "output_limit"
    """The app printed more than the output limit."""
    INTERNAL_ERROR = "internal_error"
    """The grader failed; never the candidate's fault, and worth a retry."""


#: Verdicts caused by breaking a sandbox limit: they score 0 whatever ran before.
LIMIT_VERDICTS = frozenset({Verdict.TIMEOUT, Verdict.MEMORY_LIMIT, Verdict.OUTPUT_LIMIT})


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class TestResult(BaseModel):
    __test__ = False  # not a pytest class

    name: CandidateText = Field(
        description="The hidden test's name, e.g. `test_items.py::test_create_item`."
    )
    outcome: Outcome
    points: int = Field(ge=0, description="Points earned.")
    max_points: int = Field(ge=0)
    message: CandidateText = Field(
        default="",
        description="Why it failed, in terms of the API's behaviour; never the test's source.",
    )


class GradeResult(BaseModel):
    verdict: Verdict
    score: int = Field(ge=0)
    max_score: int = Field(ge=0)
    tests: list[TestResult] = Field(default_factory=list)
    duration_ms: int = Field(ge=0)
    log: CandidateText = Field(default="", description="The app's stdout and stderr, capped.")
    error: CandidateText | None = Field(
        default=None, description="One-line reason when the verdict is neither passed nor failed."
    )

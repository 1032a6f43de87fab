"""The result document: what a grading produced, shared by the worker, the API and the CLI."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


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

    name: str = Field(description="The hidden test's name, e.g. `test_items.py::test_create_item`.")
    outcome: Outcome
    points: int = Field(ge=0, description="Points earned.")
    max_points: int = Field(ge=0)
    message: str = Field(
        default="",
        description="Why it failed, in terms of the API's behaviour; never the test's source.",
    )


class GradeResult(BaseModel):
    verdict: Verdict
    score: int = Field(ge=0)
    max_score: int = Field(ge=0)
    tests: list[TestResult] = Field(default_factory=list)
    duration_ms: int = Field(ge=0)
    log: str = Field(default="", description="The app's stdout and stderr, capped.")
    error: str | None = Field(
        default=None, description="One-line reason when the verdict is neither passed nor failed."
    )

"""What proves a suite, with the sandbox replaced by canned results: the contract, the
reference and alternatives at 100, the starter at most half, stale mutants, automatic mutants
that survive unless listed as equivalent."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from grader.services.mutation import mutants_of
from grader.services.validation import MAX_STARTER_SCORE, validate_challenge
from tests.unit.conftest import HELLO
from worker.challenge import ChallengeSpec, Files, load_challenge
from worker.result import GradeResult, Verdict

SPEC = load_challenge(HELLO)


class Canned:
    """A stand-in sandbox: `score(files)` decides each answer's score."""

    def __init__(self, score: Callable[[Files], int]) -> None:
        self.score = score

    def grade(self, challenge: ChallengeSpec, files: Files) -> GradeResult:
        points = self.score(files)
        verdict = Verdict.PASSED if points == 100 else Verdict.FAILED
        return GradeResult(verdict=verdict, score=points, max_score=100, duration_ms=1)


def honest(files: Files) -> int:
    """The reference and alternatives pass; everything else scores 20."""
    right = [SPEC.solution, *SPEC.alternatives.values()]
    return 100 if files in right else 20


def validate(score: Callable[[Files], int], spec: ChallengeSpec = SPEC, automatic: int = 50):
    return validate_challenge(Canned(score), spec, automatic=automatic)  # type: ignore[arg-type]


def test_a_proven_challenge_has_no_problem() -> None:
    report = validate(honest)
    assert report.ok, report.problems
    assert report.automatic_total == len(mutants_of(SPEC.solution)) > 0
    assert report.automatic_killed == len(report.automatic)


def test_a_starter_scoring_more_than_half_is_refused() -> None:
    report = validate(lambda f: 60 if f == SPEC.starter else honest(f))
    assert [p for p in report.problems if "starter scores 60" in p], report.problems
    assert validate(lambda f: MAX_STARTER_SCORE if f == SPEC.starter else honest(f)).ok


def test_a_stale_hand_written_mutant_is_refused() -> None:
    stale = next(iter(SPEC.mutants.values()))
    report = validate(lambda f: 100 if f == stale else honest(f))
    assert any("does not catch it" in p for p in report.problems), report.problems


def test_a_surviving_automatic_mutant_is_refused_unless_listed_with_a_reason() -> None:
    survivor = mutants_of(SPEC.solution)[0]
    report = validate(lambda f: 100 if f == survivor.files else honest(f))
    assert any(survivor.id in p and "survives" in p for p in report.problems)
    listed = SPEC.model_copy(update={"equivalent_mutants": {survivor.id: "no request tells"}})
    assert validate(lambda f: 100 if f == survivor.files else honest(f), listed).ok


def test_a_broken_contract_is_refused() -> None:
    no_rules = SPEC.model_copy(update={"prompt": SPEC.prompt.replace("## Rules", "## Notes")})
    assert any("no `## Rules`" in p for p in validate(honest, no_rules).problems)
    unmarked = dict(SPEC.tests)
    name = next(n for n in unmarked if n.startswith("test_"))
    unmarked[name] = unmarked[name].replace('@pytest.mark.rule("R3")', "")
    problems = validate(honest, SPEC.model_copy(update={"tests": unmarked})).problems
    assert any("rule R3 has no test" in p for p in problems), problems
    assert any("checks no stated rule" in p for p in problems), problems


@pytest.mark.parametrize("count", [0, 3])
def test_the_automatic_sample_is_seeded_and_sized(count: int) -> None:
    first, second = validate(honest, automatic=count), validate(honest, automatic=count)
    assert list(first.automatic) == list(second.automatic)
    assert len(first.automatic) == min(count, first.automatic_total)

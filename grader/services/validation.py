"""Prove a challenge's hidden suite: the reference and every alternative right answer score full
marks, the starter and every mutant score less. A suite that fails this decides hiring unfairly,
so nothing ships without it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from worker.challenge import ChallengeSpec, Files
from worker.result import GradeResult, Verdict
from worker.sandbox import Sandbox

MAX_SCORE = 100
MIN_MUTANTS = 4


@dataclass
class ValidationReport:
    slug: str
    reference: GradeResult
    starter: GradeResult
    mutants: dict[str, GradeResult] = field(default_factory=dict)
    alternatives: dict[str, GradeResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def caught(self) -> int:
        return sum(1 for r in self.mutants.values() if r.score < r.max_score or r.max_score == 0)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_challenge(
    sandbox: Sandbox,
    challenge: ChallengeSpec,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> ValidationReport:
    """Grade every answer the challenge carries, `jobs` at a time (each in its own slot)."""
    answers: list[tuple[str, Files]] = [
        ("reference", challenge.solution),
        ("starter", challenge.starter),
        *((f"mutant {name}", files) for name, files in challenge.mutants.items()),
        *((f"alternative {name}", files) for name, files in challenge.alternatives.items()),
    ]

    def grade(answer: tuple[str, Files]) -> GradeResult:
        progress(f"{challenge.slug}: {answer[0]}")
        return sandbox.grade(challenge, answer[1])

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        graded = dict(
            zip((label for label, _ in answers), executor.map(grade, answers), strict=True)
        )
    reference, starter = graded["reference"], graded["starter"]
    report = ValidationReport(challenge.slug, reference, starter)
    report.mutants = {name: graded[f"mutant {name}"] for name in challenge.mutants}
    report.alternatives = {name: graded[f"alternative {name}"] for name in challenge.alternatives}

    problems = report.problems
    if reference.verdict is not Verdict.PASSED or reference.score != MAX_SCORE:
        problems.append(
            f"reference scored {reference.score}/{reference.max_score} ({reference.verdict.value}"
            f"{': ' + reference.error if reference.error else ''}); it must pass with {MAX_SCORE}"
        )
        problems += [
            f"reference fails {t.name}: {t.message.splitlines()[0] if t.message else t.outcome}"
            for t in reference.tests
            if t.outcome != "passed"
        ]
    if reference.max_score != MAX_SCORE:
        problems.append(f"the suite totals {reference.max_score} points, not {MAX_SCORE}")
    if starter.verdict is not Verdict.FAILED:
        problems.append(
            f"starter got {starter.verdict.value}"
            f"{': ' + starter.error if starter.error else ''}; it must import cleanly and fail"
        )
    elif starter.score >= MAX_SCORE:
        problems.append("starter scores full marks")
    if len(challenge.mutants) < MIN_MUTANTS:
        problems.append(f"{len(challenge.mutants)} mutants, at least {MIN_MUTANTS} needed")
    for name, result in report.mutants.items():
        if result.verdict is Verdict.INTERNAL_ERROR:
            problems.append(f"mutant {name}: internal error: {result.error}")
        elif result.score >= MAX_SCORE:
            problems.append(f"mutant {name} scores {result.score}: the suite does not catch it")
    for name, result in report.alternatives.items():
        if result.verdict is not Verdict.PASSED or result.score != MAX_SCORE:
            failing = [t.name for t in result.tests if t.outcome != "passed"]
            problems.append(
                f"alternative right answer {name} scores {result.score} ({result.verdict.value}"
                f"{': ' + result.error if result.error else ''}); failing: {failing}"
            )
    return report

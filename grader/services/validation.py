"""Prove a challenge's hidden suite before it decides anyone's hiring:
- its contract holds: every rule the prompt states has a test, every test checks a stated rule
  (`contract`);
- the reference and every alternative right answer score full marks;
- the starter scores at most half, and every hand-written mutant less than full marks (a stale
  mutant, which a changed suite no longer catches, is refused as such);
- automatic mutants of the reference (`mutation`) score less, unless the challenge lists them as
  equivalent with the reason. A sampled, seeded subset by default; all of them on request.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from grader.services.contract import Contract, contract_of
from grader.services.mutation import Mutant, mutants_of, sample
from worker.challenge import ChallengeSpec, Files
from worker.result import GradeResult, Verdict
from worker.sandbox import Sandbox

MAX_SCORE = 100
MIN_MUTANTS = 4
#: The most a starter may score: one that does half the work already tests too little.
MAX_STARTER_SCORE = 50
#: Automatic mutants graded per challenge by default (seeded by the challenge): enough to catch
#: a blind spot now and then at every run, few enough for CI. `None` grades them all.
DEFAULT_AUTOMATIC = 6


@dataclass
class ValidationReport:
    slug: str
    contract: Contract
    reference: GradeResult
    starter: GradeResult
    mutants: dict[str, GradeResult] = field(default_factory=dict)
    alternatives: dict[str, GradeResult] = field(default_factory=dict)
    automatic: dict[str, GradeResult] = field(default_factory=dict)
    """Graded automatic mutants, by id."""
    automatic_total: int = 0
    """How many automatic mutants the reference has (graded or not)."""
    problems: list[str] = field(default_factory=list)

    @property
    def caught(self) -> int:
        return sum(1 for r in self.mutants.values() if _caught(r))

    @property
    def automatic_killed(self) -> int:
        return sum(1 for r in self.automatic.values() if _caught(r))

    @property
    def survivors(self) -> list[str]:
        return [mutant for mutant, result in self.automatic.items() if not _caught(result)]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, object]:
        """What the catalog page shows of a validation (kept on the version)."""
        return {
            "reference": [self.reference.score, self.reference.max_score],
            "starter": [self.starter.score, self.starter.max_score],
            "mutants": {"caught": self.caught, "total": len(self.mutants)},
            "alternatives": {
                "full": sum(
                    1 for r in self.alternatives.values() if r.max_score and r.score == r.max_score
                ),
                "total": len(self.alternatives),
            },
            "automatic": {
                "killed": self.automatic_killed,
                "graded": len(self.automatic),
                "total": self.automatic_total,
            },
            "rules": len(self.contract.rules),
            "tests": len(self.contract.tests),
        }


def _caught(result: GradeResult) -> bool:
    return result.score < result.max_score or result.max_score == 0


def validate_challenge(
    sandbox: Sandbox,
    challenge: ChallengeSpec,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
    automatic: int | None = DEFAULT_AUTOMATIC,
) -> ValidationReport:
    """Grade every answer the challenge carries, `jobs` at a time (each in its own slot), and
    `automatic` automatic mutants (`None`: all)."""
    every_mutant = mutants_of(challenge.solution)
    seed = f"{challenge.slug}:{challenge.meta.version}"
    chosen: list[Mutant] = sample(every_mutant, automatic, seed)
    answers: list[tuple[str, Files]] = [
        ("reference", challenge.solution),
        ("starter", challenge.starter),
        *((f"mutant {name}", files) for name, files in challenge.mutants.items()),
        *((f"alternative {name}", files) for name, files in challenge.alternatives.items()),
        *((f"automatic {mutant.id}", mutant.files) for mutant in chosen),
    ]

    def grade(answer: tuple[str, Files]) -> GradeResult:
        progress(f"{challenge.slug}: {answer[0]}")
        return sandbox.grade(challenge, answer[1])

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        graded = dict(
            zip((label for label, _ in answers), executor.map(grade, answers), strict=True)
        )
    report = ValidationReport(
        challenge.slug, contract_of(challenge), graded["reference"], graded["starter"]
    )
    report.mutants = {name: graded[f"mutant {name}"] for name in challenge.mutants}
    report.alternatives = {name: graded[f"alternative {name}"] for name in challenge.alternatives}
    report.automatic = {m.id: graded[f"automatic {m.id}"] for m in chosen}
    report.automatic_total = len(every_mutant)
    report.problems = report.contract.problems + _problems(challenge, report)
    return report


def _problems(challenge: ChallengeSpec, report: ValidationReport) -> list[str]:
    problems: list[str] = []
    reference, starter = report.reference, report.starter
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
    elif starter.score > MAX_STARTER_SCORE:
        problems.append(
            f"starter scores {starter.score}, more than {MAX_STARTER_SCORE}: the suite tests too "
            "little that the starter does not already do"
        )
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
    for mutant_id, result in report.automatic.items():
        if result.verdict is Verdict.INTERNAL_ERROR:
            problems.append(f"automatic mutant {mutant_id}: internal error: {result.error}")
        elif not _caught(result) and mutant_id not in challenge.equivalent_mutants:
            problems.append(
                f"automatic mutant {mutant_id} survives (scores {result.score}): add a test that "
                "kills it, or list it in equivalent-mutants.toml with the reason"
            )
    return problems

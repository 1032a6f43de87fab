"""`grader challenges ...`: list the catalog, prove its suites."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from grader.cli.grading import sandbox_for_cli
from grader.cli.output import console, fail, spinner
from grader.config import get_settings
from grader.engine import with_pool
from grader.services.validation import DEFAULT_AUTOMATIC, ValidationReport, validate_challenge
from worker.challenge import ChallengeError, load_challenge, resolve_challenge
from worker.sandbox import SandboxError

app = typer.Typer(help="List and validate challenges.", no_args_is_help=True)


@app.command("list")
def list_challenges() -> None:
    """List the catalog's challenges."""
    root = get_settings().challenges_dir
    table = Table("slug", "version", "difficulty", "title")
    for folder in sorted(p for p in root.iterdir() if (p / "challenge.toml").is_file()):
        try:
            spec = load_challenge(folder)
        except ChallengeError as exc:
            table.add_row(folder.name, "-", "-", Text(str(exc), style="red"))
            continue
        table.add_row(spec.slug, str(spec.meta.version), spec.meta.difficulty, spec.meta.title)
    console.print(table)


@app.command("validate")
def validate(
    slugs: Annotated[
        list[str] | None, typer.Argument(help="Slugs or folders; default: all.")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Gradings at a time.")] = 2,
    pool: Annotated[int, typer.Option(help="Warm sandbox slots kept ready (0: none).")] = 2,
    automatic: Annotated[
        int, typer.Option(help="Automatic mutants graded per challenge (seeded sample).")
    ] = DEFAULT_AUTOMATIC,
    all_mutants: Annotated[
        bool, typer.Option("--all-mutants", help="Grade every automatic mutant.")
    ] = False,
    rules: Annotated[
        bool, typer.Option(help="Print each rule and the tests that check it.")
    ] = True,
) -> None:
    """Check each challenge's contract (rules <-> tests); grade reference, alternatives,
    starter, hand-written and automatic mutants; exit 1 if any suite is not proven."""
    root = get_settings().challenges_dir
    names = slugs or sorted(p.name for p in root.iterdir() if (p / "challenge.toml").is_file())
    try:
        specs = [load_challenge(resolve_challenge(name, root)) for name in names]
        sandbox = sandbox_for_cli()
    except (ChallengeError, SandboxError) as exc:
        raise fail(str(exc)) from exc
    table = Table(
        "challenge",
        "rules/tests",
        "reference",
        "alternatives",
        "starter",
        "mutants caught",
        "automatic killed/graded/total (equivalent)",
        "status",
    )
    failed: dict[str, list[str]] = {}
    with spinner() as progress, contextlib.closing(with_pool(sandbox, pool)):
        task = progress.add_task("validating", total=len(specs))
        for spec in specs:
            report = validate_challenge(
                sandbox,
                spec,
                lambda text: progress.update(task, description=text),
                jobs,
                None if all_mutants else automatic,
            )
            progress.advance(task)
            if not report.ok:
                failed[spec.slug] = report.problems
            if rules:
                progress.console.print(rule_table(report))
            table.add_row(
                spec.slug,
                f"{len(report.contract.rules)}/{len(report.contract.tests)}",
                f"{report.reference.score}/{report.reference.max_score}",
                f"{sum(r.score == 100 for r in report.alternatives.values())}"
                f"/{len(report.alternatives)} at 100",
                f"{report.starter.score}",
                f"{report.caught}/{len(report.mutants)}",
                f"{report.automatic_killed}/{len(report.automatic)}/{report.automatic_total}"
                f" ({len(spec.equivalent_mutants)})",
                Text("ok", style="green")
                if report.ok
                else Text(f"{len(report.problems)} problem(s)", style="red"),
            )
    console.print(table)
    for slug, problems in failed.items():
        for problem in problems:
            console.print(Text.assemble((f"{slug}: ", "bold red"), problem), soft_wrap=True)
    if failed:
        raise typer.Exit(code=1)


def rule_table(report: ValidationReport) -> Table:
    """Each stated rule and the tests that check it (a rule with none shows in red)."""
    table = Table("rule", "tests", title=f"{report.slug}: rules -> tests", title_justify="left")
    for rule, text in report.contract.rules.items():
        tests = [t.rsplit("::", 1)[-1] for t in report.contract.tests_of(rule)]
        shown = Text(", ".join(tests)) if tests else Text("no test", style="red")
        table.add_row(Text(f"{rule} {text[:60]}"), shown)
    return table

"""The `grader` command: sandbox, one-shot grading, challenge validation (and the service)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader.config import get_settings
from worker.challenge import ChallengeError, Files, load_challenge, read_files, resolve_challenge
from worker.result import GradeResult, Verdict
from worker.sandbox import Sandbox, SandboxError, build_image, connect, image_tag, reap
from worker.sandbox.image import BuildMethod

app = typer.Typer(help="interview-grader: grade FastAPI answers in locked-down sandboxes.",
                  no_args_is_help=True)
sandbox_app = typer.Typer(help="Build and maintain the sandbox image.", no_args_is_help=True)
challenges_app = typer.Typer(help="List and validate challenges.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(challenges_app, name="challenges")

console = Console()
err_console = Console(stderr=True)

VERDICT_STYLE = {
    Verdict.PASSED: "bold green",
    Verdict.FAILED: "bold yellow",
    Verdict.INTERNAL_ERROR: "bold magenta",
}


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=2)


def _sandbox() -> Sandbox:
    settings = get_settings()
    client = connect(settings.docker_url)
    reap(client)
    return Sandbox(client, settings.sandbox_image or image_tag(), settings.sandbox_limits)


def _spinner() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err_console, transient=True,
    )


@sandbox_app.command("build")
def sandbox_build(
    method: Annotated[BuildMethod | None, typer.Option(help="How to make the base image.")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the tag exists.")] = False,
) -> None:
    """Build the sandbox image (skipped when its input hash is already built)."""
    settings = get_settings()
    try:
        client = connect(settings.docker_url)
        with _spinner() as progress:
            task = progress.add_task("building the sandbox image", total=None)

            def show(line: str) -> None:
                progress.update(task, description=line[:100])
                if line.startswith(("building", "adding", "importing", "debootstrap", "installing")):
                    progress.console.print(f"[dim]•[/] {line}")

            tag = build_image(
                client, show, method or settings.sandbox_build_method, settings.debian_mirror, force
            )
    except SandboxError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"sandbox image: [bold]{tag}[/]")


@sandbox_app.command("tag")
def sandbox_tag() -> None:
    """Print the tag the current requirements and harness hash to."""
    console.print(image_tag())


@sandbox_app.command("reap")
def sandbox_reap(
    everything: Annotated[bool, typer.Option(help="Also remove live ones (no grading running).")] = False,
) -> None:
    """Remove sandbox containers and volumes left by dead or overdue gradings."""
    try:
        removed = reap(connect(get_settings().docker_url), everything=everything)
    except SandboxError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"removed {removed} container(s)")


def submission_files(path: Path) -> Files:
    """A submission from a folder, or from one file (which becomes `main.py`)."""
    if not path.exists():
        raise ChallengeError(f"{path} does not exist")
    files = read_files(path)
    if path.is_file():
        files = {"main.py": files[path.name]}
    if "main.py" not in files:
        raise ChallengeError(f"{path} has no main.py")
    return files


def render_result(result: GradeResult) -> None:
    table = Table(show_lines=False)
    table.add_column("test")
    table.add_column("outcome")
    table.add_column("points", justify="right")
    table.add_column("message", overflow="fold")
    for test in result.tests:
        style = "green" if test.outcome == "passed" else "red"
        table.add_row(test.name, f"[{style}]{test.outcome}[/]", f"{test.points}/{test.max_points}",
                      test.message)
    if result.tests:
        console.print(table)
    style = VERDICT_STYLE.get(result.verdict, "bold red")
    console.print(
        f"[{style}]{result.verdict.value}[/]  score {result.score}/{result.max_score}"
        f"  in {result.duration_ms / 1000:.2f} s"
    )
    if result.error:
        console.print(f"[red]{result.error}[/]")


@app.command()
def grade(
    challenge: Annotated[str, typer.Argument(help="A slug under challenges/ or a challenge folder.")],
    path: Annotated[Path, typer.Argument(help="The submission: a folder with main.py, or one file.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the result document.")] = False,
) -> None:
    """Grade a submission once, in the sandbox, with no server or queue.

    Exits 0 whatever the verdict; non-zero only if grading itself could not run.
    """
    try:
        spec = load_challenge(resolve_challenge(challenge, get_settings().challenges_dir))
        files = submission_files(path)
        sandbox = _sandbox()
        if json_output:
            result = sandbox.grade(spec, files)
        else:
            with _spinner() as progress:
                progress.add_task(f"grading {path} against {spec.slug}", total=None)
                result = sandbox.grade(spec, files)
    except (ChallengeError, SandboxError) as exc:
        raise _fail(str(exc)) from exc
    if json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        render_result(result)
    if result.verdict is Verdict.INTERNAL_ERROR:
        err_console.print("[bold red]grading could not run[/]: " + (result.error or ""))
        raise typer.Exit(code=3)


@challenges_app.command("list")
def challenges_list() -> None:
    """List the catalog's challenges."""
    root = get_settings().challenges_dir
    table = Table("slug", "version", "difficulty", "title")
    for folder in sorted(p for p in root.iterdir() if (p / "challenge.toml").is_file()):
        try:
            spec = load_challenge(folder)
        except ChallengeError as exc:
            table.add_row(folder.name, "-", "-", f"[red]{exc}[/]")
            continue
        table.add_row(spec.slug, str(spec.meta.version), spec.meta.difficulty, spec.meta.title)
    console.print(table)


@challenges_app.command("validate")
def challenges_validate(
    slugs: Annotated[list[str] | None, typer.Argument(help="Slugs or folders; default: all.")] = None,
) -> None:
    """Grade reference, starter and mutants; exit 1 if any suite is not proven."""
    from grader.services.validation import validate_challenge

    root = get_settings().challenges_dir
    names = slugs or sorted(p.name for p in root.iterdir() if (p / "challenge.toml").is_file())
    try:
        specs = [load_challenge(resolve_challenge(name, root)) for name in names]
        sandbox = _sandbox()
    except (ChallengeError, SandboxError) as exc:
        raise _fail(str(exc)) from exc
    table = Table("challenge", "reference", "alternatives", "starter", "mutants caught", "status")
    failed = False
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err_console, transient=True,
    ) as progress:
        task = progress.add_task("validating", total=len(specs))
        for spec in specs:
            report = validate_challenge(
                sandbox, spec, lambda text: progress.update(task, description=text)
            )
            progress.advance(task)
            failed |= not report.ok
            table.add_row(
                spec.slug,
                f"{report.reference.score}/{report.reference.max_score}",
                f"{sum(r.score == 100 for r in report.alternatives.values())}"
                f"/{len(report.alternatives)} at 100",
                f"{report.starter.score}",
                f"{report.caught}/{len(report.mutants)}",
                "[green]ok[/]" if report.ok else "[red]" + "\n".join(report.problems) + "[/]",
            )
    console.print(table)
    if failed:
        raise typer.Exit(code=1)

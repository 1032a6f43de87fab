"""The `grader` command: sandbox, one-shot grading, challenge validation (and the service)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader.config import child_environment, get_settings
from worker.challenge import ChallengeError, Files, load_challenge, read_files, resolve_challenge
from worker.jobs import configured_sandbox
from worker.result import GradeResult, Verdict
from worker.sandbox import Sandbox, SandboxError, build_image, connect, image_tag, reap
from worker.sandbox.image import BuildMethod

app = typer.Typer(
    help="interview-grader: grade FastAPI answers in locked-down sandboxes.", no_args_is_help=True
)
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
    sandbox = configured_sandbox(settings)
    reap(sandbox.client)
    return sandbox


def _spinner() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
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
                if line.startswith(
                    ("building", "adding", "importing", "debootstrap", "installing")
                ):
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
    everything: Annotated[
        bool, typer.Option(help="Also remove live ones (no grading running).")
    ] = False,
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
        table.add_row(
            test.name,
            f"[{style}]{test.outcome}[/]",
            f"{test.points}/{test.max_points}",
            test.message,
        )
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
    challenge: Annotated[
        str, typer.Argument(help="A slug under challenges/ or a challenge folder.")
    ],
    path: Annotated[
        Path, typer.Argument(help="The submission: a folder with main.py, or one file.")
    ],
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
    slugs: Annotated[
        list[str] | None, typer.Argument(help="Slugs or folders; default: all.")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Gradings at a time.")] = 2,
    pool: Annotated[int, typer.Option(help="Warm sandbox slots kept ready (0: none).")] = 2,
) -> None:
    """Grade reference, alternatives, starter and mutants; exit 1 if any suite is not proven."""
    from grader.services.validation import validate_challenge
    from worker.sandbox.pool import SlotPool

    root = get_settings().challenges_dir
    names = slugs or sorted(p.name for p in root.iterdir() if (p / "challenge.toml").is_file())
    try:
        specs = [load_challenge(resolve_challenge(name, root)) for name in names]
        sandbox = _sandbox()
    except (ChallengeError, SandboxError) as exc:
        raise _fail(str(exc)) from exc
    table = Table("challenge", "reference", "alternatives", "starter", "mutants caught", "status")
    failed = False
    warm = SlotPool(sandbox, size=pool)
    with (
        _spinner() as progress,
        contextlib.closing(warm),
    ):
        task = progress.add_task("validating", total=len(specs))
        for spec in specs:
            report = validate_challenge(
                sandbox, spec, lambda text: progress.update(task, description=text), jobs
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


# --- the service ------------------------------------------------------------------------------
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")


def _migrate() -> None:
    from grader.db.migrate import upgrade
    from grader.db.session import session_scope
    from grader.services.challenges import sync_catalog

    settings = get_settings()
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        report = sync_catalog(session, settings.challenges_dir)
    for slug, problem in report.broken.items():
        err_console.print(f"[yellow]challenge {slug} skipped:[/] {problem}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations, then load the challenge catalog into the database."""
    _migrate()
    console.print("database is up to date")


def _create_user(username: str, password: str | None, role: str) -> None:
    from grader.db.models import Role
    from grader.db.session import session_scope
    from grader.errors import GraderError
    from grader.services.users import create_user

    try:
        with session_scope(get_settings().database_url) as session:
            user = create_user(session, username, password, Role(role))
            console.print(f"created {user.role.value} [bold]{user.username}[/] (id {user.id})")
    except GraderError as exc:
        raise _fail(str(exc)) from exc


@users_app.command("create-admin")
def users_create_admin(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an admin who logs in with USERNAME and the password."""
    _create_user(username, password, "admin")


@users_app.command("create")
def users_create(
    username: str,
    password: Annotated[str | None, typer.Option(help="Omit to print a generated one.")] = None,
) -> None:
    """Create a candidate."""
    import secrets

    if password is None:
        password = secrets.token_urlsafe(12)
        console.print(f"password: [bold]{password}[/]")
    _create_user(username, password, "candidate")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: GRADER_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: GRADER_PORT.")] = None,
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "grader.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@app.command()
def worker(
    count: Annotated[
        int | None, typer.Option(help="Worker processes; default GRADER_WORKER_COUNT.")
    ] = None,
) -> None:
    """Run rq workers on the `grading` queue, and the reaper; Ctrl-C lets gradings finish."""
    import logging

    from grader.processes import run_worker_pool

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    try:
        run_worker_pool(settings, count or settings.worker_count)
    except SandboxError as exc:
        raise _fail(str(exc)) from exc


@app.command()
def up(
    port: Annotated[int | None, typer.Option(help="Default: GRADER_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: GRADER_WORKER_COUNT.")] = None,
) -> None:
    """Everything on one machine: migrations, a private Redis (unless GRADER_REDIS_URL is set),
    the API and the workers. Ctrl-C stops them all."""
    import secrets

    from grader.processes import grader_command, start_redis, supervise, terminate

    settings = get_settings()
    child_env = child_environment(GRADER_DATABASE_URL=settings.database_url)
    if "secret_key" not in settings.model_fields_set:
        child_env["GRADER_SECRET_KEY"] = secrets.token_urlsafe(32)
    redis_process = None
    if "redis_url" not in settings.model_fields_set:
        try:
            redis_process, url = start_redis(Path("var"))
        except RuntimeError as exc:
            raise _fail(str(exc)) from exc
        child_env["GRADER_REDIS_URL"] = url
        console.print(f"private Redis at {url}")
    try:
        _migrate()
        listen = port or settings.port
        console.print(f"API on http://{settings.host}:{listen}  (Ctrl-C stops everything)")
        code = supervise(
            [
                grader_command("serve", "--port", str(listen)),
                grader_command("worker", "--count", str(workers or settings.worker_count)),
            ],
            child_env,
        )
    finally:
        if redis_process is not None:
            terminate([redis_process])
    raise typer.Exit(code=code)


@app.command()
def submit(
    challenge: Annotated[str, typer.Argument(help="The challenge's slug.")],
    path: Annotated[Path, typer.Argument(help="A folder with main.py, or one file.")],
    wait: Annotated[bool, typer.Option(help="Wait for the grade and show it.")] = True,
    url: Annotated[str | None, typer.Option(help="Server; default GRADER_API_URL.")] = None,
    token: Annotated[
        str | None, typer.Option(help="Access token or API key; default GRADER_API_TOKEN.")
    ] = None,
) -> None:
    """Submit an answer to a running server and, by default, wait for its grade."""
    from rich.live import Live
    from rich.spinner import Spinner

    from grader.client import ClientError, GraderClient

    settings = get_settings()
    secret = token or (settings.api_token.get_secret_value() if settings.api_token else None)
    if not secret:
        raise _fail("no credentials: pass --token (or set GRADER_API_TOKEN)")
    try:
        files = submission_files(path)
        with GraderClient(url or settings.api_url, secret) as client:
            created = client.submit(challenge, files)
            console.print(f"submission [bold]{created['id']}[/] queued")
            if not wait:
                return
            spinner = Spinner("dots", text=f"submission {created['id']}: queued")
            with Live(spinner, console=err_console, transient=True):
                final = client.wait(
                    created["id"],
                    lambda s: spinner.update(
                        text=f"submission {s['id']}: {s['status']} (attempt {s['attempts']})"
                    ),
                    poll=2.0,
                )
    except (ChallengeError, ClientError) as exc:
        raise _fail(str(exc)) from exc
    if final["status"] == "error" or final.get("result") is None:
        raise _fail(f"grading failed: {final.get('error')}")
    render_result(GradeResult.model_validate(final["result"]))

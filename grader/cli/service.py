"""Running the service: `grader db upgrade`, `grader serve`, `grader worker`, `grader up`."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.text import Text

from grader.cli.output import console, err_console, fail
from grader.config import child_environment, get_settings
from grader.db.migrate import upgrade
from grader.db.session import get_sessionmaker
from grader.services.challenges import sync_catalog
from grader.services.question_bank import sync_bank
from grader.supervisor import grader_command, start_redis, supervise, terminate
from grader.worker_pool import run_worker_pool
from worker.sandbox import SandboxError

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def migrate() -> None:
    """Apply migrations, then load the challenge catalog into the database."""
    settings = get_settings()
    upgrade(settings.database_url)
    with get_sessionmaker(settings.database_url)() as session:
        report = sync_catalog(session, settings.challenges_dir)
        sync_bank(session, settings.questions_dir)
    for slug, problem in report.broken.items():
        err_console.print(Text.assemble((f"challenge {slug} skipped:", "yellow"), " ", problem))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations, then load the challenge catalog into the database."""
    migrate()
    console.print("database is up to date")


def serve(
    host: Annotated[str | None, typer.Option(help="Default: GRADER_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: GRADER_PORT.")] = None,
) -> None:
    """Run the HTTP API (uvicorn)."""
    settings = get_settings()
    uvicorn.run(
        "grader.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


def worker(
    count: Annotated[
        int | None, typer.Option(help="Worker processes; default GRADER_WORKER_COUNT.")
    ] = None,
) -> None:
    """Run rq workers on the `grading` queue, and the reaper; Ctrl-C lets gradings finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    try:
        run_worker_pool(settings, count or settings.worker_count)
    except SandboxError as exc:
        raise fail(str(exc)) from exc


def up(
    port: Annotated[int | None, typer.Option(help="Default: GRADER_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: GRADER_WORKER_COUNT.")] = None,
) -> None:
    """Everything on one machine: migrations, a private Redis (unless GRADER_REDIS_URL is set),
    the API and the workers. Ctrl-C stops them all."""
    settings = get_settings()
    child_env = child_environment(GRADER_DATABASE_URL=settings.database_url)
    if "secret_key" not in settings.model_fields_set:
        child_env["GRADER_SECRET_KEY"] = secrets.token_urlsafe(32)
    redis_process = None
    if "redis_url" not in settings.model_fields_set:
        try:
            redis_process, url = start_redis(Path("var"))
        except RuntimeError as exc:
            raise fail(str(exc)) from exc
        child_env["GRADER_REDIS_URL"] = url
        console.print(f"private Redis at {url}")
    try:
        migrate()
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

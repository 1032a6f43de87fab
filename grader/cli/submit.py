"""`grader submit`: send an answer to a running server and wait for its grade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from grader.cli.grading import submission_files
from grader.cli.output import console, err_console, fail, render_result
from grader.client import ClientError, GraderClient
from grader.config import get_settings
from worker.challenge import ChallengeError
from worker.result import GradeResult


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
    settings = get_settings()
    secret = token or (settings.api_token.get_secret_value() if settings.api_token else None)
    if not secret:
        raise fail("no credentials: pass --token (or set GRADER_API_TOKEN)")
    try:
        files = submission_files(path)
        with GraderClient(url or settings.api_url, secret) as client:
            created = client.submit(challenge, files)
            console.print(Text.assemble("submission ", (str(created["id"]), "bold"), " queued"))
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
        raise fail(str(exc)) from exc
    if final["status"] == "error" or final.get("result") is None:
        raise fail(f"grading failed: {final.get('error')}")
    render_result(GradeResult.model_validate(final["result"]))

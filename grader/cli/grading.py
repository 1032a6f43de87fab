"""`grader grade`: grade one answer in the sandbox, with no server or queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from grader.cli.output import err_console, fail, render_result, spinner
from grader.config import get_settings
from grader.engine import configured_sandbox
from worker.challenge import ChallengeError, Files, load_challenge, read_files, resolve_challenge
from worker.result import Verdict
from worker.sandbox import Sandbox, SandboxError, sweep


def sandbox_for_cli() -> Sandbox:
    """The configured sandbox, after sweeping leftovers of earlier runs."""
    sandbox = configured_sandbox(get_settings())
    sweep(sandbox.client)
    return sandbox


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

    Exits 0 whatever the verdict, 2 when its input is wrong, 3 if grading itself could not run.
    """
    try:
        spec = load_challenge(resolve_challenge(challenge, get_settings().challenges_dir))
        files = submission_files(path)
        sandbox = sandbox_for_cli()
        if json_output:
            result = sandbox.grade(spec, files)
        else:
            with spinner() as progress:
                progress.add_task(f"grading {path} against {spec.slug}", total=None)
                result = sandbox.grade(spec, files)
    except (ChallengeError, SandboxError) as exc:
        raise fail(str(exc)) from exc
    if json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        render_result(result)
    if result.verdict is Verdict.INTERNAL_ERROR:
        err_console.print(
            Text.assemble(("grading could not run", "bold red"), ": ", result.error or "")
        )
        raise typer.Exit(code=3)

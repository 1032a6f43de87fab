"""What every command prints: consoles, the error line, spinners, a result as a table.

Candidate-supplied text (test messages, logs, errors) is printed literally: never read as Rich
markup, and with terminal control characters removed."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from worker.result import GradeResult, Outcome, Verdict

#: Wide enough for the tables when the output goes to a file or a CI log (Rich's default is 80).
_WIDTH = None if sys.stdout.isatty() else 140
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)

VERDICT_STYLE = {
    Verdict.PASSED: "bold green",
    Verdict.FAILED: "bold yellow",
    Verdict.INTERNAL_ERROR: "bold magenta",
}


def fail(message: str) -> typer.Exit:
    """Print `error: message` on stderr; raise the returned exit (code 2: bad input)."""
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    return typer.Exit(code=2)


def spinner() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def render_result(result: GradeResult) -> None:
    table = Table(show_lines=False)
    table.add_column("test")
    table.add_column("outcome")
    table.add_column("points", justify="right")
    table.add_column("message", overflow="fold")
    for test in result.tests:
        style = "green" if test.outcome is Outcome.PASSED else "red"
        table.add_row(
            Text(test.name),
            Text(test.outcome.value, style=style),
            Text(f"{test.points}/{test.max_points}"),
            Text(test.message),
        )
    if result.tests:
        console.print(table)
    console.print(
        Text.assemble(
            (result.verdict.value, VERDICT_STYLE.get(result.verdict, "bold red")),
            f"  score {result.score}/{result.max_score}  in {result.duration_ms / 1000:.2f} s",
        )
    )
    if result.error:
        console.print(Text(result.error, style="red"))

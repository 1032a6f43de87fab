"""The `grader` command: one module per group of commands."""

from __future__ import annotations

import typer

from grader.cli import (
    assessments,
    challenges,
    grading,
    questions,
    sandbox,
    service,
    submit,
    users,
)

app = typer.Typer(
    help="interview-grader: grade FastAPI answers in locked-down sandboxes.", no_args_is_help=True
)
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(challenges.app, name="challenges")
app.add_typer(users.app, name="users")
app.add_typer(assessments.app, name="assessments")
app.add_typer(questions.app, name="questions")
app.add_typer(service.db_app, name="db")
app.command()(grading.grade)
app.command()(submit.submit)
for command in (service.serve, service.worker, service.up):
    app.command()(command)

__all__ = ["app"]

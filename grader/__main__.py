"""`python -m grader` is the `grader` command (used to start child processes)."""

from grader.cli import app

app(prog_name="grader")

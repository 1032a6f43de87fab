"""The `grader` command's answers to bad input: one clear line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from grader.cli import app

runner = CliRunner()


def test_a_submission_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_bytes("# café\nfrom fastapi import FastAPI\n".encode("latin-1"))
    result = runner.invoke(app, ["grade", "hello-world", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "main.py: not UTF-8 text" in lines[0], result.output
    assert "Traceback" not in result.output


def test_a_missing_submission_or_challenge_is_refused_in_one_line(tmp_path: Path) -> None:
    for args in (["grade", "hello-world", str(tmp_path / "nope")], ["grade", "no-such", "."]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and result.output.startswith("error: "), result.output

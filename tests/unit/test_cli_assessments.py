"""`grader assessments ...` and `grader questions ...` against a temporary SQLite database
(GRADER_DATABASE_URL), driven by typer's CliRunner."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from grader.cli import app
from grader.config import REPO_ROOT, get_settings
from grader.db.migrate import upgrade
from grader.db.models import Assessment, AssessmentStatus, Invitation
from grader.db.session import get_engine, get_sessionmaker
from grader.services.challenges import store_version
from worker.challenge import load_challenge

runner = CliRunner()
SAMPLE = REPO_ROOT / "assessments" / "fastapi-backend-screen.toml"
SLUG = "fastapi-backend-screen"
PUBLIC_URL = "https://hire.example.com"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding the sample assessment's three challenges (as the service
    syncs them at start-up), made once and copied by each test."""
    path = tmp_path_factory.mktemp("cli") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    with get_sessionmaker(url)() as session:
        for slug in ("crud-items", "pydantic-validation", "jwt-login"):
            store_version(session, load_challenge(REPO_ROOT / "challenges" / slug))
        session.commit()
    get_engine(url).dispose()
    return path


@pytest.fixture
def database(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A copy of the template, named by the environment as a deployment would."""
    with sqlite3.connect(template) as source, sqlite3.connect(tmp_path / "cli.db") as copy:
        source.backup(copy)
    source.close()
    copy.close()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("GRADER_DATABASE_URL", url)
    monkeypatch.setenv("GRADER_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_create_publish_invite_and_report_the_sample_assessment(database: str) -> None:
    created = runner.invoke(app, ["assessments", "create", str(SAMPLE), "--publish"])
    assert created.exit_code == 0, created.output
    assert f"created {SLUG} (published, 13 items): FastAPI backend screen" in created.output
    with get_sessionmaker(database)() as session:
        assessment = session.scalars(select(Assessment)).one()
        assert assessment.status is AssessmentStatus.PUBLISHED
        assert sum(item.weight for item in assessment.items) == 100
        assert all(item.challenge_version_id for item in assessment.items[:3])
        assert all(item.question for item in assessment.items[3:])
    kept = runner.invoke(app, ["assessments", "create", str(SAMPLE), "--exists-ok"])
    assert kept.exit_code == 0 and kept.output.startswith("exists: "), kept.output
    taken = runner.invoke(app, ["assessments", "create", str(SAMPLE)])
    assert taken.exit_code == 2 and "is taken" in taken.output, taken.output

    invited = runner.invoke(
        app, ["assessments", "invite", SLUG, "--name", "Ada <Lovelace>", "--email", "ada@x.org"]
    )
    assert invited.exit_code == 0, invited.output
    lines = invited.output.strip().splitlines()
    assert lines[0].startswith("invitation ") and "Ada <Lovelace>" in lines[0]
    link = lines[-1]
    assert link.startswith(f"{PUBLIC_URL}/take/inv_")
    token = link.rsplit("/", 1)[1]
    with get_sessionmaker(database)() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert (invitation.candidate_name, invitation.candidate_email) == (
            "Ada <Lovelace>",
            "ada@x.org",
        )

    exported = runner.invoke(app, ["assessments", "report", SLUG, "--csv"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == 1
    assert (rows[0]["candidate"], rows[0]["status"], rows[0]["email"]) == (
        "Ada <Lovelace>",
        "invited",
        "ada@x.org",
    )
    assert [f"item_{n}" in rows[0] for n in range(1, 14)] == [True] * 13
    table = runner.invoke(app, ["assessments", "report", SLUG])
    assert table.exit_code == 0 and "Ada <Lovelace>" in table.output, table.output
    listed = runner.invoke(app, ["assessments", "list"])
    assert listed.exit_code == 0 and SLUG in listed.output


def test_assessment_commands_refuse_bad_input_in_one_line(database: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('slug = "x"\ntitle = "X"\n[[items]]\nchallenge = "no-such"\nweight = 100\n')
    not_toml = tmp_path / "not.toml"
    not_toml.write_text("slug = \n")
    for args in (
        ["assessments", "create", str(broken)],
        ["assessments", "create", str(not_toml)],
        ["assessments", "create", str(tmp_path / "missing.toml")],
        ["assessments", "invite", "nope", "--name", "x"],
        ["assessments", "report", "nope", "--csv"],
        ["assessments", "publish", "nope"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and "Traceback" not in result.output, args
    # A draft cannot be invited to.
    draft = runner.invoke(app, ["assessments", "create", str(SAMPLE)])
    assert draft.exit_code == 0 and "(draft, 13 items)" in draft.output
    refused = runner.invoke(app, ["assessments", "invite", SLUG, "--name", "x"])
    assert refused.exit_code == 2 and "publish it first" in refused.output


def test_questions_grade_prints_each_proposed_score_as_json(tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    lines = [
        {"question": "core-idempotent-mc", "answer": [3, 0, 2]},
        {"question": "core-idempotent-mc", "answer": [0, 1, 2, 3]},
        {"question": "core-idempotent-mc", "answer": 1},
        {
            "question": "basics-asgi",
            "answer": "It is the async successor of WSGI: the interface between asynchronous "
            "servers and Python applications, with websockets. FastAPI is an ASGI app run "
            "by Uvicorn.",
        },
        {"question": "basics-asgi", "answer": ""},
        {"question": "basics-asgi", "answer": "A database driver for PostgreSQL."},
    ]
    answers.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    result = runner.invoke(app, ["questions", "grade", str(answers), "--json"])
    assert result.exit_code == 0, result.output
    graded = [json.loads(line) for line in result.output.splitlines()]
    assert [g["line"] for g in graded] == [1, 2, 3, 4, 5, 6]
    assert [(g["points"], g["max_points"]) for g in graded[:3]] == [(2, 2), (0, 2), (0, 2)]
    assert [g["correct"] for g in graded[:3]] == [True, False, False]
    assert all(g["explanation"] for g in graded[:3])
    right, empty, wrong = graded[3:]
    assert (right["kind"], right["points"], right["max_points"]) == ("short_answer", 6, 6)
    assert len(right["matched"]) == 3 and all(m["phrasing"] for m in right["matched"])
    assert sum(m["points"] for m in right["matched"]) == 6
    for low in (empty, wrong):
        assert low["points"] * 3 <= low["max_points"], low
        assert any(m["phrasing"] is None for m in low["matched"])
    text = runner.invoke(app, ["questions", "grade", str(answers)])
    assert text.exit_code == 0 and "basics-asgi  6/6" in text.output, text.output


def test_questions_grade_refuses_a_bad_line_and_prints_nothing(tmp_path: Path) -> None:
    for bad in (
        '{"question": "no-such", "answer": 1}',
        '{"question": "core-idempotent-mc", "answer": "GET"}',
        '{"question": "core-idempotent-mc", "answer": 9}',
        '{"question": "basics-asgi", "answer": 3}',
        '{"question": "basics-asgi"}',
        "not json",
    ):
        answers = tmp_path / "answers.jsonl"
        answers.write_text('{"question": "core-idempotent-mc", "answer": 0}\n' + bad + "\n")
        result = runner.invoke(app, ["questions", "grade", str(answers), "--json"])
        assert result.exit_code == 2, (bad, result.output)
        assert result.output.startswith(f"error: {answers}:2: "), (bad, result.output)
        assert '"line"' not in result.output


def test_questions_list_prints_the_bank() -> None:
    result = runner.invoke(app, ["questions", "list", "--section", "1"])
    assert result.exit_code == 0, result.output
    assert "basics-asgi" in result.output and "short_answer" in result.output
    assert "core-idempotent-mc" not in result.output  # section 2

"""Hostile answers that try to raise a score, blame the grader or break what others see: each
class gets the verdict the app's behaviour deserves, never `internal_error`."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import HERE, catalog, submission
from worker.challenge import load_challenge
from worker.result import Outcome, Verdict
from worker.sandbox import Sandbox

pytestmark = pytest.mark.docker

HOSTILE = load_challenge(HERE / "challenges" / "hostile")
LEAK_TEST = "test_hostile.py::test_register_does_not_reveal_the_password"
DATA_TEST = "test_hostile.py::test_notes_are_rows_of_the_database"
ROOT_TEST = "test_hello.py::test_root_returns_hello_world"


def outcome_of(result: object, name: str) -> tuple[Outcome, str]:
    test = next(t for t in result.tests if t.name == name)  # type: ignore[attr-defined]
    return test.outcome, test.message


def test_the_hostile_challenges_reference_passes(sandbox: Sandbox) -> None:
    result = sandbox.grade(HOSTILE, HOSTILE.solution)
    assert result.verdict is Verdict.PASSED and result.score == 100, result


@pytest.mark.parametrize("name", ["leak_charset", "leak_utf16", "leak_json_escapes"])
def test_a_leaked_secret_is_caught_however_the_app_encodes_it(sandbox: Sandbox, name: str) -> None:
    result = sandbox.grade(HOSTILE, submission(name))
    assert (result.verdict, result.score) == (Verdict.FAILED, 50), result
    outcome, message = outcome_of(result, LEAK_TEST)
    assert outcome is Outcome.FAILED
    # UTF-16 JSON is refused before the leak check: JSON is UTF-8, whatever the app says.
    assert message.startswith(
        "the response body is not UTF-8" if name == "leak_utf16" else "the response contains"
    ), message


@pytest.mark.parametrize("name", ["sqlite_blob_view", "sqlite_endless_view"])
def test_reading_the_apps_database_is_bounded_and_fails_only_that_test(
    sandbox: Sandbox, name: str
) -> None:
    result = sandbox.grade(HOSTILE, submission(name))
    assert (result.verdict, result.score) == (Verdict.FAILED, 50), result
    outcome, message = outcome_of(result, DATA_TEST)
    assert outcome is Outcome.FAILED
    assert "database" in message or "rows" in message, message


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_fails_its_test_and_blames_nobody_else(
    sandbox: Sandbox, encoding: str
) -> None:
    files = submission("compression_bomb")
    files["main.py"] = files["main.py"].replace('ENCODING = "gzip"', f'ENCODING = "{encoding}"')
    result = sandbox.grade(catalog("hello-world"), files)
    assert (result.verdict, result.score) == (Verdict.FAILED, 60), result
    outcome, message = outcome_of(result, ROOT_TEST)
    assert outcome is Outcome.FAILED and "once decompressed" in message


def test_a_trickling_body_is_cut_at_the_requests_total_deadline(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world", time_seconds=25), submission("trickle"))
    assert (result.verdict, result.score) == (Verdict.FAILED, 60), result
    outcome, message = outcome_of(result, ROOT_TEST)
    assert outcome is Outcome.FAILED and "did not answer within 3 s" in message
    assert result.duration_ms < 15_000  # one request's deadline, not the wall clock


def test_unprintable_text_from_the_app_is_made_printable(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("unprintable_text"))
    assert result.verdict is Verdict.FAILED and result.score == 60
    document = result.model_dump_json()  # a lone surrogate could not be encoded
    json.loads(document)
    texts = [result.log, *(t.message for t in result.tests)]
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert "log line with escapes" in result.log


def test_data_is_not_executable_in_the_app_container(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("exec_from_data"))
    assert result.verdict is Verdict.PASSED, result
    line = next(line for line in result.log.splitlines() if line.startswith("exec-from-data:"))
    assert "elf=DENIED(13)" in line and "script=DENIED(13)" in line, line
    mount_options = line.split("| mount:")[1]
    for flag in ("noexec", "nosuid", "nodev"):
        assert flag in mount_options, line

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


#: Wraps a right answer (moved to `reference_app.py`): every JSON object it answers to
#: POST /register also echoes the request's password, in plain UTF-8 under a misleading
#: charset. The grader must read the leak, not the label.
LEAKY_WRAPPER = """
import json

from reference_app import app as reference

CHARSET = "CHARSET"


async def app(scope, receive, send):
    if scope["type"] != "http" or scope["path"] != "/register":
        await reference(scope, receive, send)
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    request = b"".join(chunks)
    try:
        password = json.loads(request)["password"]
    except (ValueError, KeyError, TypeError):
        password = ""
    replayed = False

    async def replay():
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": request, "more_body": False}

    start, body = {}, []

    async def capture(message):
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            body.append(message.get("body", b""))

    await reference(scope, replay, capture)
    content = b"".join(body)
    try:
        document = json.loads(content)
        document["echo"] = password
        content = json.dumps(document).encode()
    except (ValueError, TypeError):
        pass
    headers = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"content-type")]
    headers += [
        (b"content-length", str(len(content)).encode()),
        (b"content-type", f"application/json; charset={CHARSET}".encode()),
    ]
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": content})
"""


@pytest.mark.parametrize("slug", ["pydantic-validation", "jwt-login"])
@pytest.mark.parametrize("charset", ["cp037", "utf-7"])
def test_a_right_answer_that_leaks_the_password_never_scores_full_marks(
    sandbox: Sandbox, slug: str, charset: str
) -> None:
    """The catalog's leak checks, against the charset trick that once lifted such answers to
    100: the reference, plus the password echoed in every /register answer."""
    challenge = catalog(slug)
    files = {
        ("reference_app.py" if k == "main.py" else k): v for k, v in challenge.solution.items()
    }
    files["main.py"] = LEAKY_WRAPPER.replace('"CHARSET"', repr(charset))
    result = sandbox.grade(challenge, files)
    assert result.verdict is Verdict.FAILED and result.score < 100, result
    assert any("password" in t.message for t in result.tests if t.outcome is Outcome.FAILED)

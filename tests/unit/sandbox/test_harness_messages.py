"""The harness's text for candidates: load errors and failure messages without test source."""

import json

import httpx
import pytest

from worker.sandbox.harness.app_runner import describe_load_error
from worker.sandbox.harness.plugin import describe_failure


def test_syntax_error_names_file_and_line() -> None:
    try:
        compile("x = (\n", "/app/main.py", "exec")
    except SyntaxError as exc:
        text = describe_load_error(exc)
    assert text.startswith("main.py, line 1: SyntaxError: ")


def test_runtime_error_names_the_innermost_candidate_frame() -> None:
    code = compile(
        "def f():\n    raise ValueError('bad config')\nf()\n", "/app/settings.py", "exec"
    )
    try:
        exec(code, {})
    except ValueError as exc:
        text = describe_load_error(exc)
    assert text == "settings.py, line 2: ValueError: bad config"


def test_assertion_message_keeps_values_and_drops_source_lines() -> None:
    rewritten = AssertionError(
        "GET / should answer 200\nassert 404 == 200\n +  where 404 = <Response [404]>.status_code"
    )
    text = describe_failure(rewritten, timeout=10)
    assert text == "GET / should answer 200\nassert 404 == 200"
    assert "status_code" not in text


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ReadTimeout("t"), "the app did not answer within 10 s"),
        (httpx.ConnectError("c"), "the app is not reachable"),
        (json.JSONDecodeError("x", "doc", 0), "the response body is not valid JSON"),
        (KeyError("id"), "a field is missing from the response: 'id'"),
    ],
)
def test_transport_and_shape_errors_read_as_api_behaviour(
    exc: BaseException, expected: str
) -> None:
    assert describe_failure(exc, timeout=10).startswith(expected)


def test_websocket_failures_read_as_api_behaviour() -> None:
    from websockets.exceptions import ConnectionClosedError
    from websockets.frames import Close

    closed = ConnectionClosedError(Close(1008, "policy"), None)
    assert describe_failure(closed, timeout=10) == "the app closed the WebSocket (code 1008)"
    assert describe_failure(TimeoutError(), timeout=10) == (
        "the app sent nothing on the WebSocket in time"
    )

"""pytest plugin loaded into the hidden suite's run: fixtures, the `points` marker, reporting.

Fixtures offered to suites:
- `client`: TestClient-style HTTP client bound to the candidate's app (see `client`).
- `restart_app`: a callable that restarts the app process (same files, same environment).
- `app_env`: the environment variables the app was given (e.g. `DATABASE_URL`).
- `data_dir`: the directory shared with the app (read-only here), e.g. for its SQLite file.
- `app_database`: `app_database(path)` opens a bounded private copy of an SQLite file the app
  wrote (see `data`); connections are closed after the test.
- `reveals`: `reveals(response, secret)` is true if the secret appears anywhere in the
  response, however encoded (see `checks`); leak checks use it, never `.text`.

Each test is reported as one event with a message written for the candidate: the assertion's
own message and values and the last requests made, never the test's source.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from . import checks, data
from .client import AppClient, ResponseTooLarge
from .protocol import (
    APP_HOST,
    APP_NOT_LISTENING,
    APP_PORT,
    DATA_DIR,
    AppReady,
    Collected,
    CollectedTest,
    Fatal,
    Message,
    Restarted,
    RestartRequest,
    TestReport,
    read_message,
    write_message,
)

MESSAGE_LIMIT = 1500
TRAIL_LENGTH = 4


@dataclass
class Channel:
    """The suite runner's link to the worker, set before pytest starts."""

    events: IO[bytes]
    commands: IO[bytes]
    env: dict[str, str]
    request_timeout: float
    response_limit: int
    startup_timeout: float
    trail: deque[str] = field(default_factory=lambda: deque(maxlen=TRAIL_LENGTH))

    def emit(self, message: Message) -> None:
        write_message(self.events, message)


CHANNEL: Channel | None = None


def channel() -> Channel:
    if CHANNEL is None:
        raise RuntimeError("the grader harness is not configured")
    return CHANNEL


def wait_for_app(timeout: float) -> bool:
    """True once something accepts connections on the app's port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((APP_HOST, APP_PORT), timeout=1):
                return True
        except OSError:
            time.sleep(0.02)
    return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points the test is worth (default 1)")
    config.addinivalue_line("markers", "rule(*ids): the prompt's rules the test checks")


@pytest.fixture
def client() -> Iterator[AppClient]:
    chan = channel()
    with AppClient(chan.request_timeout, chan.response_limit, chan.trail) as app_client:
        yield app_client


@pytest.fixture
def restart_app() -> Callable[[], None]:
    def restart() -> None:
        chan = channel()
        chan.emit(RestartRequest())
        reply = read_message(chan.commands)
        if not isinstance(reply, Restarted):
            raise RuntimeError(f"the app could not be restarted: {reply}")
        if not wait_for_app(chan.startup_timeout):
            raise RuntimeError("the app did not come back after a restart")
        chan.trail.append("(app restarted)")

    return restart


@pytest.fixture
def app_env() -> dict[str, str]:
    return dict(channel().env)


@pytest.fixture
def data_dir() -> Path:
    return Path(DATA_DIR)


@pytest.fixture
def app_database(tmp_path: Path) -> Iterator[Callable[[Path | str], sqlite3.Connection]]:
    opened: list[sqlite3.Connection] = []

    def open_database(path: Path | str) -> sqlite3.Connection:
        connection = data.open_database(Path(path), tmp_path)
        opened.append(connection)
        return connection

    yield open_database
    for connection in opened:
        connection.close()


@pytest.fixture
def reveals() -> Callable[[Any, str], bool]:
    return checks.reveals


def _assertion_text(exc: AssertionError) -> str:
    """The assertion's message and compared values, without pytest's source-quoting lines."""
    kept = []
    for line in str(exc).splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("+") or "Use -v to get" in stripped:
            continue
        if stripped.startswith(("Full diff", "where ")):
            break
        kept.append(line.rstrip())
    return "\n".join(kept) or "assertion failed"


def describe_failure(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, AssertionError):
        return _assertion_text(exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"the app did not answer within {timeout:g} s"
    if isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError, ConnectionError)):
        return "the app is not reachable (it may have crashed or closed the connection)"
    if isinstance(exc, ResponseTooLarge):
        return str(exc)
    if isinstance(exc, InvalidStatus):
        return f"the WebSocket handshake was refused (HTTP {exc.response.status_code})"
    if isinstance(exc, ConnectionClosed):
        return f"the app closed the WebSocket (code {exc.rcvd.code if exc.rcvd else 'none'})"
    if isinstance(exc, TimeoutError):
        return "the app sent nothing on the WebSocket in time"
    if isinstance(exc, json.JSONDecodeError):
        return "the response body is not valid JSON"
    if isinstance(exc, UnicodeDecodeError):
        return "the response body is not UTF-8 text (JSON must be)"
    if isinstance(exc, httpx.DecodingError):
        return "the response body's content encoding could not be decoded"
    if isinstance(exc, data.DataLimitExceeded):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"reading the app's database failed: {exc}"
    if isinstance(exc, KeyError):
        return f"a field is missing from the response: {exc}"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class _Outcome:
    outcome: str = "passed"
    message: str = ""


_outcomes: dict[str, _Outcome] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    state = _outcomes.setdefault(item.nodeid, _Outcome())
    if report.skipped and state.outcome == "passed":
        state.outcome = "skipped"
        state.message = "skipped"
    elif report.failed and state.outcome in ("passed", "skipped"):
        chan = channel()
        state.outcome = "failed" if call.when == "call" else "error"
        reason = (
            describe_failure(call.excinfo.value, chan.request_timeout)
            if call.excinfo is not None
            else "failed"
        )
        trail = "; ".join(chan.trail)
        text = f"{reason}\nlast requests: {trail}" if trail else reason
        state.message = text[:MESSAGE_LIMIT]


def pytest_runtest_setup(item: pytest.Item) -> None:
    channel().trail.clear()


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    state = _outcomes.get(nodeid, _Outcome(outcome="error", message="the test did not run"))
    channel().emit(TestReport(nodeid, state.outcome, _points.get(nodeid, 1), state.message))


_points: dict[str, int] = {}
_rules: dict[str, tuple[str, ...]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("points")
        _points[item.nodeid] = int(marker.args[0]) if marker and marker.args else 1
        _rules[item.nodeid] = tuple(
            str(rule) for mark in item.iter_markers("rule") for rule in mark.args
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Report the tests, then hold the run until the app listens."""
    chan = channel()
    chan.emit(
        Collected(
            tuple(
                CollectedTest(i.nodeid, _points[i.nodeid], _rules[i.nodeid]) for i in session.items
            )
        )
    )
    if not wait_for_app(chan.startup_timeout):
        chan.emit(Fatal(APP_NOT_LISTENING))
        pytest.exit("the app is not listening", returncode=3)
    chan.emit(AppReady())

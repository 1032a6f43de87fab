"""The wire protocol between the worker and the harness, declared once for both sides.

Messages are JSON objects, one per line, over the containers' stdin and stdout:
`{"event": "<name>", ...fields}`. Each message is a frozen dataclass below; `encode` and
`decode` are the only code that turns them into bytes and back. Standard library only: this
module runs inside the sandbox image too.

Worker -> app container: `AppInput`. Worker -> suite container: `SuiteInput`, then
`Restarted` after each `RestartRequest`. Suite container -> worker: `Ready`, `Collected`,
`AppReady`, one `TestReport` per test, `RestartRequest`, then `Done` (or `Fatal`).
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, fields
from typing import IO, Any, ClassVar

#: Where the candidate's files are written and imported from inside the app container.
APP_DIR = "/app"
#: Where the hidden suite is written inside the suite container (never in the app container).
SUITE_DIR = "/grader/suite"
#: A directory shared by both containers (app read-write, suite read-only), e.g. for SQLite.
DATA_DIR = "/data"
APP_HOST = "127.0.0.1"
APP_PORT = 8000

#: Exit code of the app runner when the candidate's app cannot be loaded.
EXIT_APP_LOAD_FAILED = 3
#: Prefix of the one line the app runner prints to stderr to say why loading failed.
APP_ERROR_MARKER = "@@interview-grader:app-error@@ "
#: The line the app runner prints once it has read the submission, before any of the
#: candidate's code runs: an app container that ends without it never had the submission.
APP_STARTED_MARKER = "@@interview-grader:app-started@@"
#: The one `Fatal.error` that is the app's doing: it never listened within the time limit.
APP_NOT_LISTENING = "app_not_listening"


class ProtocolError(ValueError):
    """A line that is not a well-formed message of this protocol."""


@dataclass(frozen=True)
class Message:
    """Base of every message; `name` is its `event` field on the wire."""

    name: ClassVar[str] = ""


# --- worker -> harness --------------------------------------------------------------------------
@dataclass(frozen=True)
class AppInput(Message):
    """The submission: files (relative POSIX path -> text) and the app's environment."""

    name: ClassVar[str] = "app_input"
    files: dict[str, str]
    env: dict[str, str]


@dataclass(frozen=True)
class SuiteInput(Message):
    """The hidden suite and how to run it."""

    name: ClassVar[str] = "suite_input"
    tests: dict[str, str]
    env: dict[str, str]
    request_timeout: float
    response_limit: int
    startup_timeout: float


@dataclass(frozen=True)
class Restarted(Message):
    """The app container was replaced (same files, environment and /data), as asked."""

    name: ClassVar[str] = "restarted"


# --- suite container -> worker ------------------------------------------------------------------
@dataclass(frozen=True)
class Ready(Message):
    """The suite runner's imports are done; it waits for its `SuiteInput`."""

    name: ClassVar[str] = "ready"


@dataclass(frozen=True)
class CollectedTest:
    name: str
    max_points: int
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collected(Message):
    """Every test of the suite, in order, with its points; sent before any test runs."""

    name: ClassVar[str] = "collected"
    tests: tuple[CollectedTest, ...]


@dataclass(frozen=True)
class AppReady(Message):
    """The app accepts connections: the tests start now."""

    name: ClassVar[str] = "app_ready"


@dataclass(frozen=True)
class TestReport(Message):
    """One test's outcome (passed, failed, error, skipped) and its message for the candidate."""

    __test__: ClassVar[bool] = False  # not a pytest class
    name: ClassVar[str] = "test"
    test: str
    outcome: str
    max_points: int
    message: str = ""


@dataclass(frozen=True)
class RestartRequest(Message):
    """A test asked for the app to be restarted; the runner waits for `Restarted`."""

    name: ClassVar[str] = "restart"


@dataclass(frozen=True)
class Done(Message):
    """pytest ended with `exit_code` (0: all passed, 1: some failed, else it could not run)."""

    name: ClassVar[str] = "done"
    exit_code: int


@dataclass(frozen=True)
class Fatal(Message):
    """The suite runner could not go on; `error` says why (`APP_NOT_LISTENING`, or ours)."""

    name: ClassVar[str] = "fatal"
    error: str


MESSAGES: dict[str, type[Message]] = {
    cls.name: cls
    for cls in (
        AppInput,
        SuiteInput,
        Restarted,
        Ready,
        Collected,
        AppReady,
        TestReport,
        RestartRequest,
        Done,
        Fatal,
    )
}

# Field types checked on decode; anything else is refused as malformed.
_SCALARS: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float)}


def encode(message: Message) -> bytes:
    body = {"event": message.name, **asdict(message)}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> Message:
    """The message a line holds; `ProtocolError` for anything else."""
    try:
        body = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {line[:200]!r}") from exc
    if not isinstance(body, dict):
        raise ProtocolError("a message must be a JSON object")
    cls = MESSAGES.get(str(body.pop("event", "")))
    if cls is None:
        raise ProtocolError(f"unknown message {line[:200]!r}")
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in body:
            if item.default is not MISSING:
                continue
            raise ProtocolError(f"{cls.name}: missing field {item.name!r}")
        values[item.name] = _check(cls.name, item.name, str(item.type), body[item.name])
    return cls(**values)


def _check(message: str, name: str, kind: str, value: Any) -> Any:
    if kind in _SCALARS:
        if isinstance(value, bool) or not isinstance(value, _SCALARS[kind]):
            raise ProtocolError(f"{message}.{name}: expected {kind}, got {type(value).__name__}")
        return float(value) if isinstance(value, int | float) and kind == "float" else value
    if kind == "dict[str, str]":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ProtocolError(f"{message}.{name}: expected an object of strings")
        return value
    if kind == "tuple[CollectedTest, ...]":
        if not isinstance(value, list):
            raise ProtocolError(f"{message}.{name}: expected a list")
        tests = []
        for entry in value:
            if not isinstance(entry, dict):
                raise ProtocolError(f"{message}.{name}: expected objects")
            rules = entry.get("rules", [])
            if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
                raise ProtocolError(f"{message}.{name}: rules must be strings")
            tests.append(
                CollectedTest(
                    _check(message, "test name", "str", entry.get("name")),
                    _check(message, "max_points", "int", entry.get("max_points")),
                    tuple(rules),
                )
            )
        return tuple(tests)
    raise ProtocolError(f"{message}.{name}: unsupported field type {kind}")  # pragma: no cover


def read_message(stream: IO[bytes]) -> Message:
    """The next message on `stream`; `EOFError` once the other side closed it."""
    line = stream.readline()
    if not line:
        raise EOFError("the worker closed the channel")
    return decode(line)


def write_message(stream: IO[bytes], message: Message) -> None:
    stream.write(encode(message))
    stream.flush()

"""Newline-delimited JSON between the worker and the harness (over container stdin/stdout)."""

from __future__ import annotations

import json
from typing import IO, Any

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


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def read_message(stream: IO[bytes]) -> dict[str, Any]:
    line = stream.readline()
    if not line:
        raise EOFError("the worker closed the channel")
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("a message must be a JSON object")
    return message


def write_message(stream: IO[bytes], message: dict[str, Any]) -> None:
    stream.write(encode(message))
    stream.flush()

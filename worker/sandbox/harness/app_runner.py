"""Serve the candidate's app on 127.0.0.1:8000 inside the app container.

Started before the submission is known (heavy imports done while waiting), it reads one
`AppInput` message from stdin, writes the files to /app, imports
`main.app` and runs uvicorn. Everything here runs as the candidate's uid: nothing in this
process is trusted by the grader, it only serves the candidate's own HTTP responses.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import NoReturn

# Imported before the submission arrives so that a warm container pays for them only once.
import fastapi  # noqa: F401
import pydantic  # noqa: F401
import starlette.applications  # noqa: F401
import uvicorn

from .protocol import (
    APP_DIR,
    APP_ERROR_MARKER,
    APP_HOST,
    APP_PORT,
    APP_STARTED_MARKER,
    EXIT_APP_LOAD_FAILED,
    AppInput,
    read_message,
)

BASE_ENV = {"PATH": "/opt/venv/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}


def fail(reason: str) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(f"\n{APP_ERROR_MARKER}{reason}\n")
    sys.stderr.flush()
    os._exit(EXIT_APP_LOAD_FAILED)


def write_files(files: dict[str, str], root: Path) -> None:
    for name, text in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            fail(f"refused file name {name!r}")
        target = root.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _candidate_location(tb: TracebackType | None) -> str:
    """`main.py, line 3` for the innermost frame in the candidate's files, or ''."""
    where = ""
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith(APP_DIR + "/"):
            where = f"{filename[len(APP_DIR) + 1 :]}, line {lineno}"
    return where


def describe_load_error(exc: BaseException) -> str:
    """One line a candidate can act on, e.g. `main.py, line 3: SyntaxError: invalid syntax`."""
    if isinstance(exc, SyntaxError):
        filename = exc.filename or "main.py"
        if filename.startswith(APP_DIR + "/"):
            filename = filename[len(APP_DIR) + 1 :]
        return f"{filename}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}"
    where = _candidate_location(exc.__traceback__)
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
    return f"{where}: {text}" if where else text


def load_app(files: dict[str, str], env: dict[str, str]) -> object:
    root = Path(APP_DIR)
    write_files(files, root)
    os.environ.clear()
    os.environ.update({**BASE_ENV, **env})
    os.chdir(root)
    sys.path.insert(0, APP_DIR)
    if "main.py" not in files:
        fail("no main.py in the submission")
    try:
        module = importlib.import_module("main")
    except SystemExit as exc:
        fail(f"main.py called exit({exc.code!r}) while being imported")
    except BaseException as exc:  # the candidate's code may raise anything
        fail(describe_load_error(exc))
    app = getattr(module, "app", None)
    if app is None:
        fail("main.py does not define `app` (expected `app = FastAPI()`)")
    if not callable(app):
        fail(f"main.app is a {type(app).__name__}, not an ASGI application")
    return app


def main() -> None:
    message = read_message(sys.stdin.buffer)
    if not isinstance(message, AppInput):
        fail(f"the grader sent {message.name!r} instead of the submission")
    sys.stderr.write(f"{APP_STARTED_MARKER}\n")
    sys.stderr.flush()
    # Nothing more comes on stdin: hand the candidate an empty one.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    app = load_app(dict(message.files), dict(message.env))
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=APP_HOST,
        port=APP_PORT,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        fail("the app failed during start-up (lifespan); see the log")


if __name__ == "__main__":
    main()

"""Run the hidden suite inside the suite container, against the app in the app container.

The suite container owns the network namespace the app container joins, so the suite reaches
the app on 127.0.0.1 while the candidate's code never sees this container's files or
processes. Its stdout carries only the events below; pytest's own output goes to stderr.

The messages, in order, are declared in `protocol`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePosixPath

# Imported before the suite arrives so that a warm container pays for them only once.
import httpx  # noqa: F401
import pytest

from . import plugin
from .protocol import SUITE_DIR, Done, Fatal, Ready, SuiteInput, read_message, write_message


def write_suite(files: dict[str, str], root: Path) -> None:
    for name, text in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"refused suite file name {name!r}")
        target = root.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def main() -> int:
    # Private copies of the worker's channels: pytest's capturing swaps fds 0-2 during tests.
    commands = os.fdopen(os.dup(0), "rb")
    events = os.fdopen(os.dup(1), "wb")
    # Anything else printed (pytest's report included) goes to stderr.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    write_message(events, Ready())  # imports done: a pool may count this slot
    try:
        message = read_message(commands)
        if not isinstance(message, SuiteInput):
            raise ValueError(f"expected the suite, got {message.name!r}")
        root = Path(SUITE_DIR)
        write_suite(message.tests, root)
        plugin.CHANNEL = plugin.Channel(
            events=events,
            commands=commands,
            env=dict(message.env),
            request_timeout=message.request_timeout,
            response_limit=message.response_limit,
            startup_timeout=message.startup_timeout,
        )
        # No third-party plugins (anyio's ships one): scanning entry points costs ~130 ms.
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        # Nor built-in ones a hidden suite has no use for (~15 ms of start-up); fixtures such as
        # tmp_path, tmpdir, monkeypatch, capsys and caplog stay.
        unused = ["cacheprovider", "warnings", "doctest", "junitxml", "pastebin", "stepwise"]
        unused += ["setuponly", "setupplan", "faulthandler", "debugging"]
        code = pytest.main(
            [
                str(root),
                "-p",
                "harness.plugin",
                *(arg for name in unused for arg in ("-p", f"no:{name}")),
                "-q",
                "--rootdir",
                str(root),
                "--import-mode=importlib",
            ]
        )
    except Exception as exc:  # report any harness failure as the grader's own fault
        write_message(events, Fatal(f"{type(exc).__name__}: {exc}"))
        return 0
    write_message(events, Done(int(code)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

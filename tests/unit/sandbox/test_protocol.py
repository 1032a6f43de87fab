"""The wire protocol: every message survives a round trip; anything else is refused."""

from __future__ import annotations

import pytest

from worker.sandbox.harness.protocol import (
    MESSAGES,
    AppInput,
    AppReady,
    Collected,
    CollectedTest,
    Done,
    Fatal,
    Message,
    ProtocolError,
    Ready,
    Restarted,
    RestartRequest,
    SuiteInput,
    TestReport,
    decode,
    encode,
)

EXAMPLES: list[Message] = [
    AppInput({"main.py": "app = 1\n"}, {"DATABASE_URL": "sqlite:////data/app.db"}),
    SuiteInput({"test_a.py": "def test(): pass\n"}, {}, 10.0, 4096, 30.0),
    Restarted(),
    Ready(),
    Collected((CollectedTest("test_a.py::test", 5, ("R1", "R2")), CollectedTest("b", 1))),
    AppReady(),
    TestReport("test_a.py::test", "failed", 5, "expected 200"),
    RestartRequest(),
    Done(1),
    Fatal("app_not_listening"),
]


def test_every_message_kind_has_an_example() -> None:
    assert {type(m) for m in EXAMPLES} == set(MESSAGES.values())


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.name)
def test_each_message_survives_a_round_trip(message: Message) -> None:
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode(line) == message


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"[1, 2]",
        b'{"event": "nope"}',
        b'{"no_event": 1}',
        b'{"event": "done"}',
        b'{"event": "done", "exit_code": "0"}',
        b'{"event": "done", "exit_code": true}',
        b'{"event": "test", "test": "a", "outcome": "passed", "max_points": 1.5}',
        b'{"event": "collected", "tests": [{"name": "a"}]}',
        b'{"event": "collected", "tests": [{"name": "a", "max_points": 1, "rules": [1]}]}',
        b'{"event": "app_input", "files": {"main.py": 1}, "env": {}}',
    ],
)
def test_anything_else_is_a_protocol_error(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


def test_an_optional_field_may_be_left_out() -> None:
    assert decode(b'{"event": "test", "test": "a", "outcome": "passed", "max_points": 1}') == (
        TestReport("a", "passed", 1, "")
    )

import json
import time
import uuid
from contextlib import ExitStack

import pytest


def _room(prefix="room"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _count(client, room):
    """The app's own count of clients in `room`, or None if GET /rooms/{room} is unusable."""
    try:
        response = client.get(f"/rooms/{room}")
        if response.status_code != 200:
            return None
        value = response.json().get("clients")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _wait_count(client, room, expected, timeout):
    """Poll GET /rooms/{room} until it reports `expected`; return the last value seen."""
    deadline = time.monotonic() + timeout
    value = _count(client, room)
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        value = _count(client, room)
    return value


def _connect(stack, client, path):
    try:
        return stack.enter_context(client.websocket_connect(path))
    except Exception as exc:  # the handshake was refused or failed
        raise AssertionError(
            f"could not open the WebSocket {path}: {type(exc).__name__}: {exc}"
        ) from None


def _join(stack, client, room, name=None, expected_count=None):
    """Connect to a room and wait until the app has registered the client.

    The wait uses GET /rooms/{room} when it works (tested separately); otherwise it waits a
    fixed, generous second, so that the broadcast tests never depend on the count endpoint.
    """
    path = f"/ws/rooms/{room}" + (f"?name={name}" if name is not None else "")
    ws = _connect(stack, client, path)
    if expected_count is not None and _wait_count(client, room, expected_count, 1.0) != expected_count:
        time.sleep(1.0)
    return ws


def _expect(ws, expected, who, timeout=None):
    try:
        got = ws.receive_json(timeout)
    except TimeoutError:
        if timeout is None:
            raise
        raise AssertionError(f"{who} should receive {expected}, but nothing came within {timeout} s") from None
    assert got == expected or (
        isinstance(got, dict) and all(got.get(k) == v for k, v in expected.items())
    ), f"{who} should receive {expected}, got {got!r}"


@pytest.mark.points(9)
@pytest.mark.rule("R1")
def test_echo_once(client):
    with ExitStack() as stack:
        ws = _connect(stack, client, "/ws/echo")
        ws.send_text("hello")
        got = ws.receive_text()
        assert got == "hello", f"/ws/echo should send 'hello' back unchanged, got {got!r}"


@pytest.mark.points(8)
@pytest.mark.rule("R1")
def test_echo_many_messages(client):
    messages = ["first", "ünïcødé 🚀", '{"not": "parsed"}', "", "  spaces  ", "last"]
    with ExitStack() as stack:
        ws = _connect(stack, client, "/ws/echo")
        for text in messages:
            ws.send_text(text)
            got = ws.receive_text()
            assert got == text, (
                f"/ws/echo should send every message back unchanged on the same connection: "
                f"sent {text!r}, got {got!r}"
            )


@pytest.mark.points(11)
@pytest.mark.rule("R2", "R3", "R8")
def test_sender_receives_its_own_broadcast(client):
    room = _room()
    with ExitStack() as stack:
        alice = _join(stack, client, room, "alice", expected_count=1)
        alice.send_json({"text": "hi everyone"})
        _expect(alice, {"room": room, "from": "alice", "text": "hi everyone"}, "the sender (alice)")


@pytest.mark.points(13)
@pytest.mark.rule("R2", "R3")
def test_broadcast_reaches_every_member(client):
    room = _room()
    with ExitStack() as stack:
        alice = _join(stack, client, room, "alice", expected_count=1)
        bob = _join(stack, client, room, "bob", expected_count=2)
        carol = _join(stack, client, room, "carol", expected_count=3)
        alice.send_json({"text": "meeting at noon"})
        expected = {"room": room, "from": "alice", "text": "meeting at noon"}
        _expect(bob, expected, "bob, in the same room as the sender alice,")
        _expect(carol, expected, "carol, in the same room as the sender alice,")
        carol.send_json({"text": "ok"})
        _expect(bob, {"room": room, "from": "carol", "text": "ok"}, "bob")


@pytest.mark.points(12)
@pytest.mark.rule("R4", "R8")
def test_rooms_are_isolated(client):
    red, blue = _room("red"), _room("blue")
    with ExitStack() as stack:
        ann = _join(stack, client, red, "ann", expected_count=1)
        ben = _join(stack, client, blue, "ben", expected_count=1)
        bea = _join(stack, client, blue, "bea", expected_count=2)
        ann.send_json({"text": "only for red"})
        got = ann.receive_json()
        assert isinstance(got, dict) and got.get("text") == "only for red", (
            f"the sender ann should receive her own broadcast, got {got!r}"
        )
        bea.send_json({"text": "only for blue"})
        got = ben.receive_json()
        assert isinstance(got, dict) and got.get("room") == blue and got.get("text") == "only for blue", (
            f"ben is in room {blue}: the next message he receives should be bea's 'only for blue' "
            f"(nothing from room {red}, nothing else), got {got!r}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R3", "R6")
def test_name_defaults_to_anonymous(client):
    room = _room()
    with ExitStack() as stack:
        listener = _join(stack, client, room, "listener", expected_count=1)
        nameless = _join(stack, client, room, None, expected_count=2)
        nameless.send_json({"text": "who am I"})
        _expect(
            listener,
            {"room": room, "from": "anonymous", "text": "who am I"},
            "a message from a client connected without ?name= should be from 'anonymous':",
        )


@pytest.mark.points(10)
@pytest.mark.rule("R3", "R7")
def test_invalid_messages_get_an_error(client):
    room = _room()
    with ExitStack() as stack:
        bob = _join(stack, client, room, "bob", expected_count=1)
        alice = _join(stack, client, room, "alice", expected_count=2)
        for bad in (
            "not json at all",
            "[1, 2, 3]",
            '"just a string"',
            json.dumps({"txt": "typo"}),
            json.dumps({"text": 42}),
            json.dumps({"text": None}),
        ):
            alice.send_text(bad)
            got = alice.receive_json()
            assert got == {"error": "invalid message"} or (
                isinstance(got, dict) and got.get("error") == "invalid message" and "text" not in got
            ), f"after sending {bad!r}, the sender should receive {{'error': 'invalid message'}}, got {got!r}"
        alice.send_json({"text": "still here"})
        _expect(
            bob,
            {"room": room, "from": "alice", "text": "still here"},
            "after invalid messages the connection stays open and nothing was broadcast, so bob",
        )


@pytest.mark.points(5)
@pytest.mark.rule("R5")
def test_broadcasts_keep_their_order(client):
    room = _room()
    texts = [f"message {i}" for i in range(8)]
    with ExitStack() as stack:
        reader = _join(stack, client, room, "reader", expected_count=1)
        writer = _join(stack, client, room, "writer", expected_count=2)
        for text in texts:
            writer.send_json({"text": text})
        got = []
        for _ in texts:
            message = reader.receive_json()
            got.append(message.get("text") if isinstance(message, dict) else message)
        assert got == texts, f"a room's broadcasts should arrive in order: expected {texts}, got {got}"


@pytest.mark.points(10)
@pytest.mark.rule("R9", "R10")
def test_room_count(client):
    room = _room()
    response = client.get(f"/rooms/{room}")
    assert response.status_code == 200, f"GET /rooms/{{room}} should answer 200, got {response.status_code}"
    assert response.json() == {"room": room, "clients": 0}, (
        f"a room nobody is in should report 0 clients, got {response.json()!r}"
    )
    with ExitStack() as stack:
        _join(stack, client, room, "a", expected_count=1)
        second = stack.enter_context(ExitStack())
        _join(second, client, room, "b", expected_count=2)
        value = _wait_count(client, room, 2, 3.0)
        assert value == 2, f"with 2 clients connected, GET /rooms/{room} should report 2, got {value!r}"
        second.close()
        value = _wait_count(client, room, 1, 5.0)
        assert value == 1, (
            f"after one of 2 clients disconnected, GET /rooms/{room} should report 1, got {value!r}"
        )
    value = _wait_count(client, room, 0, 5.0)
    assert value == 0, (
        f"after both clients disconnected, GET /rooms/{room} should report 0, got {value!r}"
    )


@pytest.mark.points(12)
@pytest.mark.rule("R8", "R9")
def test_chat_goes_on_after_a_member_leaves(client):
    room = _room()
    with ExitStack() as stack:
        alice = _join(stack, client, room, "alice", expected_count=1)
        bob = _join(stack, client, room, "bob", expected_count=2)
        leaving = ExitStack()
        _join(leaving, client, room, "carol", expected_count=3)
        leaving.close()
        value = _wait_count(client, room, 2, 5.0)
        if value is None:
            time.sleep(1.0)  # GET /rooms/{room} is unusable (tested on its own): just wait
        else:
            assert value == 2, (
                f"after carol disconnected, room {room} should have 2 clients, GET /rooms reports {value!r}"
            )
        alice.send_json({"text": "carol left"})
        expected = {"room": room, "from": "alice", "text": "carol left"}
        _expect(bob, expected, "after carol disconnected, bob")
        _expect(alice, expected, "after carol disconnected, the sender alice")


@pytest.mark.points(5)
@pytest.mark.rule("R3")
def test_any_string_text_is_broadcast(client):
    room = _room()
    with ExitStack() as stack:
        alice = _join(stack, client, room, "alice", expected_count=1)
        bob = _join(stack, client, room, "bob", expected_count=2)
        alice.send_json({"text": ""})
        empty = {"room": room, "from": "alice", "text": ""}
        _expect(bob, empty, 'an empty "text" is a valid message, so bob', timeout=3)
        _expect(alice, empty, 'an empty "text" is a valid message, so the sender alice', timeout=3)
        alice.send_json({"text": "with extras", "mood": "happy", "id": 7})
        _expect(
            bob,
            {"room": room, "from": "alice", "text": "with extras"},
            'other keys of a message are ignored: after alice sent {"text": "with extras", "mood": "happy", "id": 7}, bob',
            timeout=3,
        )

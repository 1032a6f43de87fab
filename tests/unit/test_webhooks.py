"""Webhook signatures, the URLs we agree to call, and the delivery log."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
from sqlalchemy.orm import Session

from grader.db.models import DeliveryStatus, utcnow
from grader.services import webhooks
from grader.services.webhooks import CallbackRefused, check_url, deliver, sign, verify

SECRET = "callback secret of at least thirty-two bytes"
BODY = b'{"id":1,"status":"completed","score":100}'


def test_a_signature_verifies_and_a_tampered_body_does_not() -> None:
    header = sign(SECRET, BODY, int(time.time()))
    assert verify(SECRET, BODY, header)
    assert not verify(SECRET, BODY.replace(b"100", b"0"), header)
    assert not verify("another secret of thirty-two bytes!!!", BODY, header)
    assert not verify(SECRET, BODY, "t=1,v1=00")


def test_an_old_signature_is_refused() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, int(time.time()) - 3600))


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "example.com/hook", "http://", "file:///etc/passwd"]
)
def test_only_http_urls_are_called(url: str) -> None:
    with pytest.raises(CallbackRefused):
        check_url(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://[2002:7f00:1::1]/",  # 6to4 of 127.0.0.1
        "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo of client 10.0.0.1
    ],
)
def test_internal_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(CallbackRefused, match="internal"):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "url", ["http://[64:ff9b::808:808]/", "http://[2002:808:808::1]/", "http://8.8.8.8/"]
)
def test_public_addresses_embedded_in_ipv6_are_accepted(url: str) -> None:
    assert check_url(url, allow_private=False) == url


def test_delivery_connects_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that resolves to a public address when checked and to loopback a moment later
    (DNS rebinding): the request still goes to the checked address, by IP literal."""
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    sent: list[httpx.Request] = []

    def send(self: httpx.Client, request: httpx.Request, **_: object) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204, request=request)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(httpx.Client, "send", send)
    deliver("https://hooks.example.com/grader", BODY, SECRET, allow_private=False)
    (request,) = sent
    assert request.url.host == "93.184.216.34"
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


class _Receiver(BaseHTTPRequestHandler):
    """Answers each POST with the next status code of `codes` (204 once they run out)."""

    codes: ClassVar[list[int]] = []
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(self.codes.pop(0) if self.codes else 204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.codes, _Receiver.bodies = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_delivery_is_retried_with_backoff_logged_and_given_up(
    session: Session, receiver: str
) -> None:
    _Receiver.codes = [500, 503, 500]
    event = {"event": "submission.completed", "submission": {"id": 1}}
    delivery = webhooks.new_delivery(session, event, receiver)
    session.commit()
    assert webhooks.lease_due(session) == [delivery.id]
    assert webhooks.lease_due(session) == [], "a leased delivery is handed to one job only"
    statuses = [webhooks.attempt(session, delivery.id, SECRET, True, 3) for _ in range(3)]
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.GAVE_UP]
    session.refresh(delivery)
    assert [(a.number, a.status_code) for a in delivery.attempts] == [(1, 500), (2, 503), (3, 500)]
    assert delivery.next_attempt_at is None and len(_Receiver.bodies) == 3
    again = webhooks.redeliver(session, delivery.id, requested_by=None)  # type: ignore[arg-type]
    assert webhooks.attempt(session, again.id, SECRET, True, 3) is DeliveryStatus.DELIVERED
    assert again.redelivery_of_id == delivery.id and again.delivered_at is not None
    body = json.loads(_Receiver.bodies[-1])
    assert body["event"] == "submission.completed" and body["delivery"] == again.id


def test_a_failed_attempt_is_due_again_only_after_its_backoff(
    session: Session, receiver: str
) -> None:
    _Receiver.codes = [500]
    delivery = webhooks.new_delivery(session, {"event": "submission.completed"}, receiver)
    session.commit()
    webhooks.attempt(session, delivery.id, SECRET, True, 5)
    session.refresh(delivery)
    assert delivery.next_attempt_at is not None
    wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=25) < wait <= webhooks.BACKOFF[0]
    assert webhooks.lease_due(session) == []
    assert webhooks.lease_due(session, now=utcnow() + webhooks.BACKOFF[0]) == [delivery.id]

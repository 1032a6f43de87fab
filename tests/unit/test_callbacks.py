"""Callback signatures and the URLs we agree to call."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from grader.services.callbacks import CallbackRefused, check_url, deliver, sign, verify

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

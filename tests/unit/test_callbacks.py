"""Callback signatures and the URLs we agree to call."""

from __future__ import annotations

import time

import pytest

from grader.services.callbacks import CallbackRefused, check_url, sign, verify

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
    ],
)
def test_internal_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(CallbackRefused, match="internal"):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True) == url

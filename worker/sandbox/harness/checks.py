"""Checks a hidden suite makes on what the app sent, robust to how the app chose to encode it.

`reveals(response, secret)` is the one way a suite checks that a secret (a password, a hash, a
token) does not appear in a response: a plain `secret not in response.text` misses a secret
the app encodes in UTF-16, escapes in JSON (`"\\u0070assword"`), puts in an HTML entity or a
header, or hides behind a misleading charset. Standard library only: it runs in the sandbox.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import html
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any, Protocol

#: Encodings a body is read in, each at every byte offset its code unit allows.
_ENCODINGS = (
    ("utf-8", 1),
    ("latin-1", 1),
    ("utf-16-le", 2),
    ("utf-16-be", 2),
    ("utf-32-le", 4),
    ("utf-32-be", 4),
)


class _Response(Protocol):
    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Any: ...


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _unescaped(text: str) -> str:
    try:
        return codecs.decode(text, "unicode_escape", errors="ignore")
    except (UnicodeError, ValueError):
        return ""


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def readings(body: bytes, charset: str | None = None) -> Iterator[str]:
    """The body read every plausible way: decoded in each encoding (and the declared one),
    then as is, HTML-unescaped, URL-unquoted, backslash-unescaped and, when it parses, as the
    strings of its JSON document."""
    texts: list[str] = []
    encodings = list(_ENCODINGS)
    if charset:
        with contextlib.suppress(LookupError):
            encodings.append((codecs.lookup(charset).name, 1))
    for encoding, unit in encodings:
        for offset in range(unit):
            texts.append(body[offset:].decode(encoding, errors="ignore"))
    for text in texts:
        yield text
        yield html.unescape(text)
        yield urllib.parse.unquote(text)
        yield _unescaped(text)
        yield from _strings(_parsed(text))


def forms(secret: str) -> set[str]:
    """The secret as is and in the encodings an app might wrap it in."""
    raw = secret.encode("utf-8")
    found = {secret, raw.hex(), urllib.parse.quote(secret, safe="")}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        found.add(encoded.decode())
        found.add(encoded.decode().rstrip("="))
    return {form for form in found if form}


def reveals(response: _Response, secret: str) -> bool:
    """True if `secret` can be read anywhere in the response: body or headers, in any form."""
    wanted = forms(secret)
    headers = getattr(response, "headers", {})
    charset = None
    content_type = headers.get("content-type", "") if headers else ""
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"')
    sources = [*readings(response.content, charset)]
    if headers:
        sources += [f"{name}: {value}" for name, value in headers.items()]
    return any(form in text for text in sources for form in wanted)

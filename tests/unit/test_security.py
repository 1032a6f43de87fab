"""Passwords, tokens and API keys."""

from __future__ import annotations

from datetime import timedelta

from grader import security

SECRET = "a test secret of thirty-two bytes or more"


def test_password_hash_verifies_only_the_password() -> None:
    hashed = security.hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert security.verify_password("correct horse", hashed)
    assert not security.verify_password("wrong horse", hashed)
    assert not security.verify_password("anything", None)


def test_token_round_trip_and_rejections() -> None:
    token = security.create_access_token(42, SECRET, timedelta(minutes=5))
    assert security.decode_access_token(token, SECRET) == 42
    assert security.decode_access_token(token, "another secret of 32 bytes or more!!") is None
    assert security.decode_access_token(token + "x", SECRET) is None
    expired = security.create_access_token(42, SECRET, timedelta(seconds=-1))
    assert security.decode_access_token(expired, SECRET) is None


def test_api_keys_are_stored_as_hashes() -> None:
    new = security.generate_api_key()
    assert new.key.startswith(security.API_KEY_PREFIX)
    assert new.key not in new.key_hash
    assert security.api_key_matches(new.key, new.key_hash)
    assert not security.api_key_matches(new.key + "x", new.key_hash)

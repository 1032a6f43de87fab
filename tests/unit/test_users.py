"""User names: the pattern holds for the whole name (a trailing newline included)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from grader.db.models import Role
from grader.errors import InvalidInput
from grader.services.users import create_user


@pytest.mark.parametrize("name", ["ab\n", "a", "-ab", "a b", "ab\x00", "x" * 65])
def test_bad_usernames_are_refused(session: Session, name: str) -> None:
    with pytest.raises(InvalidInput):
        create_user(session, name, "password123", Role.CANDIDATE)


@pytest.mark.parametrize("name", ["ab", "dana.o-neil@example.org", "x" * 64])
def test_good_usernames_are_accepted(session: Session, name: str) -> None:
    assert create_user(session, name, "password123", Role.CANDIDATE).username == name

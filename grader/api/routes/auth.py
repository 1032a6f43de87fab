"""Log in: OAuth2 password flow -> JWT access token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from grader.api.deps import SessionDep, SettingsDep
from grader.api.schemas import Token, error_responses
from grader.security import create_access_token
from grader.services.users import authenticate

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", responses=error_responses(400, 401, 422))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    lifetime = timedelta(minutes=settings.access_token_minutes)
    token = create_access_token(user.id, settings.secret_key.get_secret_value(), lifetime)
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))

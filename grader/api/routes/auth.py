"""Log in: OAuth2 password flow -> JWT access token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from grader.api.deps import CurrentPrincipal, LimiterDep, SessionDep, SettingsDep
from grader.api.schemas import PasswordChange, Token, error_responses
from grader.security import create_access_token
from grader.services.users import authenticate, change_password

router = APIRouter(prefix="/auth", tags=["auth"])


def login_subject(username: str) -> str:
    """Attempts are counted per username (any case), wherever they come from: guessing one
    account's password is slowed even from many addresses."""
    return f"login:{username.strip().lower()[:64]}"


@router.post("/token", responses=error_responses(400, 401, 422, 429, 503))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> Token:
    """A bearer token for a username and password (at most
    `GRADER_LOGIN_ATTEMPTS_PER_MINUTE` attempts per username a minute)."""
    limiter.hit(login_subject(form.username), settings.login_attempts_per_minute, "log-in attempts")
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


@router.post(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 422)
)
def change_own_password(
    body: PasswordChange, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Change your own password (the current one first). API keys have none."""
    if principal.user_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "API keys have no password")
    change_password(session, principal.user_id, body.current_password, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Admin: API keys and users."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from grader.api.deps import AdminUser, RowId, SessionDep
from grader.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    UserCreate,
    UserOut,
    error_responses,
)
from grader.db.models import ApiKey, User
from grader.services import users

router = APIRouter(tags=["admin"], responses=error_responses(401, 403))


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 422))
def create_api_key(body: ApiKeyCreate, admin: AdminUser, session: SessionDep) -> ApiKeyCreated:
    key, secret = users.create_api_key(session, body.name, admin)
    session.commit()
    return ApiKeyCreated(**ApiKeyOut.of(key).model_dump(), key=secret)


@router.get("/api-keys")
def list_api_keys(_: AdminUser, session: SessionDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.of(k) for k in session.scalars(select(ApiKey).order_by(ApiKey.id))]


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 422),
)
def revoke_api_key(key_id: RowId, _: AdminUser, session: SessionDep) -> Response:
    users.revoke_api_key(session, key_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409, 422)
)
def create_user(body: UserCreate, _: AdminUser, session: SessionDep) -> UserOut:
    user = users.create_user(session, body.username, body.password, body.role)
    session.commit()
    return UserOut.of(user)


@router.get("/users")
def list_users(_: AdminUser, session: SessionDep) -> list[UserOut]:
    return [UserOut.of(u) for u in session.scalars(select(User).order_by(User.id))]

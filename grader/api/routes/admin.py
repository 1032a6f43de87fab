"""Admin: API keys and users."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from grader.api.deps import AdminUser, RowId, SessionDep
from grader.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    UserCreate,
    UserOut,
    error_responses,
)
from grader.services import users

router = APIRouter(tags=["admin"], responses=error_responses(401, 403))


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 422))
def create_api_key(body: ApiKeyCreate, admin: AdminUser, session: SessionDep) -> ApiKeyCreated:
    key, secret = users.create_api_key(session, body.name, admin)
    return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=secret)


@router.get("/api-keys")
def list_api_keys(_: AdminUser, session: SessionDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in users.list_api_keys(session)]


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 422),
)
def revoke_api_key(key_id: RowId, _: AdminUser, session: SessionDep) -> Response:
    users.revoke_api_key(session, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409, 422)
)
def create_user(body: UserCreate, _: AdminUser, session: SessionDep) -> UserOut:
    user = users.create_user(session, body.username, body.password, body.role)
    return UserOut.model_validate(user)


@router.get("/users")
def list_users(_: AdminUser, session: SessionDep) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in users.list_users(session)]

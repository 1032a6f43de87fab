"""Admin: users and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from grader.api.deps import AdminUser, RowId, SessionDep
from grader.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    ApiKeyUpdate,
    PasswordReset,
    UserCreate,
    UserOut,
    UserUpdate,
    error_responses,
)
from grader.db.models import Role
from grader.services import users

router = APIRouter(tags=["admin"], responses=error_responses(401, 403, 422))


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, responses=error_responses(400))
def create_api_key(body: ApiKeyCreate, admin: AdminUser, session: SessionDep) -> ApiKeyCreated:
    key, secret = users.create_api_key(session, body.name, admin)
    if body.rate_limit_per_minute is not None:
        key = users.set_api_key_limit(session, key.id, body.rate_limit_per_minute)
    return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=secret)


@router.get("/api-keys")
def list_api_keys(_: AdminUser, session: SessionDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in users.list_api_keys(session)]


@router.patch("/api-keys/{key_id}", responses=error_responses(404))
def update_api_key(
    key_id: RowId, body: ApiKeyUpdate, _: AdminUser, session: SessionDep
) -> ApiKeyOut:
    """Set a key's own limit of submissions per minute (null: the setting for API keys)."""
    return ApiKeyOut.model_validate(
        users.set_api_key_limit(session, key_id, body.rate_limit_per_minute)
    )


@router.delete(
    "/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
def revoke_api_key(key_id: RowId, _: AdminUser, session: SessionDep) -> Response:
    users.revoke_api_key(session, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
def create_user(body: UserCreate, _: AdminUser, session: SessionDep) -> UserOut:
    user = users.create_user(session, body.username, body.password, body.role, body.display_name)
    return UserOut.model_validate(user)


@router.get("/users")
def list_users(
    _: AdminUser,
    session: SessionDep,
    role: Role | None = None,
    active: Annotated[bool | None, Query(description="Only active, or only deactivated.")] = None,
) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in users.list_users(session, role, active)]


@router.get("/users/{user_id}", responses=error_responses(404))
def read_user(user_id: RowId, _: AdminUser, session: SessionDep) -> UserOut:
    return UserOut.model_validate(users.get_user(session, user_id))


@router.patch("/users/{user_id}", responses=error_responses(404))
def update_user(user_id: RowId, body: UserUpdate, _: AdminUser, session: SessionDep) -> UserOut:
    changes = users.UserChanges(display_name=body.display_name, role=body.role)
    return UserOut.model_validate(users.edit_user(session, user_id, changes))


@router.post("/users/{user_id}/deactivate", responses=error_responses(404))
def deactivate_user(user_id: RowId, admin: AdminUser, session: SessionDep) -> UserOut:
    """Their tokens and API keys stop working at once; their submissions stay."""
    return UserOut.model_validate(users.set_active(session, user_id, False, admin))


@router.post("/users/{user_id}/reactivate", responses=error_responses(404))
def reactivate_user(user_id: RowId, admin: AdminUser, session: SessionDep) -> UserOut:
    return UserOut.model_validate(users.set_active(session, user_id, True, admin))


@router.post("/users/{user_id}/reset-password", responses=error_responses(404))
def reset_password(user_id: RowId, _: AdminUser, session: SessionDep) -> PasswordReset:
    """A new generated password, shown this once (only its hash is kept)."""
    user, password = users.reset_password(session, user_id)
    return PasswordReset(username=user.username, password=password)

from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field, field_validator, model_serializer


class SignUp(BaseModel):
    username: str = Field(min_length=3, max_length=20)
    email: str
    password: str = Field(min_length=8)
    full_name: str | None = None

    @field_validator("email")
    @classmethod
    def valid_email(cls, value: str) -> str:
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(str(exc)) from None
        return value  # kept exactly as sent


class PublicUser(BaseModel):
    id: int
    username: str
    email: str
    full_name: str | None = None

    @model_serializer
    def without_empty_full_name(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "username": self.username, "email": self.email}
        if self.full_name is not None:
            data["full_name"] = self.full_name
        return data

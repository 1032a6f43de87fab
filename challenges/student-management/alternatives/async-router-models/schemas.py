from typing import Optional

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator


class StudentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    age: int = Field(ge=16, le=100)
    course: str = Field(min_length=1, max_length=50)

    @field_validator("email")
    @classmethod
    def lower_case(cls, value: str) -> str:
        return value.lower()


class StudentUpdate(BaseModel):
    name: Optional[str] = Field(None, min_length=1, max_length=100)
    email: Optional[EmailStr] = None
    age: Optional[int] = Field(None, ge=16, le=100)
    course: Optional[str] = Field(None, min_length=1, max_length=50)

    @field_validator("email")
    @classmethod
    def lower_case(cls, value: Optional[str]) -> Optional[str]:
        return value.lower() if value is not None else None


class StudentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    age: int
    course: str


class StatsOut(BaseModel):
    count: int
    average_age: Optional[float] = None
    by_course: dict[str, int] = {}

"""SQLModel tables in an in-memory SQLite database, a session dependency, a public model."""

from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from passlib.context import CryptContext
from pydantic import EmailStr
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, create_engine, select

pwd = CryptContext(schemes=["pbkdf2_sha256"], deprecated="auto")


class UserBase(SQLModel):
    username: str = Field(min_length=3, max_length=20, index=True, unique=True)
    email: EmailStr
    full_name: str | None = None


class User(UserBase, table=True):
    # AUTOINCREMENT: SQLite would otherwise hand the id of a deleted newest row to the next one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str


class UserCreate(UserBase):
    password: str = Field(min_length=8)


class UserPublic(UserBase):
    id: int


engine = create_engine(
    "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
)


@asynccontextmanager
async def lifespan(_: FastAPI):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_or_404(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user


@app.post("/users", response_model=UserPublic, response_model_exclude_none=True, status_code=201)
def create_user(data: UserCreate, session: SessionDep):
    if session.exec(select(User).where(User.username == data.username)).first():
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken")
    user = User.model_validate(data, update={"hashed_password": pwd.hash(data.password)})
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


@app.get("/users", response_model=list[UserPublic], response_model_exclude_none=True)
def read_users(session: SessionDep):
    return session.exec(select(User).order_by(User.id)).all()


@app.get("/users/{user_id}", response_model=UserPublic, response_model_exclude_none=True)
def read_user(user_id: int, session: SessionDep):
    return get_or_404(session, user_id)


@app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: int, session: SessionDep):
    session.delete(get_or_404(session, user_id))
    session.commit()

"""python-jose + passlib[bcrypt] + OAuth2PasswordBearer, async handlers on an APIRouter."""
import os
from datetime import datetime, timedelta, timezone
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel, constr

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")


class Settings:
    secret_key: str = os.getenv("SECRET_KEY", "")
    algorithm: str = "HS256"
    expire_minutes: int = 30


settings = Settings()


class UserInDB(BaseModel):
    username: str
    hashed_password: str


class RegisterRequest(BaseModel):
    username: constr(min_length=3, max_length=50)
    password: constr(min_length=8)


class PublicUser(BaseModel):
    username: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"


fake_db: dict[str, UserInDB] = {}

credentials_exception = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


def authenticate(username: str, password: str) -> Optional[UserInDB]:
    user = fake_db.get(username)
    if user is None or not pwd_context.verify(password, user.hashed_password):
        return None
    return user


def create_access_token(subject: str) -> str:
    expire = datetime.now(timezone.utc) + timedelta(minutes=settings.expire_minutes)
    return jwt.encode({"sub": subject, "exp": expire, "iat": datetime.now(timezone.utc)},
                      settings.secret_key, algorithm=settings.algorithm)


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> UserInDB:
    try:
        payload = jwt.decode(token, settings.secret_key, algorithms=[settings.algorithm])
        username: Optional[str] = payload.get("sub")
    except JWTError:
        raise credentials_exception
    if username is None or username not in fake_db:
        raise credentials_exception
    return fake_db[username]


router = APIRouter()


@router.post("/register", status_code=201, response_model=PublicUser)
async def register(data: RegisterRequest):
    if data.username in fake_db:
        raise HTTPException(status_code=409, detail="Username taken")
    fake_db[data.username] = UserInDB(username=data.username, hashed_password=pwd_context.hash(data.password))
    return fake_db[data.username]


@router.post("/token", response_model=TokenResponse)
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    user = authenticate(form_data.username, form_data.password)
    if not user:
        raise HTTPException(
            status_code=401, detail="Incorrect username or password", headers={"WWW-Authenticate": "Bearer"}
        )
    return TokenResponse(access_token=create_access_token(user.username))


@router.get("/users/me", response_model=PublicUser)
async def users_me(current: Annotated[UserInDB, Depends(get_current_user)]):
    return current


app = FastAPI()
app.include_router(router)

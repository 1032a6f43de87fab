from fastapi import FastAPI, HTTPException, Response, status

from models import PublicUser, SignUp
from store import StoredUser, store

app = FastAPI(title="User registry")


def public(user: StoredUser) -> PublicUser:
    return PublicUser(id=user.id, username=user.username, email=user.email, full_name=user.full_name)


@app.post("/users", status_code=status.HTTP_201_CREATED, response_model=PublicUser)
def sign_up(form: SignUp) -> PublicUser:
    user = store.add(form.username, form.email, form.full_name, form.password)
    if user is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Username already taken")
    return public(user)


@app.get("/users", response_model=list[PublicUser])
def all_users() -> list[PublicUser]:
    return [public(u) for u in store.all()]


@app.get("/users/{user_id}", response_model=PublicUser)
def one_user(user_id: int) -> PublicUser:
    user = store.get(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="User not found")
    return public(user)


@app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def remove_user(user_id: int) -> None:
    if not store.remove(user_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="User not found")

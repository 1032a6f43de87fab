import itertools
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field

app = FastAPI()

TENANTS = {"acme", "globex"}
TOKENS = {  # bearer token -> who it belongs to
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"

NOTES: list[dict] = []
NEXT_ID = itertools.count(1)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)


class Caller(BaseModel):
    user: str
    tenant: str


def get_tenant(x_tenant: Annotated[str | None, Header()] = None) -> str:
    if not x_tenant:
        raise HTTPException(status_code=400, detail="X-Tenant header required")
    if x_tenant not in TENANTS:
        raise HTTPException(status_code=404, detail="Unknown tenant")
    return x_tenant


def get_caller(
    tenant: Annotated[str, Depends(get_tenant)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    scheme, _, token = (authorization or "").partition(" ")
    owner = TOKENS.get(token) if scheme == "Bearer" else None
    if owner is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    if owner["tenant"] != tenant:
        raise HTTPException(status_code=403, detail="Token not valid for this tenant")
    return Caller(user=owner["user"], tenant=tenant)


class Pagination:
    def __init__(
        self,
        offset: Annotated[int, Query(gt=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ):
        self.offset = offset
        self.limit = limit

    def page(self, items: list[dict]) -> dict:
        return {
            "total": len(items),
            "offset": self.offset,
            "limit": self.limit,
            "items": items[self.offset : self.offset + self.limit],
        }


CallerDep = Annotated[Caller, Depends(get_caller)]
PageDep = Annotated[Pagination, Depends()]


@app.get("/whoami")
def whoami(caller: CallerDep):
    return caller.model_dump()


@app.post("/notes", status_code=201)
def create_note(note: NoteIn, caller: CallerDep):
    record = {"id": next(NEXT_ID), "text": note.text, "owner": caller.user, "tenant": caller.tenant}
    NOTES.append(record)
    return record


@app.get("/notes")
def list_notes(caller: CallerDep, pagination: PageDep):
    return pagination.page([n for n in NOTES if n["tenant"] == caller.tenant])


@app.get("/notes/mine")
def my_notes(caller: CallerDep, pagination: PageDep):
    return pagination.page(
        [n for n in NOTES if n["tenant"] == caller.tenant and n["owner"] == caller.user]
    )


def require_admin(x_admin_key: Annotated[str | None, Header()] = None) -> None:
    if x_admin_key != ADMIN_KEY:
        raise HTTPException(status_code=401, detail="Invalid admin key")


admin = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@admin.get("/stats")
def stats():
    return {"notes": {t: sum(n["tenant"] == t for n in NOTES) for t in sorted(TENANTS)}}


app.include_router(admin)

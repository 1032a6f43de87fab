"""Routers per area, dependencies in deps.py, a dataclass store in store.py, async handlers."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, Field

from deps import Identity, Page, admin_only, identity, page
from store import NoteStore, get_store

Caller = Annotated[Identity, Depends(identity)]
Store = Annotated[NoteStore, Depends(get_store)]
Paging = Annotated[Page, Depends(page)]


class NoteText(BaseModel):
    text: str = Field(min_length=1, max_length=200)


me = APIRouter()
notes = APIRouter(prefix="/notes")
admin = APIRouter(prefix="/admin", dependencies=[Depends(admin_only)])


@me.get("/whoami")
async def whoami(caller: Caller) -> dict[str, str]:
    return {"user": caller.user, "tenant": caller.tenant}


@notes.post("", status_code=status.HTTP_201_CREATED)
async def create(body: NoteText, caller: Caller, store: Store):
    return store.add(body.text, caller.user, caller.tenant)


@notes.get("")
async def tenant_notes(caller: Caller, store: Store, paging: Paging):
    return paging.apply(store.select(caller.tenant))


@notes.get("/mine")
async def my_notes(caller: Caller, store: Store, paging: Paging):
    return paging.apply(store.select(caller.tenant, caller.user))


@admin.get("/stats")
async def stats(store: Store):
    return {"notes": store.count_by_tenant()}


app = FastAPI()
for router in (me, notes, admin):
    app.include_router(router)

"""Async dependencies, HTTPBearer / APIKeyHeader security schemes (auto_error=False),
pydantic response models and a query-parameter model for pagination."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

TENANTS = {"acme", "globex"}
TOKENS = {
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"

bearer = HTTPBearer(auto_error=False)
admin_key_header = APIKeyHeader(name="X-Admin-Key", auto_error=False)


class Note(BaseModel):
    id: int
    text: str
    owner: str
    tenant: str


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=200)


class PageParams(BaseModel):
    offset: int = Field(0, ge=0)
    limit: int = Field(10, ge=1, le=50)


class NotePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[Note]


class Me(BaseModel):
    user: str
    tenant: str


notes: list[Note] = []


async def tenant_dep(x_tenant: Annotated[str | None, Header(alias="X-Tenant")] = None) -> str:
    if x_tenant is None or x_tenant.strip() == "":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "X-Tenant header required")
    if x_tenant not in TENANTS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown tenant")
    return x_tenant


async def me_dep(
    tenant: Annotated[str, Depends(tenant_dep)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Me:
    if credentials is None or credentials.credentials not in TOKENS:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated",
                            headers={"WWW-Authenticate": "Bearer"})
    owner = TOKENS[credentials.credentials]
    if owner["tenant"] != tenant:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Token not valid for this tenant")
    return Me(user=owner["user"], tenant=tenant)


MeDep = Annotated[Me, Depends(me_dep)]
PageDep = Annotated[PageParams, Query()]


def paginate(selected: list[Note], params: PageParams) -> NotePage:
    return NotePage(total=len(selected), offset=params.offset, limit=params.limit,
                    items=selected[params.offset:params.offset + params.limit])


router = APIRouter()


@router.get("/whoami", response_model=Me)
async def whoami(me: MeDep) -> Me:
    return me


@router.post("/notes", response_model=Note, status_code=status.HTTP_201_CREATED)
async def create(payload: NoteCreate, me: MeDep) -> Note:
    note = Note(id=(notes[-1].id + 1) if notes else 1, text=payload.text, owner=me.user, tenant=me.tenant)
    notes.append(note)
    return note


@router.get("/notes", response_model=NotePage)
async def tenant_notes(me: MeDep, params: PageDep) -> NotePage:
    return paginate([n for n in notes if n.tenant == me.tenant], params)


@router.get("/notes/mine", response_model=NotePage)
async def mine(me: MeDep, params: PageDep) -> NotePage:
    return paginate([n for n in notes if n.tenant == me.tenant and n.owner == me.user], params)


async def admin_only(key: Annotated[str | None, Security(admin_key_header)]) -> None:
    if key != ADMIN_KEY:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid admin key")


admin = APIRouter(prefix="/admin", dependencies=[Depends(admin_only)])


@admin.get("/stats")
async def stats():
    return {"notes": {t: len([n for n in notes if n.tenant == t]) for t in TENANTS}}


app = FastAPI()
app.include_router(router)
app.include_router(admin)

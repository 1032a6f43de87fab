"""Callable class instances as dependencies, a dataclass pagination dependency, and the admin
guard attached when the router is included."""

from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, constr

TENANTS = {"acme", "globex"}
TOKENS = {
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"


class NoteBody(BaseModel):
    text: constr(min_length=1, max_length=200)


@dataclass
class Store:
    notes: list = field(default_factory=list)
    last_id: int = 0

    def add(self, text: str, owner: str, tenant: str) -> dict:
        self.last_id += 1
        note = {"id": self.last_id, "text": text, "owner": owner, "tenant": tenant}
        self.notes.append(note)
        return note


store = Store()


class TenantResolver:
    def __init__(self, known: set):
        self.known = known

    def __call__(self, x_tenant: str = Header(default="")) -> str:
        if x_tenant == "":
            raise HTTPException(400, "X-Tenant header required")
        if x_tenant not in self.known:
            raise HTTPException(404, "Unknown tenant")
        return x_tenant


resolve_tenant = TenantResolver(TENANTS)


class Identity:
    """A class used directly as a dependency: FastAPI calls __init__ with its parameters."""

    def __init__(self, tenant: str = Depends(resolve_tenant), authorization: str = Header(default="")):
        parts = authorization.split(" ")
        if len(parts) != 2 or parts[0] != "Bearer" or parts[1] not in TOKENS:
            raise HTTPException(401, "Not authenticated")
        entry = TOKENS[parts[1]]
        if entry["tenant"] != tenant:
            raise HTTPException(403, "Token not valid for this tenant")
        self.user = entry["user"]
        self.tenant = tenant


@dataclass
class Page:
    offset: int = Query(0, ge=0)
    limit: int = Query(10, ge=1, le=50)

    def apply(self, notes: list) -> dict:
        return {"total": len(notes), "offset": self.offset, "limit": self.limit,
                "items": notes[self.offset:self.offset + self.limit]}


app = FastAPI()


@app.get("/whoami")
def whoami(me: Identity = Depends()):
    return {"user": me.user, "tenant": me.tenant}


@app.post("/notes", status_code=201)
def add_note(body: NoteBody, me: Identity = Depends()):
    return store.add(body.text, me.user, me.tenant)


@app.get("/notes")
def tenant_notes(me: Identity = Depends(), page: Page = Depends()):
    return page.apply([n for n in store.notes if n["tenant"] == me.tenant])


@app.get("/notes/mine")
def own_notes(me: Identity = Depends(), page: Page = Depends()):
    return page.apply([n for n in store.notes if (n["tenant"], n["owner"]) == (me.tenant, me.user)])


class AdminGuard:
    def __call__(self, x_admin_key: str = Header(default=None)):
        if x_admin_key != ADMIN_KEY:
            raise HTTPException(401, "Invalid admin key")


admin_router = APIRouter()


@admin_router.get("/stats")
def admin_stats():
    counts = {tenant: 0 for tenant in TENANTS}
    for note in store.notes:
        counts[note["tenant"]] += 1
    return {"notes": counts}


app.include_router(admin_router, prefix="/admin", dependencies=[Depends(AdminGuard())])

"""No Depends for identity at all: an HTTP middleware resolves tenant and caller for the
protected paths and puts them on request.state. Pagination in default-value style."""

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

TENANTS = {"acme", "globex"}
TOKENS = {
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"
PROTECTED = {"/whoami", "/notes", "/notes/mine"}

app = FastAPI()
NOTES = []


def deny(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


@app.middleware("http")
async def identity(request: Request, call_next):
    path = request.url.path
    if path.startswith("/admin"):
        if request.headers.get("x-admin-key") != ADMIN_KEY:
            return deny(401, "Invalid admin key")
    elif path in PROTECTED:
        tenant = request.headers.get("x-tenant")
        if not tenant:
            return deny(400, "X-Tenant header required")
        if tenant not in TENANTS:
            return deny(404, "Unknown tenant")
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        if token not in TOKENS:
            return deny(401, "Not authenticated")
        if TOKENS[token]["tenant"] != tenant:
            return deny(403, "Token not valid for this tenant")
        request.state.user = TOKENS[token]["user"]
        request.state.tenant = tenant
    return await call_next(request)


class NewNote(BaseModel):
    text: str = Field(min_length=1, max_length=200)


@app.get("/whoami")
async def whoami(request: Request):
    return {"user": request.state.user, "tenant": request.state.tenant}


@app.post("/notes")
async def post_note(note: NewNote, request: Request):
    record = {"id": len(NOTES) + 1, "text": note.text, "owner": request.state.user,
              "tenant": request.state.tenant}
    NOTES.append(record)
    return JSONResponse(record, status_code=201)


def paged(rows, offset, limit):
    return {"total": len(rows), "offset": offset, "limit": limit, "items": rows[offset:offset + limit]}


@app.get("/notes")
async def get_notes(request: Request, offset: int = Query(0, ge=0), limit: int = Query(10, ge=1, le=50)):
    return paged([r for r in NOTES if r["tenant"] == request.state.tenant], offset, limit)


@app.get("/notes/mine")
async def get_mine(request: Request, offset: int = Query(0, ge=0), limit: int = Query(10, ge=1, le=50)):
    rows = [r for r in NOTES if r["tenant"] == request.state.tenant and r["owner"] == request.state.user]
    return paged(rows, offset, limit)


@app.get("/admin/stats")
async def admin_stats():
    return {"notes": {"acme": sum(r["tenant"] == "acme" for r in NOTES),
                      "globex": sum(r["tenant"] == "globex" for r in NOTES)}}

from fastapi import FastAPI, Header

app = FastAPI()

TENANTS = {"acme", "globex"}
TOKENS = {  # bearer token -> who it belongs to
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"


@app.get("/whoami")
def whoami(x_tenant: str = Header()):
    # TODO: write the tenant and user checks as dependencies (see the README)
    return {"tenant": x_tenant}


# TODO: POST /notes, GET /notes, GET /notes/mine, GET /admin/stats

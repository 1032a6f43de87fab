from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query

from store import ADMIN_KEY, TENANTS, TOKENS


@dataclass
class Identity:
    user: str
    tenant: str


async def tenant_from_header(x_tenant: Annotated[str, Header()] = "") -> str:
    if x_tenant == "":
        raise HTTPException(400, "X-Tenant header required")
    if x_tenant not in TENANTS:
        raise HTTPException(404, "Unknown tenant")
    return x_tenant


async def identity(
    tenant: Annotated[str, Depends(tenant_from_header)],
    authorization: Annotated[str, Header()] = "",
) -> Identity:
    if not authorization.startswith("Bearer "):
        raise HTTPException(401, "Not authenticated")
    entry = TOKENS.get(authorization.removeprefix("Bearer "))
    if entry is None:
        raise HTTPException(401, "Not authenticated")
    if entry["tenant"] != tenant:
        raise HTTPException(403, "Token not valid for this tenant")
    return Identity(user=entry["user"], tenant=tenant)


@dataclass
class Page:
    offset: int
    limit: int

    def apply(self, rows: list) -> dict:
        rows = sorted(rows, key=lambda n: n.id)
        return {
            "total": len(rows),
            "offset": self.offset,
            "limit": self.limit,
            "items": rows[self.offset : self.offset + self.limit],
        }


async def page(
    offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> Page:
    return Page(offset, limit)


async def admin_only(x_admin_key: Annotated[str | None, Header()] = None) -> None:
    if x_admin_key != ADMIN_KEY:
        raise HTTPException(401, "Invalid admin key")

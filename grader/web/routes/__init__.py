"""The web pages' routes, one module per audience: `account` (log in and out), `candidate`
(the invitation's workspace), `staff` (assessments, candidates, scorecards), `catalog`
(challenges) and `operations` (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from grader.web.routes import account, candidate, catalog, operations, staff


def web_routers() -> list[APIRouter]:
    return [account.router, candidate.router, staff.router, catalog.router, operations.router]

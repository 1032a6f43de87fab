"""The FastAPI application: routers, lifespan (catalog sync, Redis), error table, metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from redis import Redis

from grader import errors
from grader.api.routes import (
    admin,
    assessments,
    auth,
    challenges,
    docs,
    health,
    invitation,
    questions,
    submissions,
    webhooks,
    workspace,
)
from grader.api.schemas import error_responses
from grader.config import Settings, get_settings
from grader.db.migrate import require_schema
from grader.db.models import utcnow
from grader.db.session import session_scope
from grader.metrics import GradingCollector, HttpMetrics
from grader.services.challenges import sync_catalog
from grader.services.notifications import ChangeHub
from grader.services.question_bank import sync_bank
from grader.services.ratelimit import SubmissionLimiter, WaitSlots
from grader.web import SECURITY_HEADERS, STATIC_DIR
from grader.web.auth import CsrfRefused
from grader.web.deps import LoginRequired, PageError
from grader.web.errors import error_page, is_page, login_required
from grader.web.routes import web_routers

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

#: Domain error -> status code; the most specific class wins (checked in order).
ERROR_STATUS: list[tuple[type[errors.GraderError], int]] = [
    (errors.SubmissionTooLarge, 413),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.ChallengeClosed, 422),
    (errors.InvalidInput, 422),
    (errors.MalformedInput, 400),
    (errors.Conflict, 409),
]


async def _grader_error(request: Request, exc: Exception) -> Response:
    code = next((c for cls, c in ERROR_STATUS if isinstance(exc, cls)), 400)
    if isinstance(exc, PageError):
        code = exc.status
    if is_page(request):
        return error_page(request, code, str(exc))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RetryLater) else None
    return JSONResponse({"detail": str(exc)}, status_code=code, headers=headers)


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    if is_page(request):
        return error_page(request, 403, str(exc))
    return JSONResponse({"detail": str(exc)}, status_code=403)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """The one error shape for a request that fails validation: a sentence, then the fields.
    A body that is not even JSON is a 400, like any unreadable body."""
    assert isinstance(exc, RequestValidationError)
    if is_page(request):
        return error_page(request, 422, "the form is incomplete or invalid: go back and check it")
    fields = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    unreadable = bool(fields) and all(f["type"] == "json_invalid" for f in fields)
    first = fields[0] if fields else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"][1:]) or "body"
    detail = (
        "the body is not valid JSON"
        if unreadable
        else f"{len(fields)} field(s) of the request are invalid; first: {where}: {first['msg']}"
    )
    return JSONResponse(
        jsonable_encoder({"detail": detail, "errors": fields}),
        status_code=400 if unreadable else 422,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API, every route of which uses `settings` (default: the environment's)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_schema(settings.database_url)
        with session_scope(settings.database_url) as session:
            report = sync_catalog(session, settings.challenges_dir)
            sync_bank(session, settings.questions_dir)
        log.info(
            "catalog: added %s, updated %s, broken %s",
            report.added,
            report.updated,
            list(report.broken),
        )
        app.state.changes.start()
        yield
        await app.state.changes.stop()
        app.state.redis.close()

    app = FastAPI(
        title="interview-grader",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's pages load Swagger UI and ReDoc from a CDN: ours do not
        redoc_url=None,
        # A backstop counted as the body streams in, chunked bodies included, on every route.
        # Below it, routes refuse a too-large Content-Length themselves, with a JSON detail.
        max_body_size=2 * max(settings.max_request_bytes, settings.max_upload_bytes),
    )
    app.state.settings = settings
    app.state.clock = utcnow
    app.state.redis = Redis.from_url(settings.redis_url)
    app.state.limiter = SubmissionLimiter(app.state.redis)
    app.state.changes = ChangeHub(settings.redis_url)
    app.state.waits = WaitSlots(settings.max_waits_per_caller, settings.max_waits)
    registry = CollectorRegistry()
    registry.register(GradingCollector(settings.database_url, app.state.redis))
    app.state.registry = registry
    http = HttpMetrics(registry)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The matched path template keeps label values bounded (not the raw path).
        route = str(getattr(request.scope.get("route"), "path", "unmatched"))
        http.requests.labels(request.method, route, str(response.status_code)).inc()
        http.latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    app.add_exception_handler(errors.GraderError, _grader_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(LoginRequired, login_required)
    for module in (
        auth,
        challenges,
        submissions,
        webhooks,
        admin,
        assessments,
        invitation,
        workspace,
        questions,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    app.include_router(docs.router)
    for router in web_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.openapi = partial(_openapi, app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the 400 every route with a body answers when the body cannot be
    parsed (`_validation_error`): documented once here, for every such route."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        bad_body = error_responses(400)[400]
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation and "400" not in operation["responses"]:
                    operation["responses"]["400"] = {
                        "description": bad_body["description"],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
        app.openapi_schema = schema
    return app.openapi_schema

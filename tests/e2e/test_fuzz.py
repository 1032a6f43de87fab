"""Fuzz the running service from its own OpenAPI schema (schemathesis): no input may get a 5xx,
and every answer (status code, content type, headers, body) must be one the schema documents.

Every operation is fuzzed with valid (positive) and invalid (negative) data, anonymously, as a
fresh candidate, as an API key and as a fresh admin, with a fixed seed (derandomized) and a
bounded number of examples; all failures are collected and reported together, each with a
curl command that reproduces it. Only loopback addresses are ever called (see `_contain`).
"""

from __future__ import annotations

import collections
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import ARCHIVED_SLUG, Service

pytestmark = pytest.mark.docker

#: Examples per operation and generation mode for the admin (fewer for the other identities):
#: about 2,700 requests over 63 operations, 70-80 s per database on 2 busy cores.
MAX_EXAMPLES = 12
#: The fuzz stops by itself well before this, however slow the machine.
TIME_BUDGET_SECONDS = 240
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: Long-polls are held at most this long (the handler caps `wait` at GRADER_MAX_WAIT_SECONDS,
#: 60 s, which a few hundred fuzzed reads cannot afford).
MAX_WAIT = 1.0


class _Sink(BaseHTTPRequestHandler):
    """Receives the result callbacks of accepted fuzzed submissions: the worker must POST
    nowhere but to this loopback address."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def callback_sink() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _new_admin(service: Service) -> str:
    """A fresh admin, so the fuzz spends no rate limit of the shared one."""
    username, password = f"fuzz-admin-{secrets.token_hex(3)}", "fuzz-admin-pw-1"
    with service.client(service.admin_token) as http:
        created = http.post(
            "/api/v1/users", json={"username": username, "password": password, "role": "admin"}
        )
    assert created.status_code == 201, created.text
    return service.login(username, password)


def _contain(case: schemathesis.Case, sink: str) -> None:
    """Keep the fuzz on this machine and within its time. A callback URL that the API would
    take gets the loopback sink's scheme and address, keeping its fuzzed path and query (the
    worker POSTs there once the grading ends); a long-poll waits at most MAX_WAIT. Values the
    API refuses are sent as generated."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("callback_url"), str):
        body["callback_url"] = _to_sink(body["callback_url"], sink)
    query = case.query
    if isinstance(query, dict) and "wait" in query:
        try:
            wait = float(query["wait"])
        except (TypeError, ValueError, OverflowError):
            return
        if wait > MAX_WAIT:
            query["wait"] = MAX_WAIT


def _to_sink(url: str, sink: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # the API's own urlsplit raises too: refused, or a 500 the checks report
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url  # refused with a 422
    moved = parts._replace(scheme="http", netloc=urlsplit(sink).netloc).geturl()
    try:
        loopback = httpx.URL(moved).host == "127.0.0.1"
    except httpx.InvalidURL:
        loopback = False
    return moved if loopback else sink


@dataclass(frozen=True)
class Identity:
    """Who the fuzz calls as. With `headers`, the generated X-API-Key is dropped (it would
    stand in for the caller); without, the generated one is sent as it is (anonymous)."""

    name: str
    headers: dict[str, str]
    max_examples: int
    negative: bool = True


@dataclass
class Report:
    requests: int = 0
    examples_by_operation: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    #: (operation [identity, mode], failure titles) -> the first report, with its curl command
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)


AUTH_HEADERS = ("authorization", "x-api-key")


@dataclass
class Fuzzer:
    base_url: str
    sink: str
    report: Report
    deadline: float
    session: requests.Session = field(default_factory=requests.Session)

    def run(self, schema: Any, identity: Identity) -> None:
        for result in schema.get_all_operations():
            operation = result.ok()
            parameters = [*operation.path_parameters, *operation.query, *operation.headers]
            # The security scheme's X-API-Key header is no input to make invalid.
            has_input = any(p.name.lower() not in AUTH_HEADERS for p in parameters)
            modes = [GenerationMode.POSITIVE]
            if identity.negative and (has_input or len(operation.body) > 0):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                self.fuzz(operation, mode, identity)

    def fuzz(self, operation: Any, mode: GenerationMode, identity: Identity) -> None:
        report = self.report
        where = f"{operation.label} [{identity.name}, {mode.value}]"

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=identity.max_examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: nothing is raised
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            if time.monotonic() > self.deadline:
                return
            if identity.headers and case.headers:
                for name in [n for n in case.headers if n.lower() in AUTH_HEADERS]:
                    del case.headers[name]
            _contain(case, self.sink)
            report.requests += 1
            report.examples_by_operation[operation.label] += 1
            try:
                response = case.call(
                    base_url=self.base_url,
                    session=self.session,
                    headers=identity.headers,
                    timeout=30,
                )
            except requests.RequestException as exc:  # e.g. the server dropped the connection
                report.errors.setdefault((where, type(exc).__name__), str(exc))
                return
            report.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=identity.headers)
            except FailureGroup as group:
                titles = ", ".join(sorted(f.title for f in group.exceptions))
                report.failures.setdefault((where, titles), str(group))

        try:
            run()
        except Unsatisfiable:  # e.g. only a string path parameter: every string is valid
            report.unsatisfiable.append(where)


def test_api_conforms_to_its_schema_under_fuzzing(service: Service, callback_sink: str) -> None:
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json", timeout=10)
    admin = _new_admin(service)
    _, candidate = service.new_candidate()
    with service.client(admin) as http:
        created = http.post("/api/v1/api-keys", json={"name": "fuzz"})
        assert created.status_code == 201, created.text
        api_key = created.json()["key"]
    # The admin last: its fuzz archives challenges and revokes API keys (the one above too).
    identities = [
        Identity("anonymous", {}, MAX_EXAMPLES // 4, negative=False),
        Identity("candidate", {"Authorization": f"Bearer {candidate}"}, MAX_EXAMPLES // 2),
        Identity("api key", {"X-API-Key": api_key}, MAX_EXAMPLES // 2),
        Identity("admin", {"Authorization": f"Bearer {admin}"}, MAX_EXAMPLES),
    ]
    report = Report()
    started = time.monotonic()
    fuzzer = Fuzzer(service.url, callback_sink, report, started + TIME_BUDGET_SECONDS)
    try:
        for identity in identities:
            fuzzer.run(schema, identity)
    finally:
        fuzzer.session.close()
        _restore_catalog(service)
    elapsed = time.monotonic() - started
    operations = len(report.examples_by_operation)
    print(
        f"\nfuzz: {operations} operations, {report.requests} requests in {elapsed:.0f} s; "
        f"statuses {dict(sorted(report.statuses.items()))}; "
        f"{len(report.failures)} failures, {len(report.errors)} transport errors; "
        f"no invalid input could be generated for {report.unsatisfiable}"
    )
    assert elapsed < TIME_BUDGET_SECONDS, "the fuzz ran out of time: lower MAX_EXAMPLES"
    assert operations >= 20, f"too few operations fuzzed: {sorted(report.examples_by_operation)}"
    problems = [f"{where}: {titles}\n{text}" for (where, titles), text in report.failures.items()]
    problems += [f"{where}: {kind}: {text}" for (where, kind), text in report.errors.items()]
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)


def _restore_catalog(service: Service) -> None:
    """Undo what the fuzz may have done to the shared catalog that other tests rely on."""
    with service.client(service.admin_token) as http:
        for slug, action in (("hello-world", "restore"), (ARCHIVED_SLUG, "archive")):
            response = http.post(f"/api/v1/challenges/{slug}/{action}")
            assert response.status_code == 200, response.text

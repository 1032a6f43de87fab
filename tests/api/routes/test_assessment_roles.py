"""The role matrix of the assessment routes: every route under /api/v1/assessments,
/api/v1/invitations, /api/v1/invitation and /api/v1/questions against every kind of caller
(anonymous, a candidate through an invitation's token, a candidate account, a reviewer, a
recruiter, an admin, an API key). A route added without its row fails the test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from fastapi.routing import iter_route_contexts

from grader.db.models import Role
from grader.services import assessments, invitations
from grader.services.assessments import AssessmentSpec
from tests.api.assessment_kit import APP, ITEMS, MC_KEY, Kit

PREFIXES = ("/api/v1/assessments", "/api/v1/invitations", "/api/v1/invitation", "/api/v1/questions")
CALLERS = (
    "anonymous",
    "invitation token",
    "candidate account",
    "reviewer",
    "recruiter",
    "admin",
    "api key",
)


def read(ok: int = 200) -> tuple[int, ...]:
    """Staff and API keys read (an applicant tracking system pulls scorecards)."""
    return (401, 401, 403, ok, ok, ok, ok)


def manage(ok: int = 200) -> tuple[int, ...]:
    """Admins and recruiters create, publish, close and change assessments."""
    return (401, 401, 403, 403, ok, ok, 403)


def invite(ok: int = 200) -> tuple[int, ...]:
    """Admins, recruiters and API keys invite and revoke."""
    return (401, 401, 403, 403, ok, ok, ok)


def review(ok: int = 200) -> tuple[int, ...]:
    """Reviewers (and recruiters, admins) write notes, reviews and decisions."""
    return (401, 401, 403, ok, ok, ok, 403)


def candidate(ok: int = 200) -> tuple[int, ...]:
    """The invitation's token alone: no account, staff or key opens the candidate's routes."""
    return (401, ok, 401, 401, 401, 401, 401)


ADMIN_ONLY = (401, 401, 403, 403, 403, 201, 403)


@dataclass
class Target:
    """What one call is made on: path parameters, the invitation whose token the candidate
    sends, and the body."""

    params: dict[str, Any] = field(default_factory=dict)
    token: str | None = None
    json: Any = None
    files: dict[str, Any] | None = None


class World:
    """Makes fresh assessments and invitations through the services (fast), so a call that
    changes something (publish, revoke, start) always has something to change."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.numbers = count(1)
        self.default_token = self.invitation(self.assessment())[1]

    def assessment(self, publish: bool = True, close: bool = False) -> str:
        slug = f"matrix-{next(self.numbers)}"
        spec = AssessmentSpec.model_validate({"slug": slug, "title": slug, "items": ITEMS})
        with self.kit.api.session() as session:
            assessments.create_assessment(session, spec, None)
            if publish:
                assessments.publish(session, slug)
            if close:
                assessments.close(session, slug, self.kit.clock())
        return slug

    def invitation(self, slug: str | None = None, start: bool = True) -> tuple[int, str]:
        with self.kit.api.session() as session:
            made, token = invitations.invite(
                session,
                slug or self.assessment(),
                invitations.NewInvitation(f"Candidate {next(self.numbers)}"),
                now=self.kit.clock(),
            )
            if start:
                invitations.start(session, made, self.kit.clock())
        return made.id, token

    # --- targets ---------------------------------------------------------------------

    def nothing(self) -> Target:
        return Target()

    def new_assessment(self) -> Target:
        slug = f"new-{next(self.numbers)}"
        return Target(json={"slug": slug, "title": "New", "items": ITEMS})

    def published(self) -> Target:
        return Target({"slug": self.assessment()})

    def draft(self) -> Target:
        slug = self.assessment(publish=False)
        return Target({"slug": slug}, json={"slug": slug, "title": "Changed", "items": ITEMS})

    def closed(self) -> Target:
        return Target({"slug": self.assessment(close=True)})

    def copy(self) -> Target:
        return Target({"slug": self.assessment()}, json={"slug": f"copy-{next(self.numbers)}"})

    def upgradable(self) -> Target:
        slug = self.assessment()
        self.kit.new_version("hello-world", f"matrix {next(self.numbers)}")
        return Target({"slug": slug, "position": 1})

    def new_invitation(self) -> Target:
        return Target({"slug": self.assessment()}, json={"candidate_name": "Newcomer"})

    def invited(self) -> Target:
        invitation_id, token = self.invitation(start=False)
        return Target({"invitation_id": invitation_id}, token=token)

    def started(self) -> Target:
        invitation_id, token = self.invitation()
        return Target({"invitation_id": invitation_id}, token=token)

    def answered(self) -> Target:
        invitation_id, token = self.invitation()
        assert self.kit.answer(token, 3, {"choice": MC_KEY}).status_code == 200
        return Target({"invitation_id": invitation_id, "position": 3}, token, {"points": 1})

    def noted(self) -> Target:
        target = self.started()
        target.json = {"body": "a note"}
        return target

    def decided(self) -> Target:
        target = self.started()
        target.json = {"decision": "hold", "comment": "wait"}
        return target

    def submission(self) -> Target:
        _, token = self.invitation()
        submission_id = self.kit.submitted(token, 1)
        return Target({"submission_id": submission_id, "position": 1}, token)

    def submitting(self) -> Target:
        target = self.started()
        target.params["position"] = 1
        target.json = {"files": {"main.py": APP}}
        return target

    def answering(self) -> Target:
        target = self.started()
        target.params["position"] = 3
        target.json = {"choice": MC_KEY}
        return target

    def drafting(self) -> Target:
        target = self.started()
        target.params["position"] = 1
        target.json = {"files": {"main.py": APP}}
        return target

    def signalling(self) -> Target:
        target = self.started()
        target.json = {"events": [{"kind": "blur", "at": "2026-01-01T00:00:00Z"}]}
        return target

    def question_file(self) -> Target:
        key = f"matrix-mc-{next(self.numbers)}"
        text = f"""section = 10
title = "Matrix"
[[question]]
id = "{key}"
kind = "multiple_choice"
seed = "Which status code means created?"
points = 1
prompt = "Which status code answers a POST that created a resource?"
options = ["200", "201"]
correct = [1]
explanation = "201 Created."
"""
        return Target(files={"file": ("bank.toml", text.encode(), "application/toml")})


Prepare = Callable[[World], Target]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    prepare: Prepare
    expected: tuple[int, ...]
    fresh: bool = False
    """Prepare a new target for each caller (the call changes it)."""


ROWS = [
    # --- assessments (staff) ---
    Row("GET", "/api/v1/assessments", World.nothing, read()),
    Row("POST", "/api/v1/assessments", World.new_assessment, manage(201), fresh=True),
    Row("GET", "/api/v1/assessments/{slug}", World.published, read()),
    Row("PUT", "/api/v1/assessments/{slug}", World.draft, manage(), fresh=True),
    Row("POST", "/api/v1/assessments/{slug}/publish", World.draft, manage(), fresh=True),
    Row("POST", "/api/v1/assessments/{slug}/close", World.published, manage(), fresh=True),
    Row("POST", "/api/v1/assessments/{slug}/archive", World.closed, manage(), fresh=True),
    Row("POST", "/api/v1/assessments/{slug}/copy", World.copy, manage(201), fresh=True),
    Row(
        "POST",
        "/api/v1/assessments/{slug}/items/{position}/upgrade",
        World.upgradable,
        manage(202),
        fresh=True,
    ),
    Row(
        "POST",
        "/api/v1/assessments/{slug}/invitations",
        World.new_invitation,
        invite(201),
        fresh=True,
    ),
    Row("GET", "/api/v1/assessments/{slug}/invitations", World.published, read()),
    Row("GET", "/api/v1/assessments/{slug}/report", World.published, read()),
    Row("GET", "/api/v1/assessments/{slug}/report.csv", World.published, read()),
    # --- invitations (staff) ---
    Row("GET", "/api/v1/invitations/{invitation_id}", World.started, read()),
    Row("GET", "/api/v1/invitations/{invitation_id}/scorecard", World.started, read()),
    Row("GET", "/api/v1/invitations/{invitation_id}/scorecard.html", World.started, read()),
    Row("POST", "/api/v1/invitations/{invitation_id}/revoke", World.started, invite(), True),
    Row("POST", "/api/v1/invitations/{invitation_id}/notes", World.noted, review(201)),
    Row("PUT", "/api/v1/invitations/{invitation_id}/decision", World.decided, review()),
    Row(
        "PUT",
        "/api/v1/invitations/{invitation_id}/answers/{position}/review",
        World.answered,
        review(),
    ),
    # --- the candidate's (invitation token) ---
    Row("GET", "/api/v1/invitation", World.invited, candidate()),
    Row("POST", "/api/v1/invitation/start", World.invited, candidate(), fresh=True),
    Row("POST", "/api/v1/invitation/finish", World.started, candidate(), fresh=True),
    Row(
        "POST",
        "/api/v1/invitation/items/{position}/submissions",
        World.submitting,
        candidate(202),
    ),
    Row("GET", "/api/v1/invitation/items/{position}/submissions", World.submission, candidate()),
    Row("GET", "/api/v1/invitation/submissions/{submission_id}", World.submission, candidate()),
    Row("PUT", "/api/v1/invitation/items/{position}/answer", World.answering, candidate()),
    Row("GET", "/api/v1/invitation/items/{position}/draft", World.drafting, candidate()),
    Row("PUT", "/api/v1/invitation/items/{position}/draft", World.drafting, candidate()),
    Row("POST", "/api/v1/invitation/activity", World.signalling, candidate(201)),
    # --- the question bank ---
    Row("GET", "/api/v1/questions", World.nothing, read()),
    Row("POST", "/api/v1/questions", World.question_file, ADMIN_ONLY, fresh=True),
]


def _headers(kit: Kit, world: World, caller: str, target: Target) -> dict[str, str]:
    roles = {
        "candidate account": Role.CANDIDATE,
        "reviewer": Role.REVIEWER,
        "recruiter": Role.RECRUITER,
        "admin": Role.ADMIN,
    }
    if caller == "anonymous":
        return {}
    if caller == "invitation token":
        return kit.token(target.token or world.default_token)
    if caller == "api key":
        return kit.key
    return kit.as_role(roles[caller])


def test_every_assessment_route_has_a_row_in_the_matrix(kit: Kit) -> None:
    # The app's routes with their routers' prefixes (included routers are not flattened in
    # `app.routes`), websockets and mounts included: anything served under the prefixes.
    served = {
        (method, route.path)
        for route in iter_route_contexts(kit.api.app.routes)
        if route.path is not None and route.path.startswith(PREFIXES)
        for method in route.methods or {"(no method)"}
    }
    assert ("GET", "/api/v1/assessments") in served  # the enumeration itself works
    rows = [(row.method, row.path) for row in ROWS]
    assert len(rows) == len(set(rows)), "a route has two rows"
    assert served == set(rows), {
        "routes without a row": sorted(served - set(rows)),
        "rows without a route": sorted(set(rows) - served),
    }


def test_each_route_answers_each_kind_of_caller_as_the_roles_say(kit: Kit) -> None:
    world = World(kit)
    wrong = []
    for row in ROWS:
        shared = None if row.fresh else row.prepare(world)
        for caller, expected in zip(CALLERS, row.expected, strict=True):
            target = row.prepare(world) if shared is None else shared
            kwargs: dict[str, Any] = {}
            if target.json is not None:
                kwargs["json"] = target.json
            if target.files is not None:
                kwargs["files"] = target.files
            path = row.path.format(**target.params)
            response = kit.call(row.method, path, _headers(kit, world, caller, target), **kwargs)
            if response.status_code != expected:
                wrong.append(
                    f"{row.method} {row.path} as {caller}: {response.status_code}, "
                    f"expected {expected}: {response.text[:200]}"
                )
            kit.api.http.cookies.clear()
    assert not wrong, "\n".join(wrong)


def test_a_reviewer_reads_everything_but_changes_no_assessment_challenge_or_user(
    kit: Kit,
) -> None:
    reviewer = kit.as_role(Role.REVIEWER)
    kit.published("seen")
    for method, path in (
        ("GET", "/api/v1/challenges/hello-world/versions"),
        ("POST", "/api/v1/challenges/hello-world/archive"),
        ("POST", "/api/v1/challenges/hello-world/regrade"),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/api-keys"),
    ):
        assert kit.call(method, path, reviewer).status_code == 403, (method, path)
    assert kit.call("GET", "/api/v1/assessments/seen", reviewer).status_code == 200
    assert kit.call("POST", "/api/v1/assessments/seen/close", reviewer).status_code == 403

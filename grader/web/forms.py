"""Reading the staff pages' forms into the same request models the REST API validates, so a
form can never do what the API would refuse."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from grader.api.schemas.assessments import InvitationCreate
from grader.errors import InvalidInput
from grader.services.assessments import AssessmentSpec, ItemSpec
from grader.services.invitations import NewInvitation

CHALLENGE_FIELD = "challenge:"
QUESTION_FIELD = "question:"
MAX_INVITES_AT_ONCE = 500


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional_int(form: FormData, name: str) -> int | None:
    value = _text(form, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput(f"{name.replace('_', ' ')}: {value!r} is not a whole number") from exc


def _moment(form: FormData, name: str) -> datetime | None:
    """A `datetime-local` field, read as UTC (the pages show every time in UTC)."""
    value = _text(form, name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"{name.replace('_', ' ')}: {value!r} is not a date and time") from exc


def explain(exc: ValidationError) -> str:
    """One readable sentence per problem."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "form"
        parts.append(f"{where}: {error.get('msg')}")
    return "; ".join(parts)


def assessment_spec(form: FormData) -> AssessmentSpec:
    """The assessment a create/edit form describes. Items: every challenge and question given a
    weight, in the form's order."""
    items: list[dict[str, Any]] = []
    for key, value in form.multi_items():
        if not isinstance(value, str) or not value.strip():
            continue
        for prefix, kind in ((CHALLENGE_FIELD, "challenge"), (QUESTION_FIELD, "question")):
            if key.startswith(prefix):
                try:
                    weight = int(value)
                except ValueError as exc:
                    raise InvalidInput(f"weight of {key[len(prefix) :]}: not a number") from exc
                items.append({kind: key[len(prefix) :], "weight": weight})
    document = {
        "slug": _text(form, "slug"),
        "title": _text(form, "title"),
        "instructions": form.get("instructions") or "",
        "time_limit_minutes": _optional_int(form, "time_limit_minutes"),
        "opens_at": _moment(form, "opens_at"),
        "closes_at": _moment(form, "closes_at"),
        "counting": _text(form, "counting") or "best",
        "max_submissions_per_item": _optional_int(form, "max_submissions_per_item"),
        "feedback": _text(form, "feedback") or "full",
        "webhook_url": _text(form, "webhook_url") or None,
        "items": [ItemSpec.model_validate(item) for item in items],
    }
    try:
        return AssessmentSpec.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(explain(exc)) from exc


@dataclass(frozen=True)
class InviteRow:
    line: int
    who: NewInvitation


def invitations_of(form: FormData) -> list[InviteRow]:
    """One candidate (name, email, reference) or a pasted CSV list (`name,email[,reference]`
    per line; a header line `name,...` is skipped). Every row is checked before any is made."""
    pasted = form.get("csv")
    rows: list[InviteRow] = []
    if isinstance(pasted, str) and pasted.strip():
        for number, record in enumerate(csv.reader(io.StringIO(pasted.strip())), start=1):
            if not record or not any(cell.strip() for cell in record):
                continue
            cells = [cell.strip() for cell in record] + ["", ""]
            if number == 1 and cells[0].lower() in ("name", "candidate", "candidate_name"):
                continue
            rows.append(InviteRow(number, _candidate(cells[0], cells[1], cells[2], number)))
    else:
        name = _text(form, "candidate_name")
        rows.append(
            InviteRow(
                1,
                _candidate(name, _text(form, "candidate_email"), _text(form, "external_id"), 1),
            )
        )
    if len(rows) > MAX_INVITES_AT_ONCE:
        raise InvalidInput(f"at most {MAX_INVITES_AT_ONCE} candidates at once")
    return rows


def _candidate(name: str, email: str, reference: str, line: int) -> NewInvitation:
    """Checked by the REST API's own request model."""
    try:
        body = InvitationCreate.model_validate(
            {
                "candidate_name": name,
                "candidate_email": email or None,
                "external_id": reference or None,
            }
        )
    except ValidationError as exc:
        raise InvalidInput(f"line {line}: {explain(exc)}") from exc
    return NewInvitation(body.candidate_name, body.candidate_email, body.external_id)

"""`grader assessments ...`: create and publish assessments, invite candidates, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from grader.cli.output import console, fail
from grader.config import get_settings
from grader.db.migrate import SchemaOutdated, require_schema
from grader.db.models import Assessment
from grader.db.session import get_sessionmaker
from grader.errors import Conflict, GraderError
from grader.services import assessments, invitations, scorecards
from grader.services.question_bank import sync_bank

app = typer.Typer(help="Assessments: invite candidates, read reports.", no_args_is_help=True)


def _session() -> Session:
    """A session on a database the migrations have reached (else a one-line error)."""
    url = get_settings().database_url
    try:
        require_schema(url)
    except SchemaOutdated as exc:
        raise fail(str(exc)) from exc
    return get_sessionmaker(url)()


def _describe(assessment: Assessment) -> Text:
    return Text.assemble(
        (assessment.slug, "bold"),
        f" ({assessment.status.value}, {len(assessment.items)} items): {assessment.title}",
    )


@app.command("list")
def list_assessments(
    archived: Annotated[bool, typer.Option(help="Include archived ones.")] = False,
) -> None:
    """Print the assessments: slug, status, items, invitations, title."""
    table = Table("slug", "status", "items", "title")
    with _session() as session:
        found, _ = assessments.list_assessments(
            session, assessments.AssessmentFilter(include_archived=archived), 0, 1000
        )
        for a in found:
            table.add_row(a.slug, a.status.value, str(len(a.items)), Text(a.title))
    console.print(table)


@app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="The assessment described in TOML.")],
    publish: Annotated[bool, typer.Option(help="Publish it at once (pins versions).")] = False,
    exists_ok: Annotated[
        bool, typer.Option(help="An assessment with its slug already there is kept as it is.")
    ] = False,
) -> None:
    """Create an assessment (a draft) from FILE; see assessments/ for an example."""
    settings = get_settings()
    try:
        spec = assessments.load_spec(file)
        with _session() as session:
            sync_bank(session, settings.questions_dir)
            try:
                made = assessments.create_assessment(session, spec, None)
            except Conflict:
                if not exists_ok:
                    raise
                console.print(
                    Text("exists: ") + _describe(assessments.get_assessment(session, spec.slug))
                )
                return
            if publish:
                made = assessments.publish(session, spec.slug)
            console.print(Text("created ") + _describe(made))
    except GraderError as exc:
        raise fail(str(exc)) from exc


@app.command("publish")
def publish(slug: str) -> None:
    """Publish a draft: its challenge versions are pinned, candidates may be invited."""
    try:
        with _session() as session:
            console.print(Text("published ") + _describe(assessments.publish(session, slug)))
    except GraderError as exc:
        raise fail(str(exc)) from exc


@app.command("invite")
def invite(
    slug: str,
    name: Annotated[str, typer.Option(help="The candidate's name.")],
    email: Annotated[str | None, typer.Option(help="A label; no mail is sent.")] = None,
    external_id: Annotated[str | None, typer.Option(help="Your ATS's reference.")] = None,
) -> None:
    """Invite a candidate and print the link to hand over (shown once: only its hash is kept)."""
    settings = get_settings()
    try:
        with _session() as session:
            invitation, token = invitations.invite(
                session, slug, invitations.NewInvitation(name, email, external_id)
            )
            console.print(f"invitation {invitation.id} for {name}", markup=False)
    except GraderError as exc:
        raise fail(str(exc)) from exc
    typer.echo(invitations.link(settings.public_url, token))


@app.command("report")
def report(
    slug: str,
    csv: Annotated[bool, typer.Option("--csv", help="Every invitation as CSV on stdout.")] = False,
) -> None:
    """The assessment's candidates and its item statistics (or the CSV export)."""
    try:
        with _session() as session:
            assessment = assessments.get_assessment(session, slug)
            if csv:
                typer.echo(scorecards.csv_export(session, assessment), nl=False)
                return
            summary = scorecards.report(session, assessment)
            page, total = scorecards.invitation_page(
                session, assessment, scorecards.InvitationFilter(), "score", True, 0, 50
            )
            table = Table(
                "id",
                "candidate",
                "status",
                "score",
                "review",
                "decision",
                title=f"{total} invitation(s), best first",
            )
            for i in page:
                table.add_row(
                    str(i.id),
                    Text(i.candidate_name),
                    i.status.value,
                    "" if i.score is None else f"{i.score:g}",
                    "needed" if i.needs_review else "",
                    i.decision.value if i.decision else "",
                )
            console.print(table)
            items = Table(
                "item",
                "kind",
                "weight",
                "attempted",
                "full marks",
                "median points",
                "hardest test",
                title="items",
            )
            for s in summary.items:
                hardest = min(
                    s.tests.items(), key=lambda t: (t[1][0] / t[1][1], t[0]), default=None
                )
                items.add_row(
                    str(s.position),
                    s.kind.value,
                    str(s.weight),
                    str(s.attempted),
                    str(s.full_marks),
                    "" if s.median_points is None else f"{s.median_points:g}",
                    "" if hardest is None else f"{hardest[0]} ({hardest[1][0]}/{hardest[1][1]})",
                )
            console.print(items)
    except GraderError as exc:
        raise fail(str(exc)) from exc

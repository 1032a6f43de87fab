"""`grader users ...`: create accounts from the command line."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.text import Text

from grader.cli.output import console, fail
from grader.config import get_settings
from grader.db.models import Role
from grader.db.session import get_sessionmaker
from grader.errors import GraderError
from grader.services.users import create_user

app = typer.Typer(help="Manage users.", no_args_is_help=True)


def _create(username: str, password: str | None, role: Role) -> None:
    try:
        with get_sessionmaker(get_settings().database_url)() as session:
            user = create_user(session, username, password, role)
    except GraderError as exc:
        raise fail(str(exc)) from exc
    console.print(
        Text.assemble(f"created {user.role.value} ", (user.username, "bold"), f" (id {user.id})")
    )


@app.command("create-admin")
def create_admin(
    username: str,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="GRADER_ADMIN_PASSWORD",
            help="Asked for when not given; GRADER_ADMIN_PASSWORD keeps it out of `ps`.",
        ),
    ],
) -> None:
    """Create an admin who logs in with USERNAME and the password."""
    _create(username, password, Role.ADMIN)


@app.command("create")
def create(
    username: str,
    password: Annotated[str | None, typer.Option(help="Omit to print a generated one.")] = None,
) -> None:
    """Create a candidate."""
    if password is None:
        password = secrets.token_urlsafe(12)
        console.print(Text.assemble("password: ", (password, "bold")))
    _create(username, password, Role.CANDIDATE)

"""`grader sandbox ...`: build the image, print its tag, sweep leftovers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from grader.cli.output import console, fail, spinner
from grader.config import get_settings
from worker.sandbox import SandboxError, build_image, connect, image_tag, sweep
from worker.sandbox.image import BuildMethod

app = typer.Typer(help="Build and maintain the sandbox image.", no_args_is_help=True)

#: Build steps worth a line of their own above the spinner.
MILESTONES = ("building", "adding", "importing", "debootstrap", "installing")


@app.command("build")
def build(
    method: Annotated[BuildMethod | None, typer.Option(help="How to make the base image.")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the tag exists.")] = False,
) -> None:
    """Build the sandbox image (skipped when its input hash is already built)."""
    settings = get_settings()
    try:
        client = connect(settings.docker_url)
        with spinner() as progress:
            task = progress.add_task("building the sandbox image", total=None)

            def show(line: str) -> None:
                progress.update(task, description=line[:100])
                if line.startswith(MILESTONES):
                    progress.console.print(Text.assemble(("• ", "dim"), line))

            tag = build_image(
                client, show, method or settings.sandbox_build_method, settings.debian_mirror, force
            )
    except SandboxError as exc:
        raise fail(str(exc)) from exc
    console.print(Text.assemble("sandbox image: ", (tag, "bold")))


@app.command("tag")
def tag() -> None:
    """Print the tag the current requirements and harness hash to."""
    console.print(image_tag())


@app.command("sweep")
def sweep_leftovers(
    everything: Annotated[
        bool, typer.Option(help="Also remove live ones (no grading running).")
    ] = False,
) -> None:
    """Remove sandbox containers and volumes left by dead or overdue gradings."""
    try:
        removed = sweep(connect(get_settings().docker_url), everything=everything)
    except SandboxError as exc:
        raise fail(str(exc)) from exc
    console.print(f"removed {removed} container(s)")

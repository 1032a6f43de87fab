"""Build the sandbox image, with or without a container registry.

Two layers, each tagged by a hash of its inputs so it is rebuilt only when they change:
- the base (Debian bookworm, Python 3.11, pinned packages from `image/requirements.txt`), made
  either from `image/Dockerfile` (`FROM python:3.11-slim-bookworm`, needs a registry) or offline
  with `debootstrap` + pip in a chroot + `docker import`; `image/provision.sh` does the same
  work on both paths;
- the harness (`harness/`), added with `image/Dockerfile.harness` on top of the local base.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import docker
import docker.errors

from worker.sandbox.errors import ImageBuildError

IMAGE_DIR = Path(__file__).parent / "image"
HARNESS_DIR = Path(__file__).parent / "harness"
BASE_REPOSITORY = "interview-grader-sandbox-base"
REPOSITORY = "interview-grader-sandbox"
DEBIAN_SUITE = "bookworm"
#: Debian packages of the offline base; python3 is 3.11 on bookworm, like python:3.11-slim.
DEBIAN_PACKAGES = "python3,python3-venv,ca-certificates"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

Progress = Callable[[str], None]
"""Receives one line of build output at a time."""


class BuildMethod(StrEnum):
    AUTO = "auto"
    """debootstrap when running as root with it installed, else the Dockerfile."""
    DOCKERFILE = "dockerfile"
    DEBOOTSTRAP = "debootstrap"


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _harness_files() -> list[Path]:
    return sorted(p for p in HARNESS_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def base_tag() -> str:
    inputs = [
        (IMAGE_DIR / "requirements.txt").read_bytes(),
        (IMAGE_DIR / "provision.sh").read_bytes(),
        (IMAGE_DIR / "Dockerfile").read_bytes(),
        f"{DEBIAN_SUITE}:{DEBIAN_PACKAGES}".encode(),
    ]
    return f"{BASE_REPOSITORY}:{_digest(inputs)}"


def image_tag() -> str:
    """The tag of the sandbox image for the current requirements and harness code."""
    inputs = [base_tag().encode(), (IMAGE_DIR / "Dockerfile.harness").read_bytes()]
    for path in _harness_files():
        inputs += [path.relative_to(HARNESS_DIR).as_posix().encode(), path.read_bytes()]
    return f"{REPOSITORY}:{_digest(inputs)}"


def image_exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def _run(cmd: list[str], progress: Progress, env: dict[str, str] | None = None) -> None:
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        line = line.rstrip()
        if line:
            progress(line)
            tail = [*tail[-19:], line]
    if proc.wait() != 0:
        raise ImageBuildError(
            f"{' '.join(cmd[:2])} failed (exit {proc.returncode}):\n" + "\n".join(tail)
        )


def _stream_build(client: docker.DockerClient, progress: Progress, **kwargs: Any) -> None:
    try:
        for chunk in client.api.build(decode=True, rm=True, forcerm=True, **kwargs):
            if "error" in chunk:
                raise ImageBuildError(str(chunk["error"]).strip())
            text = str(chunk.get("stream", "")).strip()
            if text:
                progress(text)
    except docker.errors.APIError as exc:
        raise ImageBuildError(str(exc)) from exc


def build_base_debootstrap(
    client: docker.DockerClient, tag: str, progress: Progress, mirror: str, workdir: Path
) -> None:
    if os.geteuid() != 0:
        raise ImageBuildError("the offline build runs debootstrap and chroot: run it as root")
    if shutil.which("debootstrap") is None:
        raise ImageBuildError("debootstrap is not installed: apt-get install debootstrap")
    rootfs = workdir / "rootfs"
    progress(f"debootstrap {DEBIAN_SUITE} from {mirror}")
    _run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={DEBIAN_PACKAGES}",
            DEBIAN_SUITE,
            str(rootfs),
            mirror,
        ],
        progress,
    )
    shutil.copy(IMAGE_DIR / "requirements.txt", rootfs / "tmp" / "requirements.txt")
    shutil.copy(IMAGE_DIR / "provision.sh", rootfs / "tmp" / "provision.sh")
    # pip in the chroot resolves names and checks certificates like the host does.
    shutil.copy("/etc/resolv.conf", rootfs / "etc" / "resolv.conf")
    if HOST_CA_BUNDLE.exists():
        shutil.copy(HOST_CA_BUNDLE, rootfs / "etc" / "ssl" / "certs" / "ca-certificates.crt")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_DEFAULT_TIMEOUT"):
        if name in os.environ and not os.environ[name].startswith("file:"):
            env[name] = os.environ[name]
    progress("installing Python packages in the chroot")
    _run(["chroot", str(rootfs), "sh", "/tmp/provision.sh"], progress, env=env)
    (rootfs / "etc" / "resolv.conf").write_text("")
    tarball = workdir / "rootfs.tar"
    progress("packing the root filesystem")
    _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."], progress)
    progress(f"importing as {tag}")
    repository, _, version = tag.partition(":")
    try:
        client.api.import_image_from_file(str(tarball), repository=repository, tag=version)
    except docker.errors.APIError as exc:
        raise ImageBuildError(f"docker import failed: {exc}") from exc


def build_base_dockerfile(client: docker.DockerClient, tag: str, progress: Progress) -> None:
    _stream_build(
        client, progress, path=str(IMAGE_DIR), dockerfile="Dockerfile", tag=tag, pull=True
    )


def build_harness(client: docker.DockerClient, base: str, tag: str, progress: Progress) -> None:
    with tempfile.TemporaryDirectory(prefix="grader-harness-") as tmp:
        context = Path(tmp)
        shutil.copy(IMAGE_DIR / "Dockerfile.harness", context / "Dockerfile")
        shutil.copytree(
            HARNESS_DIR, context / "harness", ignore=shutil.ignore_patterns("__pycache__")
        )
        _stream_build(
            client, progress, path=str(context), tag=tag, buildargs={"BASE_IMAGE": base}, pull=False
        )


def build_image(
    client: docker.DockerClient,
    progress: Progress,
    method: BuildMethod = BuildMethod.AUTO,
    mirror: str = "http://deb.debian.org/debian",
    force: bool = False,
) -> str:
    """Build what is missing of the sandbox image and return its tag."""
    tag, base = image_tag(), base_tag()
    if image_exists(client, tag) and not force:
        progress(f"{tag} is up to date")
        return tag
    if force or not image_exists(client, base):
        if method is BuildMethod.AUTO:
            method = _default_method()
        progress(f"building the base image {base} ({method.value})")
        if method is BuildMethod.DOCKERFILE:
            build_base_dockerfile(client, base, progress)
        else:
            with tempfile.TemporaryDirectory(prefix="grader-rootfs-") as tmp:
                build_base_debootstrap(client, base, progress, mirror, Path(tmp))
    progress(f"adding the harness: {tag}")
    build_harness(client, base, tag, progress)
    return tag


def _default_method() -> BuildMethod:
    """debootstrap where it can run (root, installed), else the registry-based Dockerfile.

    Chosen without probing a registry: the CI machine must send no traffic outside the
    package mirrors, and a pull attempt would.
    """
    if os.geteuid() == 0 and shutil.which("debootstrap") is not None:
        return BuildMethod.DEBOOTSTRAP
    return BuildMethod.DOCKERFILE

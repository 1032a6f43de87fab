"""Challenge upload: an archive is checked entry by entry before anything touches the disk,
then stored as a pending version that goes live only once its suite is proven."""

from __future__ import annotations

import io
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.db.models import Challenge, ChallengeStatus, ChallengeVersion, VersionStatus
from grader.errors import InvalidInput, MalformedInput, SubmissionTooLarge
from grader.services.challenges import content_hash, new_version
from worker.challenge import ChallengeError, ChallengeSpec, load_challenge

MAX_ENTRIES = 500
MAX_DEPTH = 8
#: Longest entry name read from a header (GNU long names and PAX headers can declare any size).
MAX_NAME = 1024
#: What a tar stream may hold besides the files' bytes: a 512-byte header and up to 511 bytes of
#: padding per entry, a long-name or PAX header each, the end-of-archive blocks and the record
#: padding.
TAR_OVERHEAD = MAX_ENTRIES * 4 * 512 + 20 * 512


class InvalidArchive(InvalidInput):
    """The archive is readable but breaks a rule (paths, links, size, content); nothing was
    unpacked."""


class MalformedArchive(MalformedInput):
    """The upload cannot be read as a .zip or .tar.gz (or its entries contradict each other)."""


class ArchiveTooLarge(SubmissionTooLarge):
    """The archive or its unpacked content is over the limit."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_archive_bytes: int
    max_unpacked_bytes: int


def read_archive(data: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    """Every regular file of a zip or tar.gz, by relative path, with one top folder removed.

    Refused before reading any content: links, devices, absolute or `..` paths, duplicate
    names, too many entries; while reading, more bytes than allowed (sizes in headers can lie).
    """
    if len(data) > limits.max_archive_bytes:
        raise ArchiveTooLarge(f"the archive is over {limits.max_archive_bytes} bytes")
    if data[:4] == b"PK\x03\x04":
        entries = _zip_entries(data, limits)
    elif data[:2] == b"\x1f\x8b":
        entries = _tar_entries(_gunzip(data, limits.max_unpacked_bytes + TAR_OVERHEAD), limits)
    else:
        raise MalformedArchive("upload a .zip or a .tar.gz of the challenge folder")
    _check_tree(entries)
    return _strip_top_folder(entries)


def _gunzip(data: bytes, limit: int) -> bytes:
    """The whole gzip stream (every member), decompressed at most `limit` bytes at a time: a
    small archive cannot inflate past the cap before anything is parsed."""
    out = bytearray()
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=31)
            out += inflater.decompress(rest, limit + 1 - len(out))
            if len(out) > limit or inflater.unconsumed_tail:
                raise ArchiveTooLarge(f"the archive unpacks to over {limit} bytes")
            if not inflater.eof:
                raise MalformedArchive("not a readable tar.gz: the gzip stream is cut short")
            rest = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as exc:
        raise MalformedArchive(f"not a readable tar.gz: {exc}") from exc
    return bytes(out)


def _check_tree(entries: dict[str, bytes]) -> None:
    """No entry may be both a file and a folder (`a` and `a/b`)."""
    for name in entries:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent in entries:
                raise MalformedArchive(f"archive entry {parent!r} is both a file and a folder")


def _check_name(name: str) -> str | None:
    """The normalised relative path of a regular file, None for a directory entry."""
    if len(name) > MAX_NAME:
        raise InvalidArchive(f"archive entry {name[:60]!r}...: names are at most {MAX_NAME} long")
    if "\x00" in name or "\\" in name or name.startswith("/") or PurePosixPath(name).is_absolute():
        raise InvalidArchive(f"archive entry {name!r}: only relative paths are allowed")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidArchive(f"archive entry {name!r}: '..' is not allowed")
    if len(parts) > MAX_DEPTH:
        raise InvalidArchive(f"archive entry {name!r} is nested too deep")
    if name.endswith("/") or not parts:
        return None
    return "/".join(parts)


def _zip_entries(data: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        _check_count(len(infos))
        files: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool did not say
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise InvalidArchive(f"archive entry {info.filename!r} is not a regular file")
            name = _check_name(info.filename)
            if name is not None and not info.is_dir():
                files.append((name, info))
        _check_total(sum(info.file_size for _, info in files), limits)
        budget = _Budget(limits.max_unpacked_bytes)
        out: dict[str, bytes] = {}
        for name, info in files:
            with archive.open(info) as handle:
                _add(out, name, budget.read(handle))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise MalformedArchive(f"not a readable zip: {exc}") from exc
    except (NotImplementedError, RuntimeError, ValueError) as exc:  # methods, encryption
        raise MalformedArchive(f"not a readable zip: {exc}") from exc
    return out


def _tar_entries(data: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    """The files of an uncompressed tar stream (already bounded in size by `_gunzip`)."""
    budget = _Budget(limits.max_unpacked_bytes)
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # noqa: SIM115
        files: list[tuple[str, tarfile.TarInfo]] = []
        declared = 0
        for count, member in enumerate(archive, start=1):
            # Checked as the headers stream by, before the next member is decompressed.
            _check_count(count)
            declared += member.size
            _check_total(declared, limits)
            if not (member.isfile() or member.isdir()):
                raise InvalidArchive(f"archive entry {member.name!r} is not a regular file")
            name = _check_name(member.name + ("/" if member.isdir() else ""))
            if name is not None:
                files.append((name, member))
        out: dict[str, bytes] = {}
        for name, member in files:
            handle = archive.extractfile(member)
            assert handle is not None
            _add(out, name, budget.read(handle))
    except (tarfile.TarError, EOFError, OSError, ValueError, UnicodeError) as exc:
        raise MalformedArchive(f"not a readable tar.gz: {exc}") from exc
    return out


def _check_count(count: int) -> None:
    if count > MAX_ENTRIES:
        raise InvalidArchive(f"the archive has more than {MAX_ENTRIES} entries")


def _check_total(total: int, limits: ArchiveLimits) -> None:
    if total > limits.max_unpacked_bytes:
        raise ArchiveTooLarge(f"the archive unpacks to over {limits.max_unpacked_bytes} bytes")


class _Budget:
    def __init__(self, remaining: int) -> None:
        self.remaining = remaining

    def read(self, handle: IO[bytes]) -> bytes:
        content = handle.read(self.remaining + 1)
        if len(content) > self.remaining:
            raise ArchiveTooLarge("the archive unpacks to more than its headers declare")
        self.remaining -= len(content)
        return content


def _add(out: dict[str, bytes], name: str, content: bytes) -> None:
    if name in out:
        raise MalformedArchive(f"archive entry {name!r} appears twice")
    out[name] = content


def _strip_top_folder(entries: dict[str, bytes]) -> dict[str, bytes]:
    """`hello/challenge.toml` -> `challenge.toml` when everything sits in one folder."""
    if "challenge.toml" in entries or not entries:
        return entries
    tops = {name.split("/", 1)[0] for name in entries}
    if len(tops) == 1 and all("/" in name for name in entries):
        return {name.split("/", 1)[1]: content for name, content in entries.items()}
    return entries


def load_uploaded(entries: dict[str, bytes]) -> ChallengeSpec:
    """Write the checked entries to a private temp folder and load them as a challenge."""
    with tempfile.TemporaryDirectory(prefix="grader-upload-") as tmp:
        root = Path(tmp)
        try:
            for name, content in entries.items():
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        except OSError as exc:  # a name the file system refuses (too long, say)
            raise InvalidArchive(f"an archive entry cannot be unpacked: {exc.strerror}") from exc
        try:
            return load_challenge(root)
        except ChallengeError as exc:
            raise InvalidArchive(str(exc).replace(str(root), "<archive>")) from exc


def add_pending_version(
    session: Session, spec: ChallengeSpec, enqueue_validation: Callable[[int], None]
) -> tuple[ChallengeVersion, bool]:
    """Store `spec` as a pending version (a new challenge stays invisible until it is live),
    commit, and hand it to a worker for validation; returns it and whether it is new. The same
    content as the challenge's latest version (a byte-identical archive again) is that version,
    not a new one."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == spec.slug))
    if challenge is None:
        challenge = Challenge(slug=spec.slug, status=ChallengeStatus.ACTIVE)
        session.add(challenge)
        session.flush()
    latest = session.scalar(
        select(ChallengeVersion)
        .where(ChallengeVersion.challenge_id == challenge.id)
        .order_by(ChallengeVersion.number.desc())
        .limit(1)
    )
    if latest is not None and latest.content_hash == content_hash(spec):
        return latest, False
    version = new_version(session, challenge, spec, status=VersionStatus.PENDING)
    session.commit()
    enqueue_validation(version.id)
    return version, True


def finish_validation(
    session: Session,
    version_id: int,
    problems: list[str],
    summary: dict[str, Any] | None = None,
) -> ChallengeVersion:
    """Make a proven version live (and current, unless a newer one already is), or reject it;
    keep what the validation measured."""
    version = session.get(ChallengeVersion, version_id)
    if version is None:
        raise InvalidInput(f"no challenge version {version_id}")
    challenge = session.get(Challenge, version.challenge_id)
    assert challenge is not None
    version.problems = problems or None
    version.validation = summary
    version.status = VersionStatus.REJECTED if problems else VersionStatus.LIVE
    current = challenge.current_version
    if not problems and (current is None or current.number < version.number):
        challenge.current_version = version
    session.commit()
    return version

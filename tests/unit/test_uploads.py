"""Challenge archives are checked before anything is unpacked."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Sequence

import pytest

from grader.errors import InvalidInput, SubmissionTooLarge
from grader.services.uploads import ArchiveLimits, InvalidArchive, load_uploaded, read_archive
from tests.unit.conftest import HELLO

LIMITS = ArchiveLimits(max_archive_bytes=2 * 1024 * 1024, max_unpacked_bytes=1024 * 1024)


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_of(members: Sequence[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, content in members:
            archive.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def file_info(name: str, content: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, content


def hello_entries(prefix: str = "") -> dict[str, bytes]:
    return {
        prefix + path.relative_to(HELLO).as_posix(): path.read_bytes()
        for path in HELLO.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_zipped_challenge_folder_loads_with_its_top_folder_stripped() -> None:
    spec = load_uploaded(read_archive(zip_of(hello_entries("hello-world/")), LIMITS))
    assert spec.slug == "hello-world" and "main.py" in spec.solution and spec.mutants


def test_a_tar_gz_challenge_loads() -> None:
    members = [file_info(name, content) for name, content in hello_entries().items()]
    spec = load_uploaded(read_archive(tar_of(members), LIMITS))
    assert spec.slug == "hello-world"


@pytest.mark.parametrize("name", ["../evil.py", "/etc/cron.d/x", "a/../../evil.py", "a\\b.py"])
def test_zip_entries_escaping_the_folder_are_refused(name: str) -> None:
    with pytest.raises(InvalidArchive):
        read_archive(zip_of({"challenge.toml": b"", name: b"x"}), LIMITS)


def test_tar_links_and_devices_are_refused() -> None:
    link = tarfile.TarInfo("solution/main.py")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(InvalidArchive, match="not a regular file"):
        read_archive(tar_of([(link, None)]), LIMITS)
    device = tarfile.TarInfo("dev")
    device.type = tarfile.CHRTYPE
    with pytest.raises(InvalidArchive, match="not a regular file"):
        read_archive(tar_of([(device, None)]), LIMITS)


def test_declared_sizes_over_the_limit_are_refused_before_reading() -> None:
    big = b"0" * (LIMITS.max_unpacked_bytes + 1)
    with pytest.raises(SubmissionTooLarge):
        read_archive(zip_of({"challenge.toml": b"", "big.txt": big}), LIMITS)
    with pytest.raises(SubmissionTooLarge):
        read_archive(tar_of([file_info("big.txt", big)]), LIMITS)


def test_an_archive_over_the_upload_limit_is_refused() -> None:
    with pytest.raises(SubmissionTooLarge):
        read_archive(b"PK\x03\x04" + b"0" * LIMITS.max_archive_bytes, LIMITS)


def test_duplicate_names_and_non_archives_are_refused() -> None:
    entries = [file_info("a.txt", b"1"), file_info("./a.txt", b"2")]
    with pytest.raises(InvalidArchive, match="twice"):
        read_archive(tar_of(entries), LIMITS)
    with pytest.raises(InvalidArchive, match=r"\.zip or a \.tar\.gz"):
        read_archive(b"just text", LIMITS)


def test_a_broken_challenge_is_refused_without_temp_paths() -> None:
    entries = hello_entries()
    del entries["solution/main.py"]
    with pytest.raises(InvalidInput) as caught:
        load_uploaded(read_archive(zip_of(entries), LIMITS))
    assert str(caught.value) == "<archive>: missing solution"
    assert "grader-upload-" not in str(caught.value)


def test_zip_symlinks_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("solution/main.py")
        link.external_attr = (0o120777) << 16  # S_IFLNK
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(InvalidArchive, match="not a regular file"):
        read_archive(buffer.getvalue(), LIMITS)

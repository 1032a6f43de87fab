"""Challenge archives are checked before anything is unpacked."""

from __future__ import annotations

import contextlib
import gzip
import io
import tarfile
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import InvalidInput, MalformedInput, SubmissionTooLarge
from grader.services.uploads import (
    ArchiveLimits,
    ArchiveTooLarge,
    InvalidArchive,
    MalformedArchive,
    load_uploaded,
    read_archive,
)
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


def test_duplicate_names_and_non_archives_are_malformed() -> None:
    entries = [file_info("a.txt", b"1"), file_info("./a.txt", b"2")]
    with pytest.raises(MalformedArchive, match="twice"):
        read_archive(tar_of(entries), LIMITS)
    with pytest.raises(MalformedArchive, match=r"\.zip or a \.tar\.gz"):
        read_archive(b"just text", LIMITS)


def tar_of_entries(entries: dict[str, bytes]) -> bytes:
    return tar_of([file_info(name, content) for name, content in entries.items()])


@pytest.mark.parametrize("pack", [zip_of, tar_of_entries])
def test_an_entry_that_is_both_a_file_and_a_folder_is_malformed(
    pack: Callable[[dict[str, bytes]], bytes],
) -> None:
    with pytest.raises(MalformedArchive, match="both a file and a folder"):
        read_archive(pack({"tests": b"x", "tests/test_a.py": b"y"}), LIMITS)


def test_a_huge_long_name_header_is_refused_within_bounded_memory() -> None:
    """A GNU long-name (or PAX) header may declare any size; a few hundred KB of gzip can
    declare hundreds of MB. The stream is bounded before tarfile reads a header."""
    header = tarfile.TarInfo("././@LongLink")
    header.type = tarfile.GNUTYPE_LONGNAME
    header.size = 600 * 1024 * 1024
    raw = header.tobuf(format=tarfile.GNU_FORMAT)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    bomb = packer.compress(raw) + b"".join(packer.compress(zeros) for _ in range(600))
    bomb += packer.flush()
    assert len(bomb) < LIMITS.max_archive_bytes
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveTooLarge):
            read_archive(bomb, LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak


def test_a_gzip_bomb_is_refused_before_it_is_parsed() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(packer.compress(bytes(1 << 20)) for _ in range(200)) + packer.flush()
    with pytest.raises(ArchiveTooLarge):
        read_archive(bomb, LIMITS)


def _valid_archives() -> list[bytes]:
    entries = hello_entries("hello-world/")
    return [zip_of(entries), tar_of_entries(entries)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_valid_archives()),
    st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8),
    st.booleans(),
)
def test_a_malformed_archive_is_always_a_clear_refusal(
    archive: bytes, flips: list[tuple[int, int]], truncate: bool
) -> None:
    """Any damage to a valid archive's bytes (headers included) ends as a refusal the API maps
    to a 4xx, or as a loaded challenge: never another exception (a 500)."""
    data = bytearray(archive)
    for position, value in flips:
        data[position % len(data)] = value
    if truncate:
        del data[len(data) // 2 :]
    with contextlib.suppress(InvalidInput, MalformedInput, SubmissionTooLarge):
        load_uploaded(read_archive(bytes(data), LIMITS))


def test_tar_headers_with_damaged_fields_are_refused_clearly() -> None:
    """Malformed header fields (size, mode, checksum, PAX records) in the decompressed stream."""
    info, content = file_info("hello-world/challenge.toml", b"x")
    good = info.tobuf(format=tarfile.PAX_FORMAT) + content.ljust(512, b"\0")
    for offset, junk in [(124, b"9" * 12), (148, b"zzzzzzz\0"), (100, b"\xff" * 8)]:
        raw = bytearray(good)
        raw[offset : offset + len(junk)] = junk
        with pytest.raises((InvalidInput, MalformedInput)):
            read_archive(gzip.compress(bytes(raw) + bytes(1024)), LIMITS)


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

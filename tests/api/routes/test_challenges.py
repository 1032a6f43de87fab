"""The catalog through the API: what candidates see, what admins may change."""

from __future__ import annotations

import io
import zipfile

from grader.db.models import Role
from tests.api.conftest import Api

PATH = "/api/v1/challenges"


def test_candidates_see_the_prompt_and_starter_never_the_hidden_parts(api: Api) -> None:
    headers = api.user("carol")
    listed = api.call("GET", PATH, headers).json()
    assert [c["slug"] for c in listed] == ["hello-world"]
    detail = api.call("GET", f"{PATH}/hello-world", headers).json()
    assert detail["prompt"].startswith("# Hello World") and "main.py" in detail["starter"]
    assert not {"tests", "solution", "mutants", "alternatives"} & set(detail)


def test_an_archived_challenge_is_hidden_from_candidates_until_restored(api: Api) -> None:
    admin, carol = api.user("boss", Role.ADMIN), api.user("carol")
    assert api.call("POST", f"{PATH}/hello-world/archive", admin).json()["status"] == "archived"
    assert api.call("GET", PATH, carol).json() == []
    assert api.call("GET", f"{PATH}/hello-world", carol).status_code == 404
    assert api.call("GET", f"{PATH}/hello-world", admin).status_code == 200
    assert api.call("POST", f"{PATH}/hello-world/restore", admin).json()["status"] == "active"
    assert api.call("GET", f"{PATH}/hello-world", carol).status_code == 200


def test_versions_are_listed_for_admins(api: Api) -> None:
    versions = api.call("GET", f"{PATH}/hello-world/versions", api.user("boss", Role.ADMIN))
    assert [(v["slug"], v["version"], v["status"]) for v in versions.json()] == [
        ("hello-world", 1, "live")
    ]
    assert api.call("GET", f"{PATH}/nope/versions", api.user("b2", Role.ADMIN)).status_code == 404


def archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
    return buffer.getvalue()


def test_bad_archives_are_refused_with_a_reason(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    cases = [
        (b"not an archive", 400, "zip"),
        (archive({"tests": "x", "tests/test_a.py": "y"}), 400, "both a file and a folder"),
        (archive({"../evil.py": ""}), 422, ".."),
        (archive({"README.md": "# x"}), 422, "challenge.toml"),
    ]
    for data, status, reason in cases:
        response = api.call("POST", PATH, admin, files={"file": ("c.zip", data, "application/zip")})
        assert response.status_code == status and reason in response.json()["detail"]


def test_an_upload_over_the_limit_is_a_413(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    data = b"PK\x03\x04" + b"\0" * api.settings.max_upload_bytes
    response = api.call("POST", PATH, admin, files={"file": ("c.zip", data, "application/zip")})
    assert response.status_code == 413

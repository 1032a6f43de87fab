import hashlib

import pytest

MAX_SIZE = 65536
BINARY = bytes(range(256)) * 100  # 25600 bytes, every byte value, not valid UTF-8


def sha(data):
    return hashlib.sha256(data).hexdigest()


def upload(client, content, filename="notes.txt", content_type="text/plain", **fields):
    data = {"title": "My file", **fields}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/files", files={"file": (filename, content, content_type)}, data=data)


def expect_ok(response, what):
    assert response.status_code == 200, (
        f"POST /files with {what} should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body, dict), f"POST /files should answer a JSON object, got {body!r}"
    return body


def check_field(body, key, expected, what):
    assert key in body, f"the POST /files response for {what} should have `{key}`, got keys {sorted(body)}"
    assert body[key] == expected, (
        f"the POST /files response for {what}: `{key}` should be {expected!r}, got {body[key]!r}"
    )


# --- POST /files -----------------------------------------------------------------------------


@pytest.mark.points(14)
@pytest.mark.rule("R1")
def test_upload_text_file(client):
    content = b"hello world\nsecond line\n"
    body = expect_ok(upload(client, content, "notes.txt", "text/plain", title="Meeting notes"), "a text file")
    what = "a 24-byte text/plain file notes.txt"
    check_field(body, "filename", "notes.txt", what)
    check_field(body, "content_type", "text/plain", what)
    check_field(body, "size", len(content), what)
    check_field(body, "sha256", sha(content), what)
    check_field(body, "title", "Meeting notes", what)


@pytest.mark.points(10)
@pytest.mark.rule("R1")
def test_upload_binary_file(client):
    response = upload(client, BINARY, "blob.png", "application/x-custom-binary", title="Binary")
    body = expect_ok(response, "a binary file")
    what = "a 25600-byte binary file (all byte values) sent as blob.png, application/x-custom-binary"
    check_field(body, "filename", "blob.png", what)
    check_field(body, "content_type", "application/x-custom-binary", what)
    check_field(body, "size", len(BINARY), what)
    check_field(body, "sha256", sha(BINARY), what)


@pytest.mark.points(6)
@pytest.mark.rule("R3")
def test_public_flag(client):
    for sent, expected in (("true", True), ("false", False), (None, False)):
        what = f"public={sent}" if sent is not None else "no `public` field"
        body = expect_ok(upload(client, b"x", public=sent), what)
        assert body.get("public") is expected, (
            f"POST /files with {what} should answer \"public\": {str(expected).lower()}, got {body.get('public')!r}"
        )


@pytest.mark.points(3)
@pytest.mark.rule("R4")
def test_upload_requires_a_file(client):
    response = client.post("/files", data={"title": "No file"}, files={"other": ("a.txt", b"abc", "text/plain")})
    assert response.status_code == 422, f"POST /files without a `file` part should answer 422, got {response.status_code}"


@pytest.mark.points(5)
@pytest.mark.rule("R2")
def test_title_is_1_to_100_characters(client):
    response = client.post("/files", files={"file": ("a.txt", b"abc", "text/plain")})
    assert response.status_code == 422, f"POST /files without `title` should answer 422, got {response.status_code}"
    for title, what in (("", "an empty `title`"), ("t" * 101, "a 101-character `title`")):
        response = upload(client, b"abc", title=title)
        assert response.status_code == 422, f"POST /files with {what} should answer 422, got {response.status_code}"
    for title, what in (("t" * 100, "a 100-character"), ("t", "a 1-character"), ("é" * 100, "a 100-character accented")):
        body = expect_ok(upload(client, b"abc", title=title), f"{what} `title`")
        check_field(body, "title", title, f"{what} `title`")


@pytest.mark.points(8)
@pytest.mark.rule("R6")
def test_file_of_exactly_max_size_is_accepted(client):
    content = b"a" * MAX_SIZE
    body = expect_ok(upload(client, content, "max.txt"), "a file of exactly 65536 bytes")
    check_field(body, "size", MAX_SIZE, "a file of exactly 65536 bytes")
    check_field(body, "sha256", sha(content), "a file of exactly 65536 bytes")


@pytest.mark.points(10)
@pytest.mark.rule("R6")
def test_file_over_max_size_is_413(client):
    response = upload(client, b"a" * (MAX_SIZE + 1), "big.txt")
    assert response.status_code == 413, (
        f"POST /files with a 65537-byte file should answer 413, got {response.status_code}"
    )
    assert response.json() == {"detail": "File too large"}, (
        f"POST /files with a file over the limit should answer {{'detail': 'File too large'}}, got {response.text[:200]}"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R5")
def test_empty_file_is_400(client):
    response = upload(client, b"", "empty.txt")
    assert response.status_code == 400, f"POST /files with an empty file should answer 400, got {response.status_code}"
    assert response.json() == {"detail": "Empty file"}, (
        f"POST /files with an empty file should answer {{'detail': 'Empty file'}}, got {response.text[:200]}"
    )
    body = expect_ok(upload(client, b"!", "one.txt"), "a 1-byte file")
    check_field(body, "size", 1, "a 1-byte file")


# --- POST /files/batch -----------------------------------------------------------------------


@pytest.mark.points(10)
@pytest.mark.rule("R7", "R8")
def test_batch_describes_every_file_in_order(client):
    parts = [("c.txt", b"first file"), ("a.bin", BINARY[:1000]), ("b.txt", b""), ("d.txt", b"z" * MAX_SIZE)]
    response = client.post(
        "/files/batch", files=[("files", (name, content, "application/octet-stream")) for name, content in parts]
    )
    assert response.status_code == 200, (
        f"POST /files/batch with 4 files should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    assert body.get("count") == 4, f"POST /files/batch with 4 files should answer count 4, got {body.get('count')!r}"
    total = sum(len(content) for _, content in parts)
    assert body.get("total_size") == total, (
        f"POST /files/batch should answer total_size {total}, got {body.get('total_size')!r}"
    )
    files = body.get("files")
    assert isinstance(files, list) and len(files) == 4, f"`files` should list the 4 files, got {files!r}"
    for index, ((name, content), entry) in enumerate(zip(parts, files)):
        assert isinstance(entry, dict), f"entry {index} of `files` should be an object, got {entry!r}"
        got = {key: entry.get(key) for key in ("filename", "size", "sha256")}
        expected = {"filename": name, "size": len(content), "sha256": sha(content)}
        assert got == expected, (
            f"entry {index} of `files` should describe file {index} as sent ({name}, {len(content)} bytes), got {got}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R8")
def test_batch_rejects_a_file_over_max_size(client):
    response = client.post(
        "/files/batch",
        files=[("files", ("ok.txt", b"fine", "text/plain")), ("files", ("big.txt", b"b" * (MAX_SIZE + 1), "text/plain"))],
    )
    assert response.status_code == 413, (
        f"POST /files/batch with one 65537-byte file should answer 413, got {response.status_code}"
    )
    assert response.json() == {"detail": "File too large"}, (
        f"POST /files/batch with a file over the limit should answer {{'detail': 'File too large'}}, got {response.text[:200]}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R9")
def test_batch_requires_files(client):
    response = client.post("/files/batch", files={"other": ("a.txt", b"abc", "text/plain")})
    assert response.status_code == 422, (
        f"POST /files/batch without any `files` part should answer 422, got {response.status_code}"
    )


# --- POST /login -----------------------------------------------------------------------------


@pytest.mark.points(8)
@pytest.mark.rule("R10")
def test_login_with_form_data(client):
    for username, password in (("alice", "wonderland"), ("bob", "builder")):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 200, (
            f"POST /login (form) as {username} with the right password should answer 200, got {response.status_code}"
        )
        expected = {"username": username, "message": f"Welcome, {username}!"}
        assert response.json() == expected, f"POST /login as {username} should answer {expected}, got {response.json()!r}"


@pytest.mark.points(8)
@pytest.mark.rule("R11")
def test_login_rejects_bad_credentials(client):
    for username, password in (("alice", "builder"), ("carol", "wonderland"), ("bob", "Builder"), ("Alice", "wonderland")):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 401, (
            f"POST /login (form) as {username!r} with password {password!r} should answer 401, got {response.status_code}"
        )
        assert response.json() == {"detail": "Invalid username or password"}, (
            f"a failed login should answer {{'detail': 'Invalid username or password'}}, got {response.text[:200]}"
        )


@pytest.mark.points(4)
@pytest.mark.rule("R12")
def test_login_needs_form_fields(client):
    response = client.post("/login", data={"username": "alice"})
    assert response.status_code == 422, f"POST /login without `password` should answer 422, got {response.status_code}"
    response = client.post("/login", data={"password": "wonderland"})
    assert response.status_code == 422, f"POST /login without `username` should answer 422, got {response.status_code}"
    response = client.post("/login", json={"username": "alice", "password": "wonderland"})
    assert response.status_code == 422, (
        f"POST /login with a JSON body (not form data) should answer 422, got {response.status_code}"
    )

import random
import shutil
import sqlite3
import string
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

NOT_FOUND = {"detail": "Note not found"}
MISSING_ID = 987654321


def word(k: int = 10) -> str:
    """A random lower-case word: unique per test, so tests never see each other's notes."""
    return "".join(random.choices(string.ascii_lowercase, k=k))


def create(client, title, content=None):
    body = {"title": title} if content is None else {"title": title, "content": content}
    response = client.post("/notes", json=body)
    assert response.status_code == 201, (
        f"POST /notes with {body} should answer 201, got {response.status_code}: {response.text[:300]}"
    )
    note = response.json()
    assert isinstance(note, dict), f"POST /notes should answer the created note (a JSON object), got {note!r}"
    for key in ("id", "title", "content", "created_at"):
        assert key in note, f"a note should have the key {key!r}, got {note!r}"
    assert isinstance(note["id"], int) and not isinstance(note["id"], bool), (
        f"a note's id should be an integer, got {note['id']!r}"
    )
    return note


def parse_time(value, what="created_at") -> datetime:
    assert isinstance(value, str), f"{what} should be an ISO 8601 string, got {value!r}"
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AssertionError(f"{what} should be an ISO 8601 date-time, got {value!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def assert_same_time(first, second, what):
    a, b = parse_time(first), parse_time(second)
    assert abs(a - b) <= timedelta(seconds=1), (
        f"{what}: created_at should never change, it was {first!r} and is now {second!r}"
    )


def get(client, note_id):
    return client.get(f"/notes/{note_id}")


def assert_note(response, expected, what):
    assert response.status_code == 200, (
        f"{what} should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    note = response.json()
    assert isinstance(note, dict), f"{what} should answer a note (a JSON object), got {note!r}"
    for key in ("id", "title", "content"):
        assert note.get(key) == expected[key], (
            f"{what}: the note's {key} should be {expected[key]!r}, got {note.get(key)!r}"
        )
    assert_same_time(expected["created_at"], note.get("created_at"), what)
    return note


def assert_not_found(response, what):
    assert response.status_code == 404, (
        f"{what} should answer 404, got {response.status_code}: {response.text[:300]}"
    )
    assert response.json() == NOT_FOUND, f"{what}: the 404 body should be {NOT_FOUND}, got {response.text[:300]}"


def list_notes(client, q=None):
    response = client.get("/notes", params={"q": q} if q is not None else None)
    what = "GET /notes" + (f"?q={q}" if q is not None else "")
    assert response.status_code == 200, (
        f"{what} should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    notes = response.json()
    assert isinstance(notes, list), f"{what} should answer a JSON array of notes, got {str(notes)[:300]}"
    return notes


def db_path(app_env, data_dir) -> Path:
    url = app_env["DATABASE_URL"]
    path = Path(url.removeprefix("sqlite:///"))
    assert path.parent == data_dir, f"the grader's DATABASE_URL should point into {data_dir}, got {url}"
    return path


def db_rows(app_env, data_dir) -> dict[int, tuple]:
    path = db_path(app_env, data_dir)
    assert path.exists(), (
        f"the database file {path} (from DATABASE_URL={app_env['DATABASE_URL']}) does not exist: "
        "the app should store notes in the database DATABASE_URL names"
    )
    # /data is mounted read-only here, and SQLite cannot open a WAL-mode database read-only
    # without write access to its -shm file: read a private copy of the database and its
    # journal files instead (the app is idle between requests, so the copy is consistent).
    workdir = Path(tempfile.mkdtemp(prefix="notes-db-"))
    copy = workdir / path.name
    shutil.copyfile(path, copy)
    for suffix in ("-wal", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, copy.with_name(copy.name + suffix))
    con = sqlite3.connect(copy, timeout=5)
    try:
        columns = [row[1] for row in con.execute("PRAGMA table_info(notes)")]
        assert columns, f"the database {path} has no table `notes`"
        missing = [c for c in ("id", "title", "content", "created_at") if c not in columns]
        assert not missing, f"the table `notes` should have the columns id, title, content, created_at; it lacks {missing}"
        rows = con.execute("SELECT id, title, content, created_at FROM notes").fetchall()
    finally:
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {row[0]: row[1:] for row in rows}


# --- create and read ---------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R3", "R4", "R5", "R7")
def test_create_returns_201_and_the_note(client):
    title, content = f"Groceries {word()}", "eggs, milk, flour"
    note = create(client, title, content)
    assert note["title"] == title, f"the created note's title should be {title!r}, got {note['title']!r}"
    assert note["content"] == content, f"the created note's content should be {content!r}, got {note['content']!r}"
    moment = parse_time(note["created_at"])
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert abs(now - moment) < timedelta(hours=24), (
        f"created_at should be the time the note was created (about {now.isoformat()} UTC), got {note['created_at']!r}"
    )
    other = create(client, f"Second {word()}")
    assert other["id"] != note["id"], f"two notes should get different ids, both got {note['id']}"


@pytest.mark.points(4)
@pytest.mark.rule("R5", "R10")
def test_content_defaults_to_empty_string(client):
    note = create(client, f"No content {word()}")
    assert note["content"] == "", f"without content, the note's content should be \"\", got {note['content']!r}"
    assert_note(get(client, note["id"]), note, f"GET /notes/{note['id']}")


@pytest.mark.points(6)
@pytest.mark.rule("R6")
def test_title_rules(client):
    for body, what in [
        ({"title": ""}, "an empty title"),
        ({"title": "x" * 201}, "a 201-character title"),
        ({"content": "no title"}, "no title"),
    ]:
        response = client.post("/notes", json=body)
        assert response.status_code == 422, (
            f"POST /notes with {what} should answer 422, got {response.status_code}: {response.text[:300]}"
        )
    for title in ["x", "y" * 190 + word()]:
        note = create(client, title)
        assert note["title"] == title, (
            f"a {len(title)}-character title is valid and should be kept: expected {title!r}, got {note['title']!r}"
        )


@pytest.mark.points(6)
@pytest.mark.rule("R10")
def test_get_one_note(client):
    note = create(client, f"Read me {word()}", "some content")
    assert_note(get(client, note["id"]), note, f"GET /notes/{note['id']}")


@pytest.mark.points(5)
@pytest.mark.rule("R10")
def test_get_unknown_note_is_404(client):
    assert_not_found(get(client, MISSING_ID), f"GET /notes/{MISSING_ID}")


# --- listing ------------------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R8")
def test_list_is_ordered_by_id(client):
    created = [create(client, f"List {word()}", str(i)) for i in range(3)]
    notes = list_notes(client)
    ids = [n.get("id") for n in notes if isinstance(n, dict)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), (
        f"GET /notes should list the notes ordered by id ascending, got ids {ids[:50]}"
    )
    for note in created:
        assert note["id"] in ids, f"GET /notes should include the note {note['id']} just created, got ids {ids[:50]}"
        listed = next(n for n in notes if n.get("id") == note["id"])
        assert listed.get("title") == note["title"] and listed.get("content") == note["content"], (
            f"GET /notes should list note {note['id']} as {note}, got {listed}"
        )


@pytest.mark.points(7)
@pytest.mark.rule("R9")
def test_search_by_title_ignores_case(client):
    token = word()
    first = create(client, f"Meeting {token.upper()} agenda")
    create(client, f"Unrelated {word()}", f"mentions {token} only in the content")
    second = create(client, f"{token}-notes")
    expected = [first["id"], second["id"]]
    for q in [token, token.upper(), token[:4].upper() + token[4:8]]:
        notes = list_notes(client, q)
        ids = [n.get("id") for n in notes if isinstance(n, dict)]
        assert ids == expected, (
            f"GET /notes?q={q} should answer exactly the notes whose title contains {q!r} ignoring case, "
            f"ordered by id: expected ids {expected}, got {ids[:50]}"
        )


# --- update and delete --------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R4", "R11")
def test_update_a_note(client):
    note = create(client, f"Draft {word()}", "first version")
    body = {"title": f"Final {word()}", "content": "second version"}
    response = client.put(f"/notes/{note['id']}", json=body)
    updated = {**note, **body}
    assert_note(response, updated, f"PUT /notes/{note['id']}")
    assert_note(get(client, note["id"]), updated, f"GET /notes/{note['id']} after the PUT")


@pytest.mark.points(4)
@pytest.mark.rule("R11")
def test_update_unknown_note_is_404(client):
    response = client.put(f"/notes/{MISSING_ID}", json={"title": "Ghost", "content": ""})
    assert_not_found(response, f"PUT /notes/{MISSING_ID}")


@pytest.mark.points(4)
@pytest.mark.rule("R6", "R11")
def test_update_with_invalid_title_is_422(client):
    note = create(client, f"Keep {word()}")
    for title in ["", "z" * 201]:
        response = client.put(f"/notes/{note['id']}", json={"title": title, "content": "x"})
        assert response.status_code == 422, (
            f"PUT /notes/{note['id']} with a {len(title)}-character title should answer 422, "
            f"got {response.status_code}: {response.text[:300]}"
        )
    assert_note(get(client, note["id"]), note, f"GET /notes/{note['id']} after rejected PUTs")
    for title in ["q", "w" * 190 + word()]:
        body = {"title": title, "content": "edge"}
        response = client.put(f"/notes/{note['id']}", json=body)
        assert_note(response, {**note, **body}, f"PUT /notes/{note['id']} with a {len(title)}-character title")


@pytest.mark.points(7)
@pytest.mark.rule("R9", "R12")
def test_delete_a_note(client):
    token = word()
    note = create(client, f"Delete {token}")
    keep = create(client, f"Keep {token}")
    response = client.delete(f"/notes/{note['id']}")
    assert response.status_code == 204, (
        f"DELETE /notes/{note['id']} should answer 204, got {response.status_code}: {response.text[:300]}"
    )
    assert response.content == b"", f"a 204 answer should have an empty body, got {response.content[:200]!r}"
    assert_not_found(get(client, note["id"]), f"GET /notes/{note['id']} after DELETE")
    ids = [n.get("id") for n in list_notes(client, token) if isinstance(n, dict)]
    assert ids == [keep["id"]], f"after the DELETE, GET /notes?q={token} should list only note {keep['id']}, got {ids}"


@pytest.mark.points(3)
@pytest.mark.rule("R12")
def test_delete_unknown_note_is_404(client):
    assert_not_found(client.delete(f"/notes/{MISSING_ID}"), f"DELETE /notes/{MISSING_ID}")


# --- really in the database -----------------------------------------------------------------


@pytest.mark.points(11)
@pytest.mark.rule("R1", "R11", "R12")
def test_notes_are_rows_of_the_notes_table(client, app_env, data_dir):
    note = create(client, f"Stored {word()}", "in a real table")
    gone = create(client, f"Removed {word()}", "soon deleted")
    rows = db_rows(app_env, data_dir)
    assert note["id"] in rows, (
        f"the note {note['id']} should be a row of the table `notes` (committed) right after POST /notes; "
        f"the table has ids {sorted(rows)[:30]}"
    )
    assert rows[note["id"]][:2] == (note["title"], note["content"]), (
        f"the row of note {note['id']} should hold its title and content, got {rows[note['id']]}"
    )
    body = {"title": f"Changed {word()}", "content": "updated in the table"}
    response = client.put(f"/notes/{note['id']}", json=body)
    assert response.status_code == 200, f"PUT /notes/{note['id']} should answer 200, got {response.status_code}"
    response = client.delete(f"/notes/{gone['id']}")
    assert response.status_code == 204, f"DELETE /notes/{gone['id']} should answer 204, got {response.status_code}"
    rows = db_rows(app_env, data_dir)
    assert rows.get(note["id"], (None, None))[:2] == (body["title"], body["content"]), (
        f"after PUT /notes/{note['id']} its row should hold the new title and content, got {rows.get(note['id'])}"
    )
    assert gone["id"] not in rows, f"after DELETE /notes/{gone['id']} its row should be gone from the table"


@pytest.mark.points(12)
@pytest.mark.rule("R2", "R4", "R7", "R11", "R12")
def test_notes_survive_a_restart(client, restart_app):
    kept = create(client, f"Persistent {word()}", "still here after a restart")
    changed = create(client, f"Before {word()}", "old")
    deleted = create(client, f"Ephemeral {word()}")
    update = {"title": f"After {word()}", "content": "new"}
    assert client.put(f"/notes/{changed['id']}", json=update).status_code == 200, "PUT should answer 200"
    changed = {**changed, **update}
    assert client.delete(f"/notes/{deleted['id']}").status_code == 204, "DELETE should answer 204"
    restart_app()
    assert_note(get(client, kept["id"]), kept, f"after a restart, GET /notes/{kept['id']}")
    assert_note(get(client, changed["id"]), changed, f"after a restart, GET /notes/{changed['id']} (updated before)")
    assert_not_found(get(client, deleted["id"]), f"after a restart, GET /notes/{deleted['id']} (deleted before)")
    ids = [n.get("id") for n in list_notes(client) if isinstance(n, dict)]
    assert kept["id"] in ids and changed["id"] in ids, (
        f"after a restart, GET /notes should still list notes {kept['id']} and {changed['id']}, got ids {ids[:50]}"
    )
    fresh = create(client, f"New after restart {word()}")
    assert fresh["id"] not in (kept["id"], changed["id"]), (
        f"a note created after the restart got the id {fresh['id']} of an existing note"
    )
    assert_note(get(client, kept["id"]), kept, f"GET /notes/{kept['id']} after creating another note")


@pytest.mark.points(3)
@pytest.mark.rule("R4", "R11")
def test_update_keeps_created_at_later_on(client):
    note = create(client, f"Old {word()}", "written first")
    time.sleep(1.5)  # longer than the second of tolerance between two readings of created_at
    body = {"title": f"Edited {word()}", "content": "edited 1.5 s later"}
    response = client.put(f"/notes/{note['id']}", json=body)
    assert_note(response, {**note, **body}, f"PUT /notes/{note['id']} 1.5 s after its creation")
    assert_note(get(client, note["id"]), {**note, **body}, f"GET /notes/{note['id']} after that PUT")


def _ids_after_a_delete(client, position):
    token = word()
    made = [create(client, f"Seq {token} {i}", f"body {i}") for i in range(3)]
    ids = [n["id"] for n in made]
    assert len(set(ids)) == 3, f"three new notes should get three different ids, got {ids}"
    before = {n["id"]: n for n in list_notes(client) if isinstance(n, dict) and "id" in n}
    gone = made[position]
    response = client.delete(f"/notes/{gone['id']}")
    assert response.status_code < 300, (
        f"DELETE /notes/{gone['id']} of an existing note should succeed (204), got {response.status_code}"
    )
    fresh = create(client, f"Seq {token} new", "created after the delete")
    situation = f"after creating notes {ids} and deleting {gone['id']}"
    alive = {i: n for i, n in before.items() if i != gone["id"]}
    assert fresh["id"] not in alive, (
        f"{situation}, the new note got id {fresh['id']}, which an existing note already has"
    )
    for note in made:
        if note is gone:
            continue
        assert_note(get(client, note["id"]), note, f"{situation} and creating another, GET /notes/{note['id']}")
    listed = {n.get("id") for n in list_notes(client) if isinstance(n, dict)}
    missing = sorted(set(alive) - listed)
    assert not missing, f"{situation} and creating another, GET /notes no longer lists notes {missing[:20]}"


@pytest.mark.points(4)
@pytest.mark.rule("R7")
def test_ids_after_deleting_the_newest_note(client):
    _ids_after_a_delete(client, 2)


@pytest.mark.points(3)
@pytest.mark.rule("R7")
def test_ids_after_deleting_a_middle_note(client):
    _ids_after_a_delete(client, 1)

import pytest
from conftest import UNKNOWN_ID, check_student, unique_course, unique_email


@pytest.mark.points(5)
@pytest.mark.rule("R1", "R12")
def test_patch_changes_only_the_given_fields(client, create_student):
    created = create_student(name="Before", age=18)
    r = client.patch(f"/students/{created['id']}", json={"age": 19})
    assert r.status_code == 200, f"PATCH /students/{{id}} with a valid body should answer 200, got {r.status_code}"
    expected = {**created, "age": 19}
    check_student(r.json(), expected, 'PATCH {"age": 19} changes only the age; the body of PATCH')
    new_course, new_email = unique_course(), unique_email("patched")
    r = client.patch(f"/students/{created['id']}", json={"name": "After", "course": new_course, "email": new_email})
    assert r.status_code == 200, f"PATCH /students/{{id}} with a valid body should answer 200, got {r.status_code}"
    expected = {**expected, "name": "After", "course": new_course, "email": new_email}
    check_student(r.json(), expected, "PATCH of name, course and email; the body of PATCH")
    r = client.get(f"/students/{created['id']}")
    assert r.status_code == 200, f"GET /students/{{id}} after a PATCH should answer 200, got {r.status_code}"
    check_student(r.json(), expected, "GET /students/{id} after the PATCHes")


@pytest.mark.points(4)
@pytest.mark.rule("R10", "R12")
def test_patch_invalid_value_is_422_and_changes_nothing(client, create_student):
    created = create_student()
    for body, why in [
        ({"age": 15}, "age 15"),
        ({"age": 101}, "age 101"),
        ({"email": "not-an-email"}, 'email "not-an-email"'),
        ({"name": ""}, "an empty name"),
        ({"course": "c" * 51}, "a 51-character course"),
        ({"name": "Valid Name", "age": "old"}, 'a valid name but age "old"'),
    ]:
        r = client.patch(f"/students/{created['id']}", json=body)
        assert r.status_code == 422, f"PATCH /students/{{id}} with {why} should answer 422, got {r.status_code}"
    check_student(client.get(f"/students/{created['id']}").json(), created, "a student after rejected PATCHes (unchanged)")


@pytest.mark.points(5)
@pytest.mark.rule("R10", "R12")
def test_patch_to_a_taken_email_is_409(client, create_student):
    other = create_student()
    student = create_student()
    r = client.patch(f"/students/{student['id']}", json={"email": other["email"].upper(), "age": 33})
    assert r.status_code == 409, (
        f"PATCH /students/{{id}} with another student's e-mail (in other case) should answer 409, got {r.status_code}"
    )
    assert r.json() == {"detail": "Email already registered"}, 'the 409 body should be {"detail": "Email already registered"}'
    check_student(client.get(f"/students/{student['id']}").json(), student, "a student after a rejected PATCH (unchanged)")


@pytest.mark.points(4)
@pytest.mark.rule("R12")
def test_patch_with_the_students_own_email_is_allowed(client, create_student):
    email = unique_email("own")
    student = create_student(email=email)
    r = client.patch(f"/students/{student['id']}", json={"email": email, "name": "Same Mail"})
    assert r.status_code == 200, f"PATCH /students/{{id}} with the student's own e-mail should answer 200, got {r.status_code}"
    check_student(r.json(), {**student, "name": "Same Mail"}, "the body of PATCH")
    r = client.patch(f"/students/{student['id']}", json={"email": email.upper()})
    assert r.status_code == 200, (
        f"PATCH /students/{{id}} with the student's own e-mail in upper case should answer 200, got {r.status_code}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R11")
def test_patch_unknown_student_is_404(client):
    r = client.patch(f"/students/{UNKNOWN_ID + 2}", json={"age": 30})
    assert r.status_code == 404, f"PATCH /students/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Student not found"}, 'the 404 body should be {"detail": "Student not found"}'


@pytest.mark.points(4)
@pytest.mark.rule("R13")
def test_delete_answers_204_with_an_empty_body_and_removes_the_student(client, create_student):
    created = create_student()
    r = client.delete(f"/students/{created['id']}")
    assert r.status_code == 204, f"DELETE /students/{{id}} of an existing student should answer 204, got {r.status_code}"
    assert r.content == b"", f"a 204 answer to DELETE should have an empty body, got {r.content[:200]!r}"
    r = client.get(f"/students/{created['id']}")
    assert r.status_code == 404, f"GET /students/{{id}} of a deleted student should answer 404, got {r.status_code}"
    r = client.delete(f"/students/{created['id']}")
    assert r.status_code == 404, f"DELETE /students/{{id}} of an already deleted student should answer 404, got {r.status_code}"


@pytest.mark.points(3)
@pytest.mark.rule("R11")
def test_delete_unknown_student_is_404(client):
    r = client.delete(f"/students/{UNKNOWN_ID + 3}")
    assert r.status_code == 404, f"DELETE /students/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Student not found"}, 'the 404 body should be {"detail": "Student not found"}'


def _listed_by_id(client):
    r = client.get("/students")
    assert r.status_code == 200, f"GET /students should answer 200, got {r.status_code}"
    body = r.json()
    assert isinstance(body, list), f"GET /students should answer a JSON array, got {body!r}"
    return {s["id"]: s for s in body if isinstance(s, dict) and "id" in s}


def _ids_after_a_delete(client, restart_app, create_student, position):
    restart_app()
    made = [create_student() for _ in range(3)]
    ids = [s["id"] for s in made]
    assert len(set(ids)) == 3, f"three new students should get three different ids, got {ids}"
    before = _listed_by_id(client)
    gone = made[position]["id"]
    r = client.delete(f"/students/{gone}")
    assert r.status_code < 300, f"DELETE /students/{gone} of an existing student should succeed (204), got {r.status_code}"
    fresh = create_student()
    situation = f"after creating students {ids} and deleting {gone}"
    assert fresh["id"] not in before, (
        f"{situation}, the new student got id {fresh['id']}, which "
        + ("the deleted student had" if fresh["id"] == gone else "a current student already has")
        + f": ids are never reused (ids before: {sorted(before)})"
    )
    after = _listed_by_id(client)
    for student in made:
        if student["id"] == gone:
            continue
        assert student["id"] in after, f"{situation} and creating another, GET /students no longer lists {student['id']}"
        check_student(after[student["id"]], student, f"{situation} and creating another, student {student['id']} (unchanged)")


@pytest.mark.points(2)
@pytest.mark.rule("R8")
def test_first_student_after_a_start_gets_id_1(client, restart_app, create_student):
    restart_app()
    first = create_student()
    assert first["id"] == 1, (
        f"in a freshly started app (no students yet) the first student created should get id 1, got {first['id']!r}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R8", "R9")
def test_ids_after_deleting_the_newest_student(client, restart_app, create_student):
    _ids_after_a_delete(client, restart_app, create_student, 2)


@pytest.mark.points(2)
@pytest.mark.rule("R8", "R9")
def test_ids_after_deleting_a_middle_student(client, restart_app, create_student):
    _ids_after_a_delete(client, restart_app, create_student, 1)

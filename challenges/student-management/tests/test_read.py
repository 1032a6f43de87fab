import pytest
from conftest import UNKNOWN_ID, check_student, new_student, tag


def _list(client, params=None):
    r = client.get("/students", params=params)
    what = "GET /students" + (f" with {params}" if params else "")
    assert r.status_code == 200, f"{what} should answer 200, got {r.status_code}"
    body = r.json()
    assert isinstance(body, list), f"{what} should answer a JSON array, got {body!r}"
    return body


def _ids(students):
    return sorted(s.get("id") if isinstance(s, dict) else s for s in students)


def _stats(client):
    r = client.get("/students/stats")
    assert r.status_code == 200, f"GET /students/stats should answer 200, got {r.status_code}"
    body = r.json()
    assert isinstance(body, dict), f"GET /students/stats should answer a JSON object, got {body!r}"
    for key in ("count", "average_age", "by_course"):
        assert key in body, f"GET /students/stats should have the field {key!r}, got {body!r}"
    return body


def _check_average(body, expected, situation):
    got = body["average_age"]
    ok = isinstance(got, (int, float)) and not isinstance(got, bool) and got == pytest.approx(expected, abs=0.01)
    assert ok, f"{situation}, `average_age` should be {expected:.4f} (2 decimals allowed), got {got!r}"


@pytest.mark.points(3)
@pytest.mark.rule("R1", "R10")
def test_get_one_student(client, create_student):
    created = create_student(name="Alan Turing", age=41)
    r = client.get(f"/students/{created['id']}")
    assert r.status_code == 200, f"GET /students/{{id}} of an existing student should answer 200, got {r.status_code}"
    check_student(r.json(), created, "the body of GET /students/{id}")


@pytest.mark.points(4)
@pytest.mark.rule("R11")
def test_get_unknown_student_is_404(client):
    r = client.get(f"/students/{UNKNOWN_ID + 1}")
    assert r.status_code == 404, f"GET /students/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Student not found"}, 'the 404 body should be {"detail": "Student not found"}'


@pytest.mark.points(3)
@pytest.mark.rule("R1", "R9")
def test_list_includes_every_student(client, create_student):
    created = [create_student(), create_student()]
    listed = _list(client)
    by_id = {s.get("id"): s for s in listed if isinstance(s, dict)}
    for student in created:
        assert student["id"] in by_id, f"GET /students should list the student with id {student['id']}, got ids {_ids(listed)}"
        check_student(by_id[student["id"]], student, "a student in GET /students")


@pytest.mark.points(5)
@pytest.mark.rule("R9")
def test_list_filters_by_exact_course(client, create_student):
    course = f"Math {tag()}"
    wanted = [create_student(course=course), create_student(course=course)]
    create_student(course=course.lower())
    create_student(course=course + "ematics")
    create_student(course="Other " + course)
    create_student(course=course + " ")
    listed = _list(client, {"course": course})
    assert _ids(listed) == _ids(wanted), (
        f"GET /students?course={course} should list exactly ids {_ids(wanted)} (case-sensitive, whole-string "
        f"match), got {_ids(listed)}"
    )
    for got in listed:
        assert got.get("course") == course, f"every student listed for ?course={course} should have that course, got {got!r}"
    assert _list(client, {"course": f"Nobody {tag()}"}) == [], "GET /students?course=<a course nobody follows> should answer []"


@pytest.mark.points(4)
@pytest.mark.rule("R14")
def test_stats_of_an_empty_app(client, restart_app):
    restart_app()
    body = _stats(client)
    assert body == {"count": 0, "average_age": None, "by_course": {}}, (
        'with no students, GET /students/stats should answer {"count": 0, "average_age": null, "by_course": {}}'
        f", got {body!r}"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R14")
def test_stats_count_average_and_courses(client, restart_app, create_student):
    restart_app()
    create_student(course="Computer Science", age=18)
    create_student(course="Computer Science", age=20)
    create_student(course="Physics", age=23)
    body = _stats(client)
    assert body["count"] == 3, f"with 3 students, `count` should be 3, got {body['count']!r}"
    _check_average(body, 61 / 3, "with ages 18, 20 and 23")
    assert body["by_course"] == {"Computer Science": 2, "Physics": 1}, (
        "with 2 students in Computer Science and 1 in Physics, `by_course` should be "
        f"{{'Computer Science': 2, 'Physics': 1}}, got {body['by_course']!r}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R12", "R13", "R14")
def test_stats_follow_updates_and_deletes(client, restart_app, create_student):
    restart_app()
    first = create_student(course="Math", age=20)
    create_student(course="Math", age=30)
    third = create_student(course="Art", age=40)
    r = client.patch(f"/students/{third['id']}", json={"course": "Math", "age": 50})
    assert r.status_code == 200, f"PATCH /students/{{id}} with a valid body should answer 200, got {r.status_code}"
    r = client.delete(f"/students/{first['id']}")
    assert r.status_code < 300, f"DELETE /students/{{id}} of an existing student should succeed (204), got {r.status_code}"
    body = _stats(client)
    situation = "after creating (Math, 20), (Math, 30), (Art, 40), moving the third to (Math, 50) and deleting the first"
    assert body["count"] == 2, f"{situation}, `count` should be 2, got {body['count']!r}"
    _check_average(body, 40, situation)
    assert body["by_course"] == {"Math": 2}, (
        f"{situation}, `by_course` should be {{'Math': 2}} (a course nobody follows is not listed), got {body['by_course']!r}"
    )

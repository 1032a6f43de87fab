import pytest
from conftest import check_student, new_student, unique_course, unique_email


@pytest.mark.points(5)
@pytest.mark.rule("R1", "R2", "R8")
def test_create_returns_201_with_the_student(client):
    payload = new_student(name="Grace Hopper", age=22)
    r = client.post("/students", json=payload)
    assert r.status_code == 201, f"POST /students with a valid body should answer 201, got {r.status_code}"
    first = r.json()
    check_student(first, payload, "the body of POST /students")
    r = client.post("/students", json=new_student())
    assert r.status_code == 201, f"POST /students with a valid body should answer 201, got {r.status_code}"
    second = r.json()
    assert isinstance(second, dict) and second.get("id") != first["id"], (
        f"two students should get different ids, got {first['id']!r} and {second.get('id')!r}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R1", "R2", "R3", "R5", "R6")
def test_create_accepts_boundary_values(client):
    for payload, why in [
        (new_student(age=16), "age 16"),
        (new_student(age=100), "age 100"),
        (new_student(name="n" * 100), "a 100-character name"),
        (new_student(course="c" * 50), "a 50-character course"),
        (new_student(name="N"), "a 1-character name"),
        (new_student(course="C"), "a 1-character course"),
    ]:
        r = client.post("/students", json=payload)
        assert r.status_code == 201, f"POST /students with {why} is valid and should answer 201, got {r.status_code}"
        check_student(r.json(), payload, f"the student created with {why}")


def _assert_rejected(client, payload, why):
    r = client.post("/students", json=payload)
    assert r.status_code == 422, f"POST /students with {why} should answer 422, got {r.status_code}"


def _without(field):
    payload = new_student()
    del payload[field]
    return payload


@pytest.mark.points(3)
@pytest.mark.rule("R3")
def test_create_rejects_a_bad_name(client):
    _assert_rejected(client, _without("name"), "no name")
    _assert_rejected(client, new_student(name=""), "an empty name")
    _assert_rejected(client, new_student(name="n" * 101), "a 101-character name")


@pytest.mark.points(3)
@pytest.mark.rule("R4")
def test_create_rejects_a_bad_email(client):
    _assert_rejected(client, _without("email"), "no email")
    _assert_rejected(client, new_student(email="not-an-email"), 'email "not-an-email"')
    _assert_rejected(client, new_student(email="ada.example.com"), 'email "ada.example.com" (no @)')
    _assert_rejected(client, new_student(email="ada@"), 'email "ada@"')


@pytest.mark.points(5)
@pytest.mark.rule("R5")
def test_create_rejects_a_bad_age(client):
    _assert_rejected(client, _without("age"), "no age")
    _assert_rejected(client, new_student(age=15), "age 15")
    _assert_rejected(client, new_student(age=101), "age 101")
    _assert_rejected(client, new_student(age="twenty"), 'age "twenty"')
    _assert_rejected(client, new_student(age=20.5), "age 20.5 (not an integer)")


@pytest.mark.points(3)
@pytest.mark.rule("R6")
def test_create_rejects_a_bad_course(client):
    _assert_rejected(client, _without("course"), "no course")
    _assert_rejected(client, new_student(course=""), "an empty course")
    _assert_rejected(client, new_student(course="c" * 51), "a 51-character course")


@pytest.mark.points(5)
@pytest.mark.rule("R7", "R9")
def test_duplicate_email_is_409(client, create_student):
    course = unique_course()
    original = create_student(course=course)
    r = client.post("/students", json=new_student(email=original["email"], course=course, name="Copycat"))
    assert r.status_code == 409, f"POST /students with an e-mail already registered should answer 409, got {r.status_code}"
    assert r.json() == {"detail": "Email already registered"}, (
        'the 409 body should be {"detail": "Email already registered"}'
    )
    listed = client.get("/students", params={"course": course}).json()
    ids = sorted(s.get("id") for s in listed) if isinstance(listed, list) else listed
    assert ids == [original["id"]], (
        f"a rejected duplicate must not be stored: GET /students?course=... should list only id {original['id']}, got {ids}"
    )


@pytest.mark.points(5)
@pytest.mark.rule("R7")
def test_duplicate_email_ignores_case(client):
    local = unique_email("Mixed.Case").split("@")[0]
    r = client.post("/students", json=new_student(email=f"{local}@Example.com"))
    assert r.status_code == 201, f"POST /students with a new e-mail should answer 201, got {r.status_code}"
    r = client.post("/students", json=new_student(email=f"{local.upper()}@EXAMPLE.COM"))
    assert r.status_code == 409, (
        f"{local}@Example.com is registered, so {local.upper()}@EXAMPLE.COM (same address, other case) "
        f"should answer 409, got {r.status_code}"
    )
    assert r.json() == {"detail": "Email already registered"}, (
        'the 409 body should be {"detail": "Email already registered"}'
    )
    r = client.post("/students", json=new_student(email=f"{local.lower()}@example.com"))
    assert r.status_code == 409, (
        f"{local}@Example.com is registered, so {local.lower()}@example.com should answer 409, got {r.status_code}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R7", "R12", "R13")
def test_freed_emails_can_be_registered_again(client, create_student):
    email = unique_email("reuse")
    student = create_student(email=email)
    r = client.delete(f"/students/{student['id']}")
    assert r.status_code < 300, f"DELETE /students/{{id}} of an existing student should succeed (204), got {r.status_code}"
    r = client.post("/students", json=new_student(email=email.upper()))
    assert r.status_code == 201, (
        f"after its student was deleted, the e-mail is free again: POST /students should answer 201, got {r.status_code}"
    )
    old_email = unique_email("moved")
    mover = create_student(email=old_email)
    r = client.patch(f"/students/{mover['id']}", json={"email": unique_email("moved.new")})
    assert r.status_code == 200, f"PATCH /students/{{id}} to a new e-mail should answer 200, got {r.status_code}"
    r = client.post("/students", json=new_student(email=old_email))
    assert r.status_code == 201, (
        "after a student changed e-mail, their old address is free again: POST /students with it "
        f"should answer 201, got {r.status_code}"
    )

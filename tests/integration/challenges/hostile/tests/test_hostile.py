import pytest

PASSWORD = "Corr3ct-Horse-Battery!"


@pytest.mark.points(50)
def test_register_does_not_reveal_the_password(client, reveals):
    response = client.post("/register", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 200, f"expected 200, got {response.status_code}"
    assert response.json()["username"] == "ada"
    assert not reveals(response, PASSWORD), "the response contains the password"


@pytest.mark.points(50)
def test_notes_are_rows_of_the_database(client, app_env, app_database):
    created = client.post("/notes", json={"title": "first"}).json()
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    rows = app_database(path).execute("SELECT id, title FROM notes").fetchall()
    assert rows == [(created["id"], "first")], f"the notes table holds {rows!r}"

import pytest


@pytest.mark.points(40)
def test_root_returns_hello_world(client):
    response = client.get("/")
    assert response.status_code == 200, "GET / should answer 200"
    assert response.json() == {"message": "Hello World"}


@pytest.mark.points(20)
def test_hello_name_greets_the_name(client):
    response = client.get("/hello/Ada")
    assert response.status_code == 200, "GET /hello/Ada should answer 200"
    assert response.json() == {"message": "Hello Ada"}


@pytest.mark.points(20)
def test_hello_name_uses_any_name(client):
    response = client.get("/hello/grace_hopper")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello grace_hopper"}


@pytest.mark.points(20)
def test_hello_name_decodes_the_segment(client):
    response = client.get("/hello/Jos%C3%A9%20Mar%C3%ADa")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello José María"}

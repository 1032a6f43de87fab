import pytest

# The app under test must never be able to read this file: the sandbox tests search for it.
MARKER = "HIDDEN-MARKER-5f1c2e9a-never-visible-to-the-app"


@pytest.mark.points(25)
def test_root(client):
    assert client.get("/").json() == {"message": "Hello World"}


@pytest.mark.points(25)
def test_restart_is_real_and_data_survives(client, restart_app, data_dir):
    value = client.post("/counter").json()["value"]
    boot = client.get("/boot").json()["boot"]
    restart_app()
    assert client.get("/boot").json()["boot"] != boot, "restart_app must start a new process"
    assert client.get("/counter").json()["value"] == value, "/data must survive a restart"
    assert (data_dir / "counter.txt").read_text() == str(value)


@pytest.mark.points(25)
def test_app_gets_challenge_env(client, app_env):
    assert client.get("/env/PROBE_SETTING").json()["value"] == app_env["PROBE_SETTING"]


@pytest.mark.points(25)
def test_marker_is_where_the_suite_runs(client):
    assert MARKER.startswith("HIDDEN-MARKER")
    assert client.get("/").status_code == 200

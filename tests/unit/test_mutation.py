"""Automatic mutants: one change each, of every operator, with ids that stay put."""

from __future__ import annotations

import ast

from grader.services.mutation import mutants_of, sample

SOURCE = """from fastapi import FastAPI, HTTPException, status

app = FastAPI()
ITEMS = {}


@app.post("/items", status_code=201)
def create(name: str):
    if len(name) < 3:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "too short")
    ITEMS[len(ITEMS) + 1] = name
    return {"name": name}
"""


def test_each_operator_makes_one_change_that_still_compiles() -> None:
    mutants = mutants_of({"main.py": SOURCE, "README.md": "not python"})
    kinds = {m.id.split(":")[3] for m in mutants}
    assert kinds == {"compare", "constant", "status", "negate", "remove", "return"}
    original = ast.dump(ast.parse(SOURCE))
    for mutant in mutants:
        assert mutant.files["README.md"] == "not python"
        assert ast.dump(ast.parse(mutant.files["main.py"])) != original, mutant.id
    ids = {m.id for m in mutants}
    assert "main.py:9:7:compare:0:Lt->LtE" in ids
    assert "main.py:9:19:constant:3->4" in ids and "main.py:9:19:constant:3->2" in ids
    assert "main.py:7:32:status:201->200" in ids
    assert any(":status:HTTP_422_UNPROCESSABLE_CONTENT->HTTP_400_BAD_REQUEST" in i for i in ids)
    assert "main.py:9:4:negate:If" in ids and "main.py:12:4:return:None" in ids


def test_ids_are_stable_and_the_sample_is_seeded() -> None:
    first, again = mutants_of({"main.py": SOURCE}), mutants_of({"main.py": SOURCE})
    assert [m.id for m in first] == [m.id for m in again]
    assert [m.id for m in sample(first, 4, "seed")] == [m.id for m in sample(first, 4, "seed")]
    assert sample(first, None, "seed") == first
    assert len(sample(first, 4, "seed")) == 4

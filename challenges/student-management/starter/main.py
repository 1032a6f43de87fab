from fastapi import FastAPI

app = FastAPI()

students: dict[int, dict] = {}


@app.get("/students")
def list_students():
    # TODO: implement the routes described in the README
    return list(students.values())

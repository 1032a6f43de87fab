from fastapi import FastAPI

app = FastAPI()

items: dict[int, dict] = {}


@app.get("/items")
def list_items():
    # TODO: implement the routes described in the README
    return list(items.values())

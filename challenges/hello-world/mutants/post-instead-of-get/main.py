from fastapi import FastAPI

app = FastAPI()


@app.post("/")
def home():
    return {"message": "Hello World"}


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}

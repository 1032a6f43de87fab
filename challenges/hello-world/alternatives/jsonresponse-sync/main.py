from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()


@app.get("/")
def index():
    return JSONResponse(content={"message": "Hello World"}, status_code=200)


@app.get("/hello/{name}")
def say_hello(name: str):
    return JSONResponse({"message": "Hello %s" % name})

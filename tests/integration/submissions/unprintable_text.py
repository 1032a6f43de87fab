"""Answers with text no terminal, page or JSON encoder should take as is: a lone surrogate (as a
JSON escape), terminal escapes and Rich markup, under a utf-7 label; the rest of hello-world
correctly."""
from fastapi import FastAPI, Response

app = FastAPI()
BODY = b'{"message": "\\ud800 \x1b]0;owned\x07\x1b[2J[bold green]passed[/] [/]"}'


@app.get("/")
def home():
    print("log line with escapes: \x1b[2J\x1b]0;title\x07 and a lone \udc80 surrogate", flush=True)
    return Response(BODY, status_code=200, media_type="application/json; charset=utf-7")


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}

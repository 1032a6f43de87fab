from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def home():
    # TODO: return the greeting described in the README
    return {}

from fastapi import FastAPI

from routes import router

app = FastAPI(title="Hello")
app.include_router(router)

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from middleware import ProcessTimeMiddleware, RequestIDMiddleware
from routes import router

app = FastAPI(title="middleware demo")
app.include_router(router)

# add_middleware puts each new layer outside the previous ones:
# ProcessTime(RequestID(CORS(app))), so preflights answered by CORS get both headers.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["content-type", "x-request-id"],
    expose_headers=["x-request-id", "x-process-time"],
)
app.add_middleware(RequestIDMiddleware)
app.add_middleware(ProcessTimeMiddleware)

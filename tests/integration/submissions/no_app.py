from fastapi import FastAPI

application = FastAPI()

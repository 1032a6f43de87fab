from fastapi import FastAPI
app = FastAPI(
def x(:

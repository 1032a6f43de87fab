from fastapi import FastAPI

hog = bytearray(10 * 1024**3)  # 10 GB, touched by the zero-fill
app = FastAPI()

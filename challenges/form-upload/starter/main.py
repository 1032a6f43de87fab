from fastapi import FastAPI, UploadFile

app = FastAPI()

MAX_SIZE = 65536


@app.post("/files")
async def upload(file: UploadFile):
    # TODO: the form fields, the size limit and the response described in the README
    return {"filename": file.filename}


# TODO: POST /files/batch and POST /login

"""At import, copies an ELF and a script into /data and tries to run them; hello-world otherwise."""
import os
import shutil
import subprocess

from fastapi import FastAPI

outcomes = []
for name, make in (("elf", lambda p: shutil.copy("/bin/true", p)), ("script", None)):
    path = f"/data/{name}"
    try:
        if make:
            make(path)
        else:
            with open(path, "w") as handle:
                handle.write("#!/bin/sh\nexit 0\n")
        os.chmod(path, 0o755)
        code = subprocess.run([path], check=False).returncode
        outcomes.append(f"{name}=RAN({code})")
    except OSError as exc:
        outcomes.append(f"{name}=DENIED({exc.errno})")
with open("/proc/self/mountinfo") as mounts:
    data_line = next((line for line in mounts if " /data " in line), "")
print("exec-from-data:", " ".join(outcomes), "| mount:", data_line.strip(), flush=True)

app = FastAPI()


@app.get("/")
def home():
    return {"message": "Hello World"}


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}

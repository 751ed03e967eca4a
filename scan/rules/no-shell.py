import os
import subprocess


def run(path):
    # ruleid: no-shell
    subprocess.run(f"pg_dump > {path}", shell=True)
    # ruleid: no-shell
    os.system("rm " + path)
    # ok: no-shell
    subprocess.run(["pg_dump", "--file", path], check=True)

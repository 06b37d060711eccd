"""A Jupyter server for the browser tests (JupyterLab, and classic Notebook from Colab's stack):
started on 127.0.0.1, waited for, and stopped with its kernels."""

import contextlib
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(command: list[str], env: dict, log_path: Path, port: int, token: str, name: str):
    """Start `command` (a server on 127.0.0.1:`port`), yield its URL once /api/status answers,
    then stop it (terminating it shuts its kernels down too)."""
    log = open(log_path, "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"{name} did not start; log:\n{log_path.read_text()}")
            time.sleep(0.5)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

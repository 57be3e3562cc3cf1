"""Starting ``kg serve`` as a user runs it, for the tests that need the command itself (its logs, its signals)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from kg.serve.swap import serving_path


def start_kg_serve(store: Path, port: int, *options: str) -> subprocess.Popen[str]:
    """``kg serve --store STORE --port PORT OPTIONS…`` in a process of its own, once it serves (its
    ``<store>.serving`` marker is written); its standard error is a pipe. The caller stops it."""
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not serving_path(store).exists():
        if process.poll() is not None:
            raise AssertionError(f"kg serve stopped: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() >= deadline:
            process.kill()
            process.wait()
            raise AssertionError("kg serve did not start within 60 s")
        time.sleep(0.1)
    return process

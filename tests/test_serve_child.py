"""The Oxigraph server that ``kg serve`` starts dies with it: a ``kg serve`` killed by SIGKILL (no clean-up of
its own runs) leaves no server holding the port, and a server started from a thread that then ends (as the
store's swap does, from anyio's worker threads) keeps running while its process lives."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from kg.serve.oxigraph import OxigraphServer, free_port, port_is_free, spawn_child
from tests.serving import start_kg_serve

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's"
    ),
]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (every thread's children, from /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(child) for child in text.split()]
    return found


def alive(pid: int) -> bool:
    """``pid`` runs (a zombie waiting for init to reap it is dead: it holds no port nor file)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_kg_serve_killed_by_sigkill_takes_its_oxigraph_server_along(
    sample_store: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(sample_store, copy)
    port = free_port()
    process = start_kg_serve(copy, port, "--quiet")
    oxigraph: list[int] = []
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, trust_env=False)
        assert answer.status_code == 200
        oxigraph = [c for c in children(process.pid) if Path(command_line(c)[0]).name == "oxigraph"]
        assert len(oxigraph) == 1, [command_line(c) for c in children(process.pid)]
        bind = command_line(oxigraph[0])
        host, _, inner_port = bind[bind.index("--bind") + 1].rpartition(":")
        assert not port_is_free(host, int(inner_port))

        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 5
        while alive(oxigraph[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(oxigraph[0]), "the oxigraph server outlived kg serve"
        assert port_is_free(host, int(inner_port))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in oxigraph:  # only if the test failed: leave no server behind
            if alive(pid):
                subprocess.run(["kill", "-9", str(pid)], check=False)


def test_a_server_started_from_a_thread_that_ends_keeps_running() -> None:
    """The kernel's parent death is that of the thread that forked: servers are forked by a thread that
    lives as long as the process, so the end of the thread that asked for one does not kill it."""
    server = OxigraphServer(None, port=free_port(), read_only=False)
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join(60)
    try:
        assert server.process is not None
        time.sleep(1.0)  # the starting thread is gone: a death signal would have come by now
        assert server.process.poll() is None
        answer = httpx.get(server.query_url, params={"query": "ASK {}"}, trust_env=False, timeout=10)
        assert answer.status_code == 200
    finally:
        server.stop()


def test_a_child_whose_parent_is_killed_is_killed() -> None:
    """The mechanism alone: a Python process that spawns a long sleep with :func:`spawn_child` and is then
    killed by SIGKILL takes the sleep along."""
    script = (
        "import subprocess, sys, time\n"
        "from kg.serve.oxigraph import spawn_child\n"
        "child = spawn_child(['sleep', '300'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_spawn_child_reports_a_missing_program() -> None:
    with pytest.raises(FileNotFoundError):
        spawn_child(["no-such-program-of-hemicycle-kg"])

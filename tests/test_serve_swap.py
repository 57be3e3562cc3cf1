"""The served store's swap on loopback: ``kg serve`` over a link to a generation folder follows the link to
a new generation while 8 clients keep asking (pages, RDF and SPARQL), and no request fails; the old Oxigraph
server stops once idle; ``<store>.serving`` says who serves, and goes when the server stops."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.serve.oxigraph import free_port
from kg.serve.server import serve_site
from kg.serve.swap import serving_path

pytestmark = pytest.mark.server

MARK = ox.Quad(
    ox.NamedNode("https://w3id.org/hemicycle/question/QANR5L15QE40439"),
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
    ox.Literal("second generation"),
    ox.NamedNode("https://w3id.org/hemicycle/graph/question/QANR5L15QE40439"),
)
ASK = "ASK { <https://w3id.org/hemicycle/question/QANR5L15QE40439> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }"


def _point(link: Path, target: Path) -> None:
    """Repoint ``link`` at ``target`` atomically (a new link renamed over the old), as kg update does."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(target)
    fresh.replace(link)


def test_a_new_generation_is_served_without_dropping_a_request(sample_store: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "generation-1", tmp_path / "generation-2"
    shutil.copytree(sample_store, first)
    shutil.copytree(sample_store, second)
    store = ox.Store(str(second))
    store.add(MARK)
    store.flush()
    del store
    link = tmp_path / "hemicycle.oxigraph"
    link.symlink_to(first)
    lines: list[str] = []
    served = serve_site(link, port=free_port(), poll_s=0.2, quiet=False, log=lines.append)
    try:
        note = json.loads(serving_path(link).read_text(encoding="utf-8"))
        assert note == {
            "pid": os.getpid(),
            "port": served.port,
            "host": "127.0.0.1",
            "path": str(first.resolve()),
        }
        old_process = served.server.process
        assert old_process is not None
        errors: list[str] = []
        done = threading.Event()
        counts = [0]
        lock = threading.Lock()

        def client(index: int) -> None:
            paths = [
                ("/question/QANR5L15QE40439", {"Accept": "text/turtle"}),
                ("/person/PA345722", {"Accept": "application/ld+json"}),
                ("/query", {"Accept": "application/sparql-results+json"}),
            ]
            with httpx.Client(base_url=served.url, trust_env=False, timeout=30) as http:
                turn = index
                while not done.is_set():
                    path, headers = paths[turn % len(paths)]
                    turn += 1
                    try:
                        answer = http.get(
                            path, headers=headers, params={"query": ASK} if path == "/query" else None
                        )
                        ok = answer.status_code == 200
                    except httpx.HTTPError as exc:
                        ok, answer = False, None
                        with lock:
                            errors.append(repr(exc))
                    with lock:
                        counts[0] += 1
                        if not ok and answer is not None:
                            errors.append(f"{path} HTTP {answer.status_code}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        before = counts[0]
        _point(link, second)
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=served.url, trust_env=False, timeout=30) as http:
            while time.monotonic() < deadline:
                answer = http.get(
                    "/query", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"}
                )
                if answer.json()["boolean"]:
                    break
                time.sleep(0.1)
            else:
                raise AssertionError("the new generation was never served")
            turtle = http.get("/question/QANR5L15QE40439.ttl").text
            assert "second generation" in turtle  # the pages follow too
        time.sleep(1.0)
        done.set()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert counts[0] > before > 0
        assert served.server.process is not old_process
        deadline = time.monotonic() + 30
        while old_process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert old_process.poll() is not None, "the old server stops once idle"
        deadline = (
            time.monotonic() + 10
        )  # then the note names the new generation (kg update may drop the old)
        while json.loads(serving_path(link).read_text(encoding="utf-8"))["path"] != str(second.resolve()):
            assert time.monotonic() < deadline, "the note still names the old generation"
            time.sleep(0.1)
        assert any("serving" in line and str(second) in line for line in lines), lines
    finally:
        served.stop()
    assert not serving_path(link).exists()

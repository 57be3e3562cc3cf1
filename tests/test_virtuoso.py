"""Virtuoso round trip: ``kg load`` into a private Virtuoso 7 (Debian ``virtuoso-opensource``), twice, through
its authenticated Graph Store endpoint (HTTP Digest), then every query of the pack through its SPARQL
endpoint gives the expected rows, exactly as the embedded store does.

Runs where ``virtuoso-t`` is on PATH (CI installs it); the instance lives in a temporary folder, listens on
127.0.0.1 only, and is stopped by its PID."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import EndpointError
from kg.load import Credentials, GraphStoreClient, LoadState, graph_store_url_for, load_store
from kg.query.catalog import find_query
from kg.query.targets import EmbeddedTarget, EndpointTarget, run_query
from kg.serve.oxigraph import free_port

from .conftest import FIXTURES

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None,
        reason="Virtuoso is not installed (virtuoso-t / isql-vt not on PATH: "
        "apt-get install virtuoso-opensource)",
    ),
]

CASES = [
    (data["query"], case["params"], case["rows"])
    for path in sorted((FIXTURES / "queries").glob("*.json"))
    for data in [json.loads(path.read_text(encoding="utf-8"))]
    for case in data["cases"]
]

#: a private instance: every path in the temporary folder, both ports on loopback, results never truncated
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = ., {dir}
ThreadsPerQuery = 2
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def isql(sql_port: int, statement: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private Virtuoso; yields its SPARQL endpoint URL."""
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        ["virtuoso-t", "-f", "-c", str(ini)], cwd=folder, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while isql(sql_port, "status();").returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"Virtuoso did not start: {(folder / 'virtuoso.log').read_text(errors='replace')[-800:]}"
                )
            time.sleep(0.3)
        yield f"http://127.0.0.1:{http_port}/sparql"
    finally:
        if process.poll() is None:
            isql(sql_port, "shutdown;")
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def local(sample_store: Path) -> EmbeddedTarget:
    return EmbeddedTarget.open(sample_store)


def test_virtuoso_round_trip(virtuoso: str, local: EmbeddedTarget, tmp_path: Path) -> None:
    """One test (not one per case): under pytest-xdist each worker would start its own Virtuoso."""
    # kg load, twice: the second run skips what the state file knows, a run without state PUTs it all again
    client = GraphStoreClient(graph_store_url_for(virtuoso), credentials=Credentials("dba", "dba"))
    state = LoadState(tmp_path / "load-state.jsonl")
    first = load_store(local.store, client, state=state)
    assert first.loaded == first.graphs == len(local.store.named_graphs())
    assert load_store(local.store, client, state=LoadState(state.path)).skipped == first.graphs
    assert load_store(local.store, client).loaded == first.graphs

    # exactly one copy of every graph
    ours = "FILTER (STRSTARTS(STR(?g), 'https://w3id.org/hemicycle/'))"
    total = EndpointTarget(virtuoso).execute(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }}"
    )
    assert total.values() == [(len(local.store),)]
    per_graph = (
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }} GROUP BY ?g ORDER BY STR(?g)"
    )
    assert EndpointTarget(virtuoso).execute(per_graph).values() == local.execute(per_graph).values()

    # every case of the pack: the expected rows, with the same types as on the embedded store
    wrong = []
    for name, params, rows in CASES:
        spec = find_query(name)
        remote = run_query(spec, params, EndpointTarget(virtuoso))
        here = run_query(spec, params, local)
        if repr(remote.records()) != repr(rows) or repr(remote.values()) != repr(here.values()):
            wrong.append(f"{name} {params}: expected {rows}, got {remote.records()}")
    assert not wrong, "\n".join(wrong)

    # a hostile parameter value stays one literal
    path = tmp_path / "echo.rq"
    path.write_text(
        "# title: echo\n# param: text (string, required) — anything\n"
        "SELECT ?echo (STRLEN(?echo) AS ?length) WHERE { BIND (?text AS ?echo) }\n",
        encoding="utf-8",
    )
    value = 'x" } ; DROP ALL ; \\u0022 # } UNION { ?s ?p ?o'
    result = run_query(find_query(str(path)), {"text": value}, EndpointTarget(virtuoso))
    assert result.values() == [(value, len(value))]

    # kg query --endpoint on the Digest-protected /sparql-auth answers its challenge: the same rows
    protected = EndpointTarget(virtuoso + "-auth", user="dba", password="dba")
    for name, params, rows in CASES[:3]:
        assert repr(run_query(find_query(name), params, protected).records()) == repr(rows)
    assert protected.scheme == "digest"
    with pytest.raises(EndpointError, match=r"refused the credentials of user 'dba' \(HTTP 401\)"):
        EndpointTarget(virtuoso + "-auth", user="dba", password="wrong").execute("ASK {}")

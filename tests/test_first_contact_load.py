"""``kg load`` streams: one graph at a time, a large graph in pieces (a PUT, then POSTs), never the whole
store in memory (seen: 886 MB to push a 170 MB store). Checked against a real Oxigraph server on loopback:
what the server holds afterwards is exactly the store's graphs, whatever the size of the pieces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.load
from kg.build.pipeline import BuildOptions, build
from kg.load import GraphStoreClient, LoadState, graph_payload, iter_graphs, load_store
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.serve.oxigraph import OxigraphServer
from kg.store import EmbeddedStore

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    root = tmp_path_factory.mktemp("load")
    batch = root / "batch"
    batch.mkdir()
    for record in sorted((SAMPLE_QUESTIONS / "json").glob("*.json"))[:4]:
        shutil.copy(record, batch / record.name)
    build(BuildOptions(sources=(batch,), registries=(SAMPLE_REGISTRY,), store=root / "store",
                       quarantine=root / "q.jsonl"))  # fmt: skip
    return EmbeddedStore(root / "store", read_only=True)


def _triples(data: bytes) -> set[ox.Triple]:
    return set(ox.parse(data, ox.RdfFormat.N_TRIPLES))


def test_a_graph_larger_than_a_piece_arrives_whole(
    store: EmbeddedStore, writable_oxigraph: OxigraphServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.load, "PIECE_BYTES", 16 * 1024)  # the acteurs graph of the sample: many pieces
    monkeypatch.setattr(kg.load, "SPOOL_BYTES", 4 * 1024)  # and spilled to a temporary file
    sizes = {}
    for graph in iter_graphs(store):
        with graph_payload(store, graph) as payload:
            sizes[graph.value] = payload.size
            assert payload.triples == sum(1 for _ in store.store.quads_for_pattern(None, None, None, graph))
    assert max(sizes.values()) > 10 * 16 * 1024, "no graph large enough to go in pieces"

    state = LoadState(tmp_path / "state.jsonl")
    with GraphStoreClient(f"{writable_oxigraph.url}/store") as client:
        summary = load_store(store, client, state=state)
        assert summary.loaded == summary.graphs == len(sizes)
        assert summary.bytes == sum(sizes.values())
        for graph in iter_graphs(store):
            with graph_payload(store, graph) as payload:
                assert _triples(client.get(graph.value)) == _triples(payload.body()), graph.value
        again = load_store(store, client, state=LoadState(state.path))
        assert again.skipped == again.graphs and again.loaded == 0


def test_the_same_content_has_the_same_hash(store: EmbeddedStore, tmp_path: Path) -> None:
    """Oxigraph's dump order depends on the content only: a copy of a graph in another store hashes alike
    (the load state's promise: a graph unchanged since the last load is not sent again)."""
    graph = next(g for g in iter_graphs(store) if "registry" in g.value)
    with graph_payload(store, graph) as payload:
        body, digest = payload.body(), payload.sha256
    other = EmbeddedStore(None)
    reversed_quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in reversed(list(ox.parse(body, ox.RdfFormat.N_TRIPLES)))
    ]
    other.store.extend(reversed_quads)
    with graph_payload(other, graph) as copy:
        assert copy.sha256 == digest

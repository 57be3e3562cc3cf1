"""Golden graphs: the named graphs of the sample compared, as graphs (isomorphism), with reviewed copies.

After a deliberate change to the mapping, regenerate them with ``pytest tests/test_golden.py
--update-golden`` and review the diff of tests/fixtures/golden/ like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.store import EmbeddedStore
from kg.vocab import PREFIXES

from .conftest import FIXTURES

GOLDEN = FIXTURES / "golden"
BASE = "https://w3id.org/hemicycle/"
SHARED = ("graph/topics", "graph/mentions", "graph/registry/geography")


@pytest.fixture(scope="module")
def store(sample_store: Path) -> EmbeddedStore:
    return EmbeddedStore(sample_store, read_only=True)


def _graph(store: EmbeddedStore, graph_iri: str) -> Graph:
    quads = store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
    data = ox.serialize(
        (ox.Triple(q.subject, q.predicate, q.object) for q in quads), None, ox.RdfFormat.N_TRIPLES
    )
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph.parse(data=data, format="nt")


def _all_graphs(store: EmbeddedStore) -> list[str]:
    return [g.value for g in store.named_graphs() if g.value.startswith(BASE + "graph/question/")] + [
        BASE + name for name in SHARED
    ]


def _golden_file(graph_iri: str) -> Path:
    return GOLDEN / (graph_iri.removeprefix(BASE + "graph/").replace("/", "__") + ".ttl")


def test_golden_graphs(store: EmbeddedStore, update_golden: bool) -> None:
    graphs = _all_graphs(store)
    assert len(graphs) > 30
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in GOLDEN.glob("*.ttl"):
            stale.unlink()
        for iri in graphs:
            _graph(store, iri).serialize(_golden_file(iri), format="turtle")
        pytest.skip("golden graphs rewritten: review the diff")
    expected_files = {p.name for p in GOLDEN.glob("*.ttl")}
    produced_files = {_golden_file(iri).name for iri in graphs}
    assert produced_files == expected_files, "a named graph appeared or vanished (run with --update-golden)"
    failures = []
    for iri in graphs:
        actual = _graph(store, iri)
        expected = Graph().parse(_golden_file(iri), format="turtle")
        if not isomorphic(actual, expected):
            _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
            failures.append(
                f"{iri}:\n  only in output:\n{only_actual.serialize(format='nt')}\n"
                f"  only in golden:\n{only_expected.serialize(format='nt')}"
            )
    assert not failures, "\n".join(failures[:3])

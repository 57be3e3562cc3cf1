"""The embedded store replaces whole named graphs, also within the session that created it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.store import EmbeddedStore

G = ox.NamedNode("https://w3id.org/hemicycle/graph/question/QANR5L15QE1")
S = ox.NamedNode("https://w3id.org/hemicycle/question/QANR5L15QE1")
P = ox.NamedNode("http://purl.org/dc/terms/title")


def _nquads(title: str) -> bytes:
    return (
        ox.serialize([ox.Quad(S, P, ox.Literal(title, language="fr"), G)], None, ox.RdfFormat.N_QUADS) or b""
    )


def test_a_new_store_replaces_a_graph_loaded_earlier_in_the_same_session(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.load_graphs([G], _nquads("first"))
    store.load_graphs([G], _nquads("second"))
    assert [q.object.value for q in store.store.quads_for_pattern(None, None, None, G)] == ["second"]
    store.replace_graphs([G], [ox.Quad(S, P, ox.Literal("third", language="fr"), G)])
    assert [q.object.value for q in store.store.quads_for_pattern(None, None, None, G)] == ["third"]


def test_reopened_store_replaces_too(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "store")
    first.load_graphs([G], _nquads("first"))
    first.flush()
    del first
    again = EmbeddedStore(tmp_path / "store")
    again.load_graphs([G], _nquads("second"))
    assert len(again) == 1

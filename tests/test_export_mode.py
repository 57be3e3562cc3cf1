"""Exporter mode, `kg build --no-store --out FILE`: the same triples as the export of a store build, no store."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build.dataset import facts_of
from kg.build.exporter import TypeTally
from kg.build.pipeline import BuildOptions, build
from kg.cli import app
from kg.export import FORMATS
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.store import EmbeddedStore


def _timeless(line: str) -> str:
    """A summary line without its seconds."""
    return re.sub(r"\d+\.\d+ s\b", "", line)


def _options(tmp: Path, name: str, fmt: str, **more: object) -> BuildOptions:
    return BuildOptions(
        sources=(SAMPLE_QUESTIONS,),
        registries=(SAMPLE_REGISTRY,),
        store=tmp / f"{name}.store",
        out=tmp / f"{name}.{fmt}",
        format=FORMATS[fmt],
        quarantine=tmp / f"{name}.quarantine.jsonl",
        **({"jobs": 1, "cache": False} | more),  # type: ignore[arg-type]
    )


def _triples(path: Path, fmt: ox.RdfFormat) -> set[ox.Quad | ox.Triple]:
    return set(ox.parse(path=str(path), format=fmt))


@pytest.mark.parametrize(("fmt", "rdf"), [("nq", ox.RdfFormat.N_QUADS), ("ttl", ox.RdfFormat.TURTLE)])
def test_no_store_writes_what_a_store_build_exports(tmp_path: Path, fmt: str, rdf: ox.RdfFormat) -> None:
    stored = build(_options(tmp_path, "stored", fmt))
    exported = build(_options(tmp_path, "exported", fmt, no_store=True))
    assert not (tmp_path / "exported.store").exists()  # no store, no manifest
    assert not (tmp_path / "exported.store.manifest.json").exists()
    assert _timeless(exported.one_line()) == _timeless(stored.one_line())
    assert [d.one_line() for d in exported.diagnostics] == [d.one_line() for d in stored.diagnostics]
    mine, theirs = _triples(tmp_path / f"exported.{fmt}", rdf), _triples(tmp_path / f"stored.{fmt}", rdf)
    assert mine == theirs and len(mine) == stored.triples  # the description's counts included


def test_no_store_with_the_registry_cache_warm(tmp_path: Path) -> None:
    cache = {"cache": True, "cache_dir": tmp_path / "cache"}
    build(_options(tmp_path, "cold", "nt", **cache))
    warm = build(_options(tmp_path, "warm", "nt", no_store=True, **cache))
    assert warm.in_graph > 0
    cold_lines = set((tmp_path / "cold.nt").read_text(encoding="utf-8").splitlines())
    assert set((tmp_path / "warm.nt").read_text(encoding="utf-8").splitlines()) == cold_lines
    # the first exporter build counted the registry for the cache: the next one does not map it again
    assert warm.cpu["registry map"] > 0
    again = build(_options(tmp_path, "again", "nt", no_store=True, **cache))
    assert again.cpu["registry map"] == 0
    assert _timeless(again.one_line()) == _timeless(warm.one_line())
    assert set((tmp_path / "again.nt").read_text(encoding="utf-8").splitlines()) == cold_lines


@pytest.mark.parametrize("args", [["--no-store"], ["--no-store", "--out", "x.jsonld"]])
def test_no_store_needs_a_streamed_output(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["build", *args, "--quarantine", str(tmp_path / "q.jsonl"), "-q"])
    assert result.exit_code == 2, result.output
    assert "--no-store" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_no_store_counts_a_kept_invalid_record_like_a_store_build(tmp_path: Path, fmt: str) -> None:
    """A question kept with --keep-invalid carries one more statement (hc:conformsToShapes false): exporter
    mode, which counts the quads the workers report instead of loading them, must count it as a store does."""
    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_QUESTIONS / "json", batch)
    record = json.loads((batch / "QANR5L15QE40439.json").read_text(encoding="utf-8"))
    q = record["question"]
    q["uid"], q["identifiant"]["numero"] = "QANR5L15QE40440", "40440"
    q["auteur"]["identite"]["mandatRef"] = "PM731817"  # a committee membership, ended before the question
    (batch / "QANR5L15QE40440.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    rdf = FORMATS[fmt].rdf_format
    runs = {}
    for name, more in (("stored", {}), ("exported", {"no_store": True})):
        options = _options(tmp_path, name, fmt, keep_invalid=True, **more)
        runs[name] = build(replace(options, sources=(batch,)))
    assert runs["stored"].kept_invalid == runs["exported"].kept_invalid == 1
    mine, theirs = _triples(tmp_path / f"exported.{fmt}", rdf), _triples(tmp_path / f"stored.{fmt}", rdf)
    assert mine == theirs and len(mine) == runs["stored"].triples == runs["exported"].triples


def test_the_tally_finds_what_the_store_queries_find() -> None:
    """The counts and examples the tally reads off the kept lines equal those the store's queries give on the
    same statements: an instance typed in two graphs counts once, and the least IRI is that of the code points (``…/a`` before ``…/a-b`` before ``…/a/b``, which the ``>`` closing an
    IRI in N-Quads would reorder)."""
    hc, dc = "https://w3id.org/hemicycle/ontology#", "http://purl.org/dc/terms/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    g1, g2 = ox.NamedNode("https://example.org/g1"), ox.NamedNode("https://example.org/g2")
    q = [ox.NamedNode(f"https://example.org/question/{n}") for n in ("a/b", "a-b", "a")]
    person = [ox.NamedNode(f"https://example.org/person/{n}") for n in ("x/y", "x")]
    concept = ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
    quads = [
        ox.Quad(q[0], rdf_type, ox.NamedNode(hc + "WrittenQuestion"), g1),
        ox.Quad(q[0], rdf_type, ox.NamedNode(hc + "WrittenQuestion"), g2),
        ox.Quad(q[1], rdf_type, ox.NamedNode(hc + "WrittenQuestion"), g1),
        ox.Quad(ox.NamedNode("https://example.org/topic/t/1"), rdf_type, concept, g1),
        ox.Quad(ox.NamedNode("https://example.org/topic/t"), rdf_type, concept, g2),
        *(ox.Quad(s, ox.NamedNode(hc + "questionedMinistry"), person[0], g1) for s in q),
        *(ox.Quad(q[0], ox.NamedNode(dc + "creator"), p, g1) for p in person),
        *(ox.Quad(q[2], ox.NamedNode(hc + "attributedMinistry"), p, g2) for p in person),
    ]
    store = EmbeddedStore(None)
    store.store.extend(quads)
    tally = TypeTally()
    tally.add(len(quads), ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"")
    expected, found = facts_of(store), tally.facts()
    assert dict(found.classes) == dict(expected.classes) == {hc + "WrittenQuestion": 2, concept.value: 2}
    assert (
        set(found.examples)
        == set(expected.examples)
        == {
            "https://example.org/question/a",
            "https://example.org/person/x",
            "https://example.org/topic/t",
        }
    )

"""Validation inside kg build: a record that violates a shape is quarantined (or kept, flagged), every
good record lands, and the summary accounts for each input record."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildOptions, BuildSummary, build
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.store import EmbeddedStore

BASE = "https://w3id.org/hemicycle/"
GOOD = 30  # per-question JSON files of the sample


def _batch(tmp_path: Path, only: tuple[str, ...] = ()) -> Path:
    """The sample's JSON records (or ``only`` these) plus one whose answer is published before the question."""
    batch = tmp_path / "batch"
    if only:
        batch.mkdir()
        for name in (*only, "QANR5L15QE5807"):
            shutil.copy(SAMPLE_QUESTIONS / "json" / f"{name}.json", batch)
    else:
        shutil.copytree(SAMPLE_QUESTIONS / "json", batch)
    record = json.loads((batch / "QANR5L15QE5807.json").read_text(encoding="utf-8"))
    q = record["question"]
    q["uid"], q["identifiant"]["numero"] = "QANR5L15QE5808", "5808"
    answer = q["textesReponse"]["texteReponse"]
    answer = answer[0] if isinstance(answer, list) else answer
    answer["infoJO"]["dateJO"] = "2017-01-03"  # before the 15th legislature and before the question
    (batch / "QANR5L15QE5808.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return batch


def _build(tmp_path: Path, only: tuple[str, ...] = (), **options: object) -> BuildSummary:
    return build(
        BuildOptions(
            sources=(_batch(tmp_path, only),), registries=(SAMPLE_REGISTRY,), store=tmp_path / "store",
            out=tmp_path / "out" / "g.nq", **options,  # type: ignore[arg-type]
        )
    )  # fmt: skip


def _graphs(tmp_path: Path) -> set[str]:
    return {g.value for g in EmbeddedStore(tmp_path / "store", read_only=True).named_graphs()}


def test_violating_record_is_quarantined_and_the_rest_lands(tmp_path: Path) -> None:
    summary = _build(tmp_path)
    assert summary.records_read == GOOD + 1
    assert summary.in_graph == GOOD
    assert summary.quarantined == 1
    assert summary.in_graph + summary.quarantined == summary.records_read
    assert summary.exit_code == 1
    assert f"{BASE}graph/question/QANR5L15QE5808" not in _graphs(tmp_path)
    assert f"{BASE}graph/question/QANR5L15QE5807" in _graphs(tmp_path)
    entries = [
        orjson.loads(line) for line in (tmp_path / "out" / "g.quarantine.jsonl").read_bytes().splitlines()
    ]
    assert entries and all(e["kind"] == "shacl" and e["uid"] == "QANR5L15QE5808" for e in entries)
    assert {e["file"] for e in entries} == {"QANR5L15QE5808.json"}
    shapes = {e["shape"] for e in entries}
    assert "hcsh:Question-answered-after-publication" in shapes  # the rule the record breaks
    entry = next(e for e in entries if e["shape"] == "hcsh:Question-answered-after-publication")
    assert entry["path"] == "hc:publicationDate"
    assert entry["shape"].startswith("hcsh:") and entry["component"].startswith("sh:")
    assert "QANR5L15QE5808" in entry["message"] and "QANR5L15QE5808.json" in entry["message"]
    assert entry["focus"] and entry["value"]


def test_keep_invalid_keeps_it_flagged(tmp_path: Path) -> None:
    summary = _build(tmp_path, keep_invalid=True)
    assert summary.in_graph == GOOD + 1 and summary.quarantined == 0 and summary.kept_invalid == 1
    assert summary.exit_code == 1
    store = EmbeddedStore(tmp_path / "store", read_only=True)
    graph = ox.NamedNode(f"{BASE}graph/question/QANR5L15QE5808")
    flags = list(store.store.quads_for_pattern(graph, None, ox.Literal(False), graph))
    assert [q.predicate.value for q in flags] == ["https://w3id.org/hemicycle/ontology#conformsToShapes"]
    entries = [
        orjson.loads(line) for line in (tmp_path / "out" / "g.quarantine.jsonl").read_bytes().splitlines()
    ]
    assert entries and all(e["kept"] for e in entries)


def test_no_validate_lands_everything(tmp_path: Path) -> None:
    summary = _build(tmp_path, validate=False)
    assert summary.in_graph == GOOD + 1 and summary.quarantined == 0 and summary.exit_code == 0


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_both_engines_quarantine_the_same_record(tmp_path: Path, engine: str) -> None:
    from kg.validation.engines import fast_engine_available
    from kg.validation.results import Engine

    if engine == "fast" and not fast_engine_available():
        pytest.skip("shacl-rust is not installed")
    # a few records only: pySHACL takes seconds per question with its registry context
    summary = _build(tmp_path, ("QANR5L15QE40439",), engine=Engine(engine))
    assert summary.in_graph == 2
    assert summary.quarantined == 1
    assert {e.uid for e in summary.quarantine} == {"QANR5L15QE5808"}


def test_the_sample_conforms(tmp_path: Path) -> None:
    summary = build(BuildOptions(store=tmp_path / "store"))
    assert summary.quarantined == 0 and summary.exit_code == 0
    assert not [d for d in summary.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("engine", ["fast"])  # pySHACL goes through validate_triples either way
def test_registry_validated_from_bytes_as_from_the_store(tmp_path: Path, engine: str) -> None:
    """The build validates the registry's N-Quads as they are; the store's graphs give the same results."""
    from kg.iris import Minter
    from kg.mapping_registry import RegistryMapper
    from kg.registry import load_registry
    from kg.validation.engines import fast_engine_available
    from kg.validation.report import validate_nquads, validate_registry
    from kg.validation.results import Engine

    if engine == "fast" and not fast_engine_available():
        pytest.skip("shacl-rust is not installed")
    registry = load_registry([SAMPLE_REGISTRY])
    mapper = RegistryMapper(registry, Minter())
    data = ox.serialize(mapper.quads(), None, ox.RdfFormat.N_QUADS) or b""
    store = EmbeddedStore(None)
    store.load_graphs(mapper.graphs(), data)
    from_bytes = validate_nquads(data, engine=Engine(engine))
    from_store = validate_registry(store, engine=Engine(engine))
    assert [r.key() for r in from_bytes.results] == [r.key() for r in from_store.results]
    assert from_bytes.results, "the sample registry has known warnings (a membership ending before it starts)"


def _copy_record(batch: Path, name: str, number: str, change: Callable[[dict[str, Any]], None]) -> None:
    record = json.loads((batch / f"{name}.json").read_text(encoding="utf-8"))
    q = record["question"]
    q["uid"] = name.removesuffix(q["identifiant"]["numero"]) + number
    q["identifiant"]["numero"] = number
    change(q)
    (batch / f"{q['uid']}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def _swap_attribution_dates(q: dict[str, Any]) -> None:
    first, second = q["minAttribs"]["minAttrib"]
    first["infoJO"]["dateJO"], second["infoJO"]["dateJO"] = (
        second["infoJO"]["dateJO"],
        first["infoJO"]["dateJO"],
    )


def _credit_to_another_group(q: dict[str, Any]) -> None:
    q["auteur"]["groupe"] = {"organeRef": "PO730958", "abrege": "LFI", "developpe": "La France insoumise"}


def _local(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    assert isinstance(term, ox.NamedNode)
    return term.value.removeprefix(BASE)


def test_attribution_order_and_group_membership_are_judged_in_the_build(tmp_path: Path) -> None:
    """The two rules shapes 1.1.0 write in core SHACL, through kg build: attributions out of date order, and a
    question credited to a group its author never joined, are quarantined; their originals land, with the
    links the rules follow (hc:previousAttribution, hc:authorGroupMembership)."""
    batch = _batch(tmp_path, ("QANR5L15QE27219", "QANR5L15QE40439"))
    _copy_record(batch, "QANR5L15QE27219", "27220", _swap_attribution_dates)
    _copy_record(batch, "QANR5L15QE40439", "40440", _credit_to_another_group)
    summary = build(
        BuildOptions(
            sources=(batch,), registries=(SAMPLE_REGISTRY,), store=tmp_path / "store", out=tmp_path / "g.nq"
        )
    )
    # read: the two originals, QANR5L15QE5807 and its bad copy 5808 (see _batch), and the two bad copies
    assert (summary.records_read, summary.in_graph, summary.quarantined) == (6, 3, 3)
    entries = [orjson.loads(line) for line in (tmp_path / "g.quarantine.jsonl").read_bytes().splitlines()]
    violated: dict[str, set[str]] = {}
    for entry in entries:
        violated.setdefault(entry["uid"], set()).add(entry["shape"])
    assert "hcsh:Attribution-in-order" in violated["QANR5L15QE27220"]
    assert "hcsh:Question-author-member-on-date" in violated["QANR5L15QE40440"]
    order = next(e for e in entries if e["shape"] == "hcsh:Attribution-in-order")
    assert order["focus"] == f"{BASE}question/QANR5L15QE27220/attribution/2"
    store = EmbeddedStore(tmp_path / "store", read_only=True).store
    hc = "https://w3id.org/hemicycle/ontology#"
    links = {
        (_local(q.subject), q.predicate.value.removeprefix(hc), _local(q.object))
        for p in ("previousAttribution", "authorGroupMembership")
        for q in store.quads_for_pattern(None, ox.NamedNode(hc + p), None, None)
    }
    assert links == {
        (
            "question/QANR5L15QE27219/attribution/2",
            "previousAttribution",
            "question/QANR5L15QE27219/attribution/1",
        ),
        ("question/QANR5L15QE27219", "authorGroupMembership", "mandate/PM758869"),
        (
            "question/QANR5L15QE40439/attribution/2",
            "previousAttribution",
            "question/QANR5L15QE40439/attribution/1",
        ),
        ("question/QANR5L15QE40439", "authorGroupMembership", "mandate/PM731378"),
        ("question/QANR5L15QE5807", "authorGroupMembership", "mandate/PM731343"),
    }

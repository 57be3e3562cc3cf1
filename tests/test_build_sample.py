"""The build of the bundled sample, end to end: every record lands, linked to the right people and bodies,
with the facts listed independently in tests/fixtures/sample_expectations.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import namespace as rns

from kg.build.pipeline import BuildOptions, BuildSummary, build
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.store import EmbeddedStore
from kg.vocab import HC, HC_IRI, SCHEMA

from .conftest import FIXTURES, SampleBuild

EXPECT: dict[str, Any] = json.loads((FIXTURES / "sample_expectations.json").read_text(encoding="utf-8"))
BASE = "https://w3id.org/hemicycle/"


@pytest.fixture(scope="module")
def built(sample_build: SampleBuild) -> tuple[BuildSummary, EmbeddedStore, Path]:
    return sample_build.summary, EmbeddedStore(sample_build.store, read_only=True), sample_build.out.parent


def select(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    result = store.store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]  # type: ignore[union-attr]


def test_summary_accounts_for_every_record(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    summary, _, out = built
    assert summary.records_read == EXPECT["questions"]
    assert summary.in_graph + summary.quarantined == summary.records_read
    assert summary.quarantined == 0
    assert dict(summary.by_type) == EXPECT["by_type"]
    assert summary.exit_code == 0
    assert not [d for d in summary.diagnostics if d.severity == "error"]
    assert (out / "quarantine.jsonl").read_text() == ""


def test_counts_by_status(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    _, store, _ = built
    rows = select(
        store,
        "PREFIX hc: <https://w3id.org/hemicycle/ontology#> "
        "SELECT ?status (COUNT(DISTINCT ?q) AS ?n) WHERE { ?q hc:status ?status } GROUP BY ?status",
    )
    by_status = {r["status"].rsplit("#", 1)[1]: int(r["n"]) for r in rows}
    assert by_status == {
        "Answered": EXPECT["answered"],
        "Pending": EXPECT["open"],
        "Withdrawn": EXPECT["withdrawn"],
    }


def test_reattributed_and_signalled(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    _, store, _ = built
    reattributed = select(
        store,
        "PREFIX hc: <https://w3id.org/hemicycle/ontology#> SELECT (COUNT(DISTINCT ?q) AS ?n) "
        "WHERE { ?q hc:attribution/hc:order 2 }",
    )
    signalled = select(
        store,
        "PREFIX hc: <https://w3id.org/hemicycle/ontology#> SELECT (COUNT(DISTINCT ?q) AS ?n) "
        "WHERE { ?q hc:signalement ?s }",
    )
    assert int(reattributed[0]["n"]) == EXPECT["reattributed"]
    assert int(signalled[0]["n"]) == EXPECT["signalled"]


@pytest.mark.parametrize("uid", sorted(EXPECT["per_question"]))
def test_question_facts(built: tuple[BuildSummary, EmbeddedStore, Path], uid: str) -> None:
    _, store, _ = built
    expected = EXPECT["per_question"][uid]
    q = f"<{BASE}question/{uid}>"
    rows = select(
        store,
        f"""PREFIX hc: <https://w3id.org/hemicycle/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?author ?mandate ?group ?questioned ?attributed ?published ?answered ?delay ?closure ?constituency ?rubrique
        WHERE {{
          {q} dcterms:creator ?author ; hc:authorMandate ?mandate .
          OPTIONAL {{ {q} hc:authorGroup ?group }}
          OPTIONAL {{ {q} hc:questionedMinistry ?questioned }}
          OPTIONAL {{ {q} hc:attributedMinistry ?attributed }}
          OPTIONAL {{ {q} hc:publicationDate ?published }}
          OPTIONAL {{ {q} hc:answerDate ?answered }}
          OPTIONAL {{ {q} hc:answerDelayDays ?delay }}
          OPTIONAL {{ {q} hc:closure/hc:closureLabel ?closure }}
          OPTIONAL {{ {q} hc:constituency ?constituency }}
          OPTIONAL {{ {q} dcterms:subject ?rubrique . ?rubrique skos:inScheme <{BASE}topic/rubrique> }}
        }}""",
    )
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["author"] == f"{BASE}person/{expected['author']}"
    assert row["mandate"] == f"{BASE}mandate/{expected['mandate']}"
    assert row["group"] == f"{BASE}organe/{expected['group']}"
    assert row["questioned"] == f"{BASE}organe/{expected['questioned_ministry']}"
    assert row["attributed"] == f"{BASE}organe/{expected['attributed_ministry']}"
    assert row["published"] == expected["published"]
    assert row.get("answered") == expected["answered"]
    assert (int(row["delay"]) if "delay" in row else None) == expected["answer_delay_days"]
    assert row.get("closure") == expected["closure_label"]
    assert row["constituency"] == f"{BASE}constituency/{expected['constituency']}"
    if expected["rubrique"]:
        assert row["rubrique"].startswith(f"{BASE}topic/rubrique/")
    else:
        assert "rubrique" not in row


def test_reference_question_links(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    """Sample SOURCES.md: question 40439 ↔ PA345722, PM723428, group PO730934, 92-6, PO774113 then PO791605."""
    _, store, _ = built
    rows = select(
        store,
        f"""PREFIX hc: <https://w3id.org/hemicycle/ontology#>
        SELECT ?order ?ministry ?date WHERE {{
          <{BASE}question/QANR5L15QE40439> hc:attribution ?a .
          ?a hc:order ?order ; hc:ministry ?ministry ; hc:joDate ?date }} ORDER BY ?order""",
    )
    assert [(r["order"], r["ministry"].rsplit("/", 1)[1], r["date"]) for r in rows] == [
        ("1", "PO774113", "2021-07-27"),
        ("2", "PO791605", "2022-05-21"),
    ]
    reason = select(
        store,
        f"""PREFIX hc: <https://w3id.org/hemicycle/ontology#>
        SELECT ?reason ?label WHERE {{ <{BASE}question/QANR5L15QE40439> hc:closure ?c .
          ?c hc:closureReason ?reason ; hc:closureLabel ?label }}""",
    )
    assert reason == [{"reason": HC_IRI + "EndOfMandate", "label": "Fin de mandat"}]
    person = select(
        store,
        f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?name WHERE {{ <{BASE}person/PA345722> foaf:name ?name }}""",
    )
    assert person == [{"name": "Constance Le Grip"}]
    constituency = select(
        store,
        f"""PREFIX hc: <https://w3id.org/hemicycle/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?dept WHERE {{ <{BASE}constituency/92-6> rdfs:label ?label ; hc:department ?dept }}""",
    )
    assert constituency == [{"label": "Hauts-de-Seine (6e circonscription)", "dept": f"{BASE}department/92"}]


def test_unresolvable_ministry_keeps_its_labels(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    _, store, _ = built
    (unresolved,) = EXPECT["unresolvable_organes"]
    rows = select(
        store,
        f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX hc: <https://w3id.org/hemicycle/ontology#>
        SELECT ?label ?type WHERE {{ <{BASE}organe/{unresolved}> skos:prefLabel ?label ; a ?type }}""",
    )
    assert rows and {r["type"] for r in rows} >= {HC_IRI + "Ministry"}


#: Terms of the reused vocabularies that the graph may use (anything else must be declared in hc:).
REUSED = {
    str(t)
    for t in (
        rns.RDF.type, rns.RDFS.label, rns.RDFS.seeAlso, rns.DCTERMS.identifier, rns.DCTERMS.title, rns.DCTERMS.alternative,
        rns.DCTERMS.creator, rns.DCTERMS.subject, rns.DCTERMS.date, rns.DCTERMS.license, rns.DCTERMS.source, rns.DCTERMS.description,
        rns.FOAF.Person, rns.FOAF.name, rns.FOAF.givenName, rns.FOAF.familyName, rns.FOAF.page, rns.FOAF.homepage,
        rns.ORG.Organization, rns.ORG.Membership, rns.ORG.member, rns.ORG.organization, rns.ORG.subOrganizationOf,
        rns.SKOS.Concept, rns.SKOS.ConceptScheme, rns.SKOS.prefLabel, rns.SKOS.inScheme,
        rns.PROV.Entity, rns.PROV.wasDerivedFrom, rns.PROV.wasAttributedTo, rns.PROV.SoftwareAgent,
        rns.VOID.Dataset, rns.VOID.triples, rns.VOID.classes, rns.VOID.classPartition, rns.VOID.entities,
        rns.VOID.uriSpace, rns.VOID.vocabulary, rns.VOID["class"], rns.DCAT.Dataset,
        rns.VOID.sparqlEndpoint, rns.VOID.dataDump, rns.VOID.exampleResource,
        SCHEMA.text, SCHEMA.birthDate, SCHEMA.deathDate, SCHEMA.startDate, SCHEMA.endDate, SCHEMA.url,
    )
}  # fmt: skip


def test_every_term_used_is_declared(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    _, store, _ = built
    used = {r["p"] for r in select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    used |= {r["c"] for r in select(store, "SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    hc_terms = {HC_IRI + name for name in HC.__annotations__}
    undeclared = {t for t in used if t not in REUSED and t not in hc_terms}
    assert undeclared == set()


def test_literals_have_the_documented_datatypes(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    _, store, _ = built
    for prop, datatype in (
        ("joPage", rns.XSD.integer), ("number", rns.XSD.integer), ("answerDelayDays", rns.XSD.integer),
        ("order", rns.XSD.integer), ("joDate", rns.XSD.date), ("publicationDate", rns.XSD.date),
    ):  # fmt: skip
        rows = select(store, f"SELECT DISTINCT (DATATYPE(?o) AS ?d) WHERE {{ ?s <{HC_IRI}{prop}> ?o }}")
        assert [r["d"] for r in rows] == [str(datatype)], prop
    languages = select(store, "SELECT DISTINCT (LANG(?o) AS ?l) WHERE { ?s <https://schema.org/text> ?o }")
    assert [r["l"] for r in languages] == ["fr"]


def test_one_named_graph_per_question_with_provenance(
    built: tuple[BuildSummary, EmbeddedStore, Path],
) -> None:
    _, store, _ = built
    graphs = {g.value for g in store.named_graphs()}
    for uid in EXPECT["per_question"]:
        assert f"{BASE}graph/question/{uid}" in graphs
    paths = select(
        store,
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX hc: <https://w3id.org/hemicycle/ontology#> "
        "SELECT ?g ?path WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?src . ?src hc:sourcePath ?path } } ",
    )
    question_paths = {r["path"] for r in paths if "/graph/question/" in r["g"]}
    assert "json/QANR5L15QE40439.json" in question_paths
    assert all(not p.startswith("/") for p in question_paths), "paths are relative to the input root"


def test_output_is_deterministic_and_independent_of_input_location(tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "questions"
    shutil.copytree(SAMPLE_QUESTIONS, moved)
    first = tmp_path / "a.nt"
    second = tmp_path / "b.nt"
    build(BuildOptions(store=tmp_path / "s1", out=first))
    build(BuildOptions(sources=(moved,), registries=(SAMPLE_REGISTRY,), store=tmp_path / "s2", out=second))
    assert first.read_bytes() == second.read_bytes()


def test_rebuild_replaces_graphs_instead_of_duplicating(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = build(BuildOptions(store=store_dir))
    again = build(BuildOptions(store=store_dir))
    assert again.triples == first.triples
    # a changed record replaces exactly its own graph
    changed = tmp_path / "changed"
    shutil.copytree(SAMPLE_QUESTIONS / "json", changed)
    record = changed / "QANR5L15QE40439.json"
    record.write_text(
        record.read_text(encoding="utf-8").replace("Health data hub", "Health Data Hub"), encoding="utf-8"
    )
    build(BuildOptions(sources=(changed,), registries=(SAMPLE_REGISTRY,), store=store_dir))
    store = EmbeddedStore(store_dir, read_only=True)
    titles = select(
        store,
        f"SELECT ?t WHERE {{ <{BASE}question/QANR5L15QE40439> <http://purl.org/dc/terms/title> ?t }}",
    )
    assert titles == [{"t": "Désignation d'un nouvel hébergeur des données traitées par le Health Data Hub"}]


def test_parallel_build_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.build.workers

    serial, parallel = tmp_path / "serial.nq", tmp_path / "parallel.nq"
    build(BuildOptions(store=tmp_path / "s1", out=serial, jobs=1))
    monkeypatch.setattr(kg.build.workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(kg.build.workers, "CHUNK_FILES", 5)
    summary = build(BuildOptions(store=tmp_path / "s2", out=parallel, jobs=2))
    assert summary.in_graph == EXPECT["questions"]
    assert serial.read_bytes() == parallel.read_bytes()


def test_dataset_description(built: tuple[BuildSummary, EmbeddedStore, Path]) -> None:
    summary, store, _ = built
    rows = select(
        store,
        f"""PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?triples ?licence WHERE {{ GRAPH <{BASE}graph/dataset> {{
          <{BASE}dataset> void:triples ?triples ; dcterms:license ?licence }} }}""",
    )
    assert rows == [
        {"triples": str(summary.triples - _dataset_size(store)),
         "licence": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
    ]  # fmt: skip
    distinct = select(
        store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert int(distinct[0]["n"]) == summary.triples, "a triple stands in two graphs"


def _dataset_size(store: EmbeddedStore) -> int:
    return len(list(store.store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}graph/dataset"))))


def test_streamed_output_has_exactly_the_store_content(tmp_path: Path) -> None:
    """A fresh build writes its output from what it loads; `kg export` reads the store: same graph."""
    from kg.export import FORMATS as formats
    from kg.export import export

    streamed = tmp_path / "streamed.nt"
    build(BuildOptions(store=tmp_path / "store", out=streamed))
    exported = tmp_path / "exported.nt"
    export(EmbeddedStore(tmp_path / "store", read_only=True), exported, formats["nt"])
    streamed_lines = streamed.read_bytes().splitlines()
    assert len(streamed_lines) == len(set(streamed_lines)), "a triple written twice"
    assert sorted(streamed_lines) == sorted(exported.read_bytes().splitlines())
    quads = tmp_path / "streamed.nq"
    build(BuildOptions(store=tmp_path / "store2", out=quads))
    exported_quads = tmp_path / "exported.nq"
    export(EmbeddedStore(tmp_path / "store2", read_only=True), exported_quads, formats["nq"])
    assert sorted(quads.read_bytes().splitlines()) == sorted(exported_quads.read_bytes().splitlines())

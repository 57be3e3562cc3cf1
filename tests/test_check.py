"""kg.validation.check: the self-checks pass on the project as it is, and each one fails on a broken copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import InputError
from kg.resources import ontology_file, resource_dir
from kg.validation.check import (
    CHECKS,
    Level,
    check_fixtures,
    check_ontology,
    check_shapes_docs,
    check_shapes_meta,
    check_terms,
    check_vocabulary,
    load_manifest,
    query_terms,
    run_checks,
    shape_terms,
)
from kg.validation.engines import fast_engine_available
from kg.validation.results import Engine
from kg.validation.shapes import changelog_version, load_shapes
from kg.vocab import HC_IRI

from .conftest import SHAPE_FIXTURES

SHAPES_DIR = resource_dir("shapes")


def _copy_shapes(tmp_path: Path) -> Path:
    target = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, target)
    return target


def test_the_project_passes_every_check_but_the_fixtures() -> None:
    report = run_checks([name for name in CHECKS if name != "fixtures"])
    assert report.ok, "\n".join(f.one_line() for f in report.findings)
    assert "all checks pass" in report.summary()


@pytest.mark.skipif(
    not fast_engine_available(), reason="shacl-rust not installed (tests/test_shapes.py runs them)"
)
def test_fixtures_check_passes_with_the_fast_engine() -> None:
    assert check_fixtures(engine=Engine.FAST) == []


def test_ontology_check_finds_a_missing_label_and_comment() -> None:
    ontology = Graph().parse(ontology_file(), format="turtle")
    term = URIRef(HC_IRI + "number")
    ontology.remove((term, RDFS.label, Literal("number", lang="en")))
    ontology.remove((term, RDFS.comment, None))
    ontology.add((URIRef(HC_IRI + "kindless"), RDFS.label, Literal("x", lang="en")))
    messages = {(f.subject, f.message) for f in check_ontology(ontology)}
    assert ("hc:number", "no label in en") in messages
    assert ("hc:number", "no comment in fr") in messages and ("hc:number", "no comment in en") in messages


def test_vocabulary_check_finds_a_term_missing_from_the_code() -> None:
    ontology = Graph().parse(ontology_file(), format="turtle")
    ontology.add((URIRef(HC_IRI + "newTerm"), RDF.type, OWL.DatatypeProperty))
    findings = check_vocabulary(ontology)
    assert [(f.subject, f.level) for f in findings] == [("hc:newTerm", Level.ERROR)]


VERSION = changelog_version()


def test_shapes_docs_check_finds_missing_messages_and_versions(tmp_path: Path) -> None:
    directory = _copy_shapes(tmp_path)
    person = directory / "person.ttl"
    person.write_text(
        person.read_text(encoding="utf-8")
        .replace('"at most one trigram, an xsd:string"@en', '"au plus un trigramme"@fr')
        .replace("    a owl:Ontology ;", '    a owl:Ontology ;\n    owl:versionInfo "0.9.0" ;'),
        encoding="utf-8",
    )
    messages = {(f.subject, f.message) for f in check_shapes_docs(load_shapes(directory))}
    assert ("hcsh:Person-trigram", "no sh:message in en") in messages
    assert (
        "person.ttl",
        "owl:versionInfo 0.9.0 in the file: the version lives in CHANGELOG.md alone",
    ) in messages
    assert load_shapes(directory).version == VERSION  # the CHANGELOG's, whatever a file says


def test_shapes_meta_check_finds_invalid_shacl(tmp_path: Path) -> None:
    directory = _copy_shapes(tmp_path)
    source = directory / "source-record.ttl"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "sh:minCount 1 ;\n    sh:datatype xsd:string .", 'sh:minCount "one" .'
        ),
        encoding="utf-8",
    )
    findings = check_shapes_meta(load_shapes(directory))
    assert findings and all(f.level is Level.ERROR for f in findings)
    assert any(f.subject == "hcsh:SourceRecord-path" for f in findings)


def test_terms_check_finds_undeclared_terms(tmp_path: Path) -> None:
    directory = _copy_shapes(tmp_path)
    topic = directory / "topic.ttl"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace(
            "sh:targetClass skos:Concept ;", "sh:targetClass hc:Topic ;", 1
        ),
        encoding="utf-8",
    )
    subjects = {f.subject for f in check_terms(load_shapes(directory))}
    assert subjects == {"hc:Topic"}


def test_terms_of_shapes_and_queries_are_read_with_a_sparql_parser() -> None:
    used = shape_terms(load_shapes())
    assert "https://w3id.org/hemicycle/ontology#authorGroup" in used  # from a path
    assert "http://www.w3.org/ns/org#member" in used  # in an inverse path
    terms = query_terms('SELECT ?q WHERE { ?q a hc:WrittenQuestion ; hc:legislature "15" }', {"hc": HC_IRI})
    assert terms == {str(RDF.type), HC_IRI + "WrittenQuestion", HC_IRI + "legislature"}


def test_fixtures_check_finds_uncovered_shapes_and_wrong_expectations(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(SHAPE_FIXTURES, fixtures)
    manifest = fixtures / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    head, _, rest = text.partition('name = "closure closed"')
    # drop the only violation of hcsh:Closure and make another case expect a wrong component
    start = head.rfind("[[violation]]")
    end = rest.find("[[violation]]")
    text = head[:start] + rest[end:]
    text = text.replace(
        'name = "born after death"\nshape = "hcsh:Person-born-before-death"\ncomponent = "LessThan"',
        'name = "born after death"\nshape = "hcsh:Person-born-before-death"\ncomponent = "LessThanOrEquals"',
    )
    manifest.write_text(text, encoding="utf-8")
    engine = Engine.FAST if fast_engine_available() else Engine.PYSHACL
    findings = check_fixtures(directory=fixtures, engine=engine)
    subjects = {f.subject for f in findings}
    assert "hcsh:Closure" in subjects and "born after death" in subjects
    assert len(load_manifest(fixtures).cases) == len(load_manifest().cases) - 1


def test_a_manifest_case_that_deletes_what_is_not_there_is_an_error(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(SHAPE_FIXTURES, fixtures)
    manifest = fixtures / "manifest.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "delete = ['question:QANR5L15QE20618 hc:status hc:Answered .']",
            "delete = ['question:QANR5L15QE20618 hc:status hc:Withdrawn .']",
        ),
        encoding="utf-8",
    )
    loaded = load_manifest(fixtures)
    case = next(c for c in loaded.cases if c.name == "status disagrees with the lifecycle")
    with pytest.raises(InputError, match="deletes triples its world does not have"):
        loaded.statements(case)


def test_unknown_check_is_bad_usage() -> None:
    with pytest.raises(InputError, match="unknown check"):
        run_checks(["spelling"])

"""The manual's generated reference pages: each committed page under docs/reference/ is exactly what the
shapes, the query headers and the ontology give; each lists everything it documents, once; the generator
finds and rewrites stale pages; `kg queries --markdown` prints the catalog; the README stays a landing page."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.query.catalog import load_catalog
from kg.reference import (
    PAGES,
    catalog_markdown,
    main,
    ontology_page,
    queries_page,
    render_pages,
    shapes_page,
    stale_pages,
    write_pages,
)
from kg.resources import ontology_file
from kg.validation.results import compact
from kg.validation.shapes import Shapes, load_shapes

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
HC = "https://w3id.org/hemicycle/ontology#"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages()


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes()


def test_committed_pages_are_fresh(pages: dict[str, str]) -> None:
    problems = stale_pages(REFERENCE, pages)
    assert not problems, "\n\n".join(problems)


def test_every_page_is_in_the_manual() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in PAGES:
        assert f"reference/{name}" in nav, name


# ------------------------------------------------------------------ shapes


def test_shapes_page_lists_every_rule_once(shapes: Shapes) -> None:
    page = shapes_page(shapes)
    rows = [line for line in page.splitlines() if line.startswith("| `hcsh:")]
    names = [row.split("`")[1] for row in rows]
    assert len(names) == len(set(names))
    assert "hcsh:Question-within-legislature" in names and "hcsh:Mandate" not in names  # a group, not a rule
    rules = {compact(info.iri) for info in shapes.info.values() if info.constraints != ("property",)}
    assert set(names) == rules
    assert f"{len(rules)} rules in {len(shapes.files)} files" in page
    assert f"version **{shapes.version}**" in page
    headings = [line[3:] for line in page.splitlines() if line.startswith("## ")]
    assert headings == [file for file in shapes.files if any(i.file == file for i in shapes.info.values())]


def test_shapes_page_says_each_severity(shapes: Shapes) -> None:
    rows = [line for line in shapes_page(shapes).splitlines() if line.startswith("| `hcsh:")]
    severities = {row.rstrip(" |").rsplit("| ", 1)[1] for row in rows}
    assert severities == {"Violation", "Warning"}
    assert any("| `hcsh:Topic-one-spelling` |" in row and row.endswith("| Warning |") for row in rows)


# ------------------------------------------------------------------ queries


def test_queries_page_documents_every_query_and_parameter() -> None:
    page = queries_page()
    catalog = load_catalog()
    assert catalog
    for spec in catalog:
        assert f"\n## {spec.name}\n" in page
        assert f"[`{spec.name}`](#{spec.name})" in page  # the index links to the heading's anchor
        assert f"**{spec.title}.**" in page
        for param in spec.params:
            assert f"| `{param.name}` | {param.type.value} |" in page
        for column in spec.columns:
            assert f"`{column}`" in page
        for example in spec.examples:
            assert f"kg query {spec.name} {example}".rstrip() in page
    assert page.endswith(catalog_markdown(catalog))


def test_kg_queries_markdown_prints_the_catalog() -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["queries", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.output == catalog_markdown()


def test_queries_readme_does_not_repeat_the_catalog() -> None:
    text = (ROOT / "queries" / "README.md").read_text(encoding="utf-8")
    assert "../docs/reference/queries.md" in text
    for spec in load_catalog():
        assert f"## {spec.name}" not in text and f"### `{spec.name}`" not in text


# ------------------------------------------------------------------ ontology


def test_ontology_page_documents_every_term_in_both_languages() -> None:
    graph = Graph()
    graph.parse(ontology_file(), format="turtle")
    page = ontology_page()
    terms = {
        s
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(HC) and (s, RDF.type, OWL.Ontology) not in graph
    }
    assert len(terms) > 100
    rows = {line.split("`")[1]: line for line in page.splitlines() if line.startswith("| `hc:")}
    assert set(rows) == {compact(str(term)) for term in terms}
    assert sum(line.startswith("| `hc:") for line in page.splitlines()) == len(terms)  # each once
    for term in terms:
        row = rows[compact(str(term))]
        for predicate in (RDFS.label, RDFS.comment):
            for lang in ("en", "fr"):
                values = [
                    o for o in graph.objects(term, predicate) if isinstance(o, Literal) and o.language == lang
                ]
                assert values, f"{term} has no {predicate} in {lang}"
                assert all(" ".join(str(v).split()).replace("|", "\\|") in row for v in values), (term, lang)
    assert "| `hc:answerDelayDays` |" in rows["hc:answerDelayDays"]
    assert "`hc:Question` → `xsd:integer`" in rows["hc:answerDelayDays"]
    assert "`hc:LifecycleEvent`" in rows["hc:Attribution"]  # its superclass
    assert "### hc:ClosureReason" in page and "### hc:QuestionStatus" in page


# ------------------------------------------------------------------ finding and rewriting stale pages


def test_stale_and_missing_pages_are_found_and_rewritten(tmp_path: Path, pages: dict[str, str]) -> None:
    problems = stale_pages(tmp_path, pages)
    assert len(problems) == len(PAGES) and all("missing" in p for p in problems)
    assert sorted(p.name for p in write_pages(tmp_path, pages)) == sorted(PAGES)
    assert stale_pages(tmp_path, pages) == []
    assert write_pages(tmp_path, pages) == []  # nothing changed, nothing written
    shapes = tmp_path / "shapes.md"
    shapes.write_text(pages["shapes.md"].replace("| Warning |", "| Violation |", 1), encoding="utf-8")
    (problem,) = stale_pages(tmp_path, pages)
    assert "shapes.md is stale" in problem and "-| `hcsh:" in problem and "+| `hcsh:" in problem
    assert write_pages(tmp_path, pages) == [shapes]
    assert shapes.read_text(encoding="utf-8") == pages["shapes.md"]
    assert not list(tmp_path.glob(".*.partial"))


def test_main_checks_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(tmp_path), "--check"]) == 1
    assert "is missing" in capsys.readouterr().err
    assert main(["--dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(PAGES)
    assert main(["--dir", str(tmp_path), "--check"]) == 0


# ------------------------------------------------------------------ the landing page


def test_readme_is_a_landing_page() -> None:
    readme = (ROOT / "README.md").read_bytes()
    assert len(readme) <= 12 * 1024
    text = readme.decode("utf-8")
    assert "make run" in text and "make test" in text
    for page in ("docs/model.md", "docs/reliability.md#exit-codes", "docs/reference/shapes.md"):
        assert f"]({page})" in text

"""``kg query`` with ad-hoc SPARQL: a plain file without the catalog header, ``--sparql TEXT`` and
``--sparql -`` (stdin), on the store and on a live Oxigraph endpoint, in every output format; and the
one-line errors (exit 2) that name the file or the option."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ExitCode
from kg.serve.oxigraph import OxigraphServer, free_port, serve

from .conftest import FIXTURES

EXPECT = json.loads((FIXTURES / "sample_expectations.json").read_text(encoding="utf-8"))
COUNT_BY_TYPE = """PREFIX hc: <https://w3id.org/hemicycle/ontology#>
SELECT ?type (COUNT(?q) AS ?n)
WHERE { ?q a ?type . VALUES ?type { hc:WrittenQuestion hc:OralQuestion hc:GovernmentQuestion } }
GROUP BY ?type ORDER BY ?type
"""
#: the sample's questions per type, as sample_expectations.json lists them (not as a query finds them)
BY_TYPE = {
    "https://w3id.org/hemicycle/ontology#GovernmentQuestion": EXPECT["by_type"]["QG"],
    "https://w3id.org/hemicycle/ontology#OralQuestion": EXPECT["by_type"]["QOSD"],
    "https://w3id.org/hemicycle/ontology#WrittenQuestion": EXPECT["by_type"]["QE"],
}

runner = CliRunner()


@pytest.fixture(scope="module")
def served(sample_store: Path) -> Iterator[OxigraphServer]:
    server = serve(sample_store, port=free_port())
    try:
        yield server
    finally:
        server.stop()


def _csv_counts(text: str) -> dict[str, int]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {row["type"]: int(row["n"]) for row in rows}


def test_a_plain_file_runs_on_the_store(sample_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text(COUNT_BY_TYPE, encoding="utf-8")
    result = runner.invoke(app, ["query", str(path), "--store", str(sample_store), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert _csv_counts(result.stdout) == BY_TYPE


@pytest.mark.parametrize("via", ["text", "stdin"])
def test_inline_sparql_runs_on_the_store(sample_store: Path, via: str) -> None:
    args = ["query", "--sparql", COUNT_BY_TYPE if via == "text" else "-", "--store", str(sample_store)]
    result = runner.invoke(app, [*args, "-f", "json"], input=COUNT_BY_TYPE if via == "stdin" else None)
    assert result.exit_code == 0, result.output
    assert {row["type"]: row["n"] for row in json.loads(result.stdout)} == BY_TYPE


def test_inline_sparql_runs_on_an_endpoint_in_every_format(served: OxigraphServer) -> None:
    outputs = {}
    for fmt in ("table", "csv", "tsv", "json"):
        result = runner.invoke(
            app, ["query", "--sparql", COUNT_BY_TYPE, "--endpoint", served.query_url, "-f", fmt]
        )
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout
    assert _csv_counts(outputs["csv"]) == BY_TYPE
    assert {row["type"]: row["n"] for row in json.loads(outputs["json"])} == BY_TYPE
    assert outputs["tsv"].splitlines()[0] == "type\tn"
    assert "hc:WrittenQuestion" in outputs["table"] and outputs["table"].rstrip().endswith("(3 rows)")


def test_a_plain_file_with_a_header_takes_parameters(sample_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "one.sparql"  # any name: a file is a file
    path.write_text(
        "# param: uid (question-uid, required) — the question\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?q WHERE { ?q dcterms:identifier ?uid }\n",
        encoding="utf-8",
    )
    args = ["query", str(path), "-p", "uid=QANR5L15QE40439", "--store", str(sample_store), "-f", "csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["q", "https://w3id.org/hemicycle/question/QANR5L15QE40439"]


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--sparql", "SELECT * WHERE { ?s ?p"], None, "--sparql: SPARQL syntax error: error at 1:"),
        (["--sparql", "-"], "SELECT * WHERE {", "--sparql: SPARQL syntax error"),
        (["--sparql", "  "], None, "--sparql: the query is empty"),
        (["FILE"], b"SELECT * WHERE { ?s ?p", "{file}: SPARQL syntax error: error at 1:"),
        (["FILE"], b"\xff\xfe SELECT", "{file}: cannot read the query (not UTF-8 text)"),
        (["{dir}/missing.rq"], None, "{dir}/missing.rq: no such query file"),
        (["{dir}"], None, "no query named"),
        (["FILE", "-p", "x=1"], b"SELECT * WHERE { ?s ?p ?o }", "{file} --param x: unknown parameter 'x'"),
        (["--sparql", "ASK {}", "FILE"], b"ASK {}", "--sparql: give NAME or --sparql, not both"),
        ([], None, "--sparql: give a query: NAME, FILE or --sparql TEXT"),
        (["--sparql", "CONSTRUCT WHERE { ?s ?p ?o }"], None, "--sparql: only SELECT and ASK queries"),
    ],
)
def test_errors_are_one_line_naming_the_file_or_option(
    sample_store: Path, tmp_path: Path, args: list[str], content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "mine.rq"
    if isinstance(content, bytes):
        path.write_bytes(content)
    args = [a.replace("FILE", str(path)).replace("{dir}", str(tmp_path)) for a in args]
    stdin = content if isinstance(content, str) else None
    result = runner.invoke(app, ["query", *args, "--store", str(sample_store)], input=stdin)
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    expected = message.replace("{file}", str(path)).replace("{dir}", str(tmp_path))
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT ?x {", "--sparql: SPARQL syntax error"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "--sparql: only SELECT and ASK queries"),
        ("DELETE WHERE { ?s ?p ?o }", "--sparql: SPARQL syntax error"),  # an update is not a query
    ],
)
def test_a_bad_text_is_refused_before_the_endpoint_is_asked(text: str, message: str) -> None:
    """Exit 2 naming the option, not 3: the text is wrong, whatever the endpoint (here, none listens)."""
    closed = f"http://127.0.0.1:{free_port()}/query"
    result = runner.invoke(app, ["query", "--sparql", text, "--endpoint", closed])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert result.stderr.startswith(f"error: {message}")

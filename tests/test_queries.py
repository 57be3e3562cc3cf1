"""The competency queries on the embedded store: the catalog and its headers, parameters bound as RDF terms
(validated, never pasted as text), the expected rows of every query on the bundled sample, the output
formats, and the query catalog of the READMEs."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.catalog_doc import END, START, catalog_markdown, is_fresh, section_of, update_file
from kg.errors import ExitCode, InputError
from kg.pipeline import BuildOptions, build
from kg.queries import (
    EmbeddedTarget,
    ParamType,
    QuerySpec,
    ResultTable,
    catalog_dir,
    find_query,
    format_result,
    inject_values,
    load_catalog,
    parse_assignments,
    parse_query_text,
    run_query,
)
from kg.store import EmbeddedStore
from kg.vocab import HC, HC_IRI

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = FIXTURES / "queries"
SAMPLE_EXPECT: dict[str, Any] = json.loads(
    (FIXTURES / "sample_expectations.json").read_text(encoding="utf-8")
)
BASE = "https://w3id.org/hemicycle/"

#: the pack the issue asks for: name → result columns
REQUIRED: dict[str, tuple[str, ...]] = {
    "questions-by-deputy": ("question", "uid", "type", "published", "title", "status", "ministry"),
    "ministry-answer-stats": ("ministry", "label", "asked", "answered", "answer_rate", "mean_delay_days"),
    "overdue-questions": ("question", "uid", "ministry", "published", "days_waiting"),
    "questions-by-topic": ("topic", "label", "questions"),
    "reattributed-questions": ("question", "uid", "from_ministry", "to_ministry", "date"),
    "withdrawn-end-of-mandate": ("question", "uid", "author", "closed"),
    "questions-by-constituency": ("constituency", "label", "deputy", "questions"),
    "group-activity": ("group", "label", "questions", "deputies", "questions_per_deputy"),
    "silent-deputies": ("deputy", "name", "constituency"),
    "signalement-effect": ("signalled", "questions", "answered", "mean_delay_days"),
}
#: name → (param, type, required)
REQUIRED_PARAMS: dict[str, set[tuple[str, ParamType, bool]]] = {
    "questions-by-deputy": {("deputy", ParamType.PA_ID, True)},
    "ministry-answer-stats": {("legislature", ParamType.INTEGER, False)},
    "overdue-questions": {("as_of", ParamType.DATE, True), ("legislature", ParamType.INTEGER, False)},
    "questions-by-topic": {("legislature", ParamType.INTEGER, False)},
    "reattributed-questions": {("legislature", ParamType.INTEGER, False)},
    "withdrawn-end-of-mandate": {("legislature", ParamType.INTEGER, False)},
    "questions-by-constituency": {("department", ParamType.DEPARTMENT, False)},
    "group-activity": {("legislature", ParamType.INTEGER, True)},
    "silent-deputies": {("legislature", ParamType.INTEGER, True)},
    "signalement-effect": {("legislature", ParamType.INTEGER, False)},
}

CATALOG = load_catalog()


def expected_cases() -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    cases = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            cases.append((data["query"], case["params"], case["rows"]))
    return cases


CASES = expected_cases()


def case_id(case: tuple[str, dict[str, str], list[dict[str, Any]]]) -> str:
    name, params, _ = case
    return name + "".join(f"-{k}={v}" for k, v in sorted(params.items()))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("sample")
    build(BuildOptions(store=out / "store", quarantine=out / "quarantine.jsonl"))
    return EmbeddedStore(out / "store", read_only=True)


@pytest.fixture(scope="module")
def target(sample_store: EmbeddedStore) -> EmbeddedTarget:
    return EmbeddedTarget(sample_store)


def example_params(spec: QuerySpec) -> dict[str, str]:
    """The first ``# example:`` of a query as parameters (``--param k=v …``)."""
    if not spec.examples:
        return {}
    words = spec.examples[0].split()
    return parse_assignments([w for w in words if "=" in w])


# ------------------------------------------------------------------ catalog and headers


def test_catalog_holds_the_pack() -> None:
    names = {spec.name for spec in CATALOG}
    assert set(REQUIRED) <= names
    if (catalog_dir() / "question-card.rq").is_file():  # written alongside, for kg show
        assert "question-card" in names
    assert [spec.name for spec in CATALOG] == sorted(names)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_named_query_columns_and_params(name: str) -> None:
    spec = find_query(name)
    assert spec.columns == REQUIRED[name]
    declared = {(p.name, p.type, p.required) for p in spec.params}
    assert REQUIRED_PARAMS[name] <= declared


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_every_query_parses_and_documents_itself(spec: QuerySpec) -> None:
    assert spec.title and spec.description, "header needs # title: and # description:"
    assert spec.columns, "a query must project columns"
    assert spec.examples, "header needs an # example: line"
    for param in spec.params:
        assert param.description, f"param {param.name} needs a meaning"
    # the example binds, and the bound text still parses (VALUES placed where SPARQL allows it)
    rendered = spec.render(example_params(spec))
    ox.Store().query(rendered)


def test_aggregates_default_to_written_questions() -> None:
    for name in ("ministry-answer-stats", "questions-by-topic", "group-activity", "signalement-effect"):
        param = find_query(name).param("type")
        assert param is not None and param.default == "QE", name


def test_catalog_lists_queries_in_a_given_folder(tmp_path: Path) -> None:
    (tmp_path / "b.rq").write_text("# title: B\nSELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    (tmp_path / "a.rq").write_text("# title: A\nASK { ?s ?p ?o }\n", encoding="utf-8")
    specs = load_catalog(tmp_path)
    assert [s.name for s in specs] == ["a", "b"]
    assert specs[0].columns == ("ask",)
    assert find_query("b", tmp_path).title == "B"
    assert find_query(str(tmp_path / "a.rq")).name == "a"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "no '# title:'"),
        (
            "# title: t\n# param: x (colour, required) — m\nSELECT ?x WHERE { ?x ?p ?o }",
            "unknown parameter type",
        ),
        ("# title: t\n# param: y (integer, optional) — m\nSELECT ?x WHERE { ?x ?p ?o }", "never uses ?y"),
        ("# title: t\n# param: x (date, 2024-13-01) — m\nSELECT ?x WHERE { ?x ?p ?o }", "not a date"),
        ("# title: t\n# param: x integer required\nSELECT ?x WHERE { ?x ?p ?o }", "cannot read"),
        ("# title: t\n# param: x (iri) — a\n# param: x (iri) — b\nSELECT ?x WHERE { ?x ?p ?o }", "twice"),
        ("# title: t\n# param: my-x (iri) — a\nSELECT ?x WHERE { ?x ?p ?o }", "not a valid SPARQL variable"),
    ],
)
def test_bad_headers_are_reported_with_the_file(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_query_text(text, Path("queries/broken.rq"))
    message = str(caught.value)
    assert fragment in message
    assert message.startswith("queries/broken.rq")
    assert "\n" not in message


def test_a_comment_mentioning_a_param_does_not_count_as_using_it() -> None:
    text = "# title: t\n# param: y (integer, optional) — m\nSELECT ?x WHERE { ?x ?p ?o } # ?y\n"
    with pytest.raises(InputError, match="never uses"):
        parse_query_text(text, Path("q.rq"))


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        find_query("no-such-query")
    assert "questions-by-deputy" in str(caught.value)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    with pytest.raises(InputError, match="no such query file"):
        find_query("missing/file.rq")
    with pytest.raises(InputError):
        find_query("../../etc/passwd")


# ------------------------------------------------------------------ expected rows


def test_every_named_query_has_expected_rows() -> None:
    covered = {name for name, _, rows in CASES if rows}
    assert set(REQUIRED) <= covered
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_expected_rows_on_the_embedded_store(
    target: EmbeddedTarget, case: tuple[str, dict[str, str], list[dict[str, Any]]]
) -> None:
    name, params, rows = case
    result = run_query(find_query(name), params, target)
    assert result.columns == REQUIRED[name]
    assert result.records() == rows
    assert repr(result.records()) == repr(rows)  # and the same types: True is not 1, 1.0 is not 1


def test_expected_rows_agree_with_sample_expectations() -> None:
    """The fixture rows restate facts that sample_expectations.json lists independently."""
    per = SAMPLE_EXPECT["per_question"]
    by_case = {(name, tuple(sorted(params.items()))): rows for name, params, rows in CASES}

    withdrawn = by_case[("withdrawn-end-of-mandate", ())]
    assert {r["uid"] for r in withdrawn} == {
        uid for uid, q in per.items() if q["closure_label"] == "Fin de mandat" and "QE" in uid
    }
    for row in withdrawn:
        assert row["author"] == BASE + "person/" + per[row["uid"]]["author"]

    changes = by_case[("reattributed-questions", ())]
    assert len({r["uid"] for r in changes}) == SAMPLE_EXPECT["reattributed"]
    for uid in {r["uid"] for r in changes}:
        chain = [r for r in changes if r["uid"] == uid]
        assert chain[0]["from_ministry"] == BASE + "organe/" + per[uid]["questioned_ministry"]
        assert chain[-1]["to_ministry"] == BASE + "organe/" + per[uid]["attributed_ministry"]
        assert all(a["to_ministry"] == b["from_ministry"] for a, b in itertools.pairwise(chain))

    signalled = by_case[("signalement-effect", (("type", "all"),))]
    assert sum(r["questions"] for r in signalled) == SAMPLE_EXPECT["questions"]
    assert sum(r["answered"] for r in signalled) == SAMPLE_EXPECT["answered"]
    assert next(r for r in signalled if r["signalled"])["questions"] == SAMPLE_EXPECT["signalled"]

    for (name, params), rows in by_case.items():
        if name == "questions-by-deputy":
            for row in rows:
                facts = per[row["uid"]]
                assert row["published"] == facts["published"]
                assert row["ministry"] == BASE + "organe/" + facts["attributed_ministry"]
        if name == "ministry-answer-stats" and dict(params) == {"legislature": "15", "type": "all"}:
            leg15 = {uid: q for uid, q in per.items() if uid.startswith("QANR5L15")}
            assert sum(r["asked"] for r in rows) == len(leg15)
            assert sum(r["answered"] for r in rows) == sum(1 for q in leg15.values() if q["answered"])
        if name == "questions-by-constituency":
            for row in rows:
                code = row["constituency"].rsplit("/", 1)[1]
                assert any(
                    q["constituency"] == code and BASE + "person/" + q["author"] == row["deputy"]
                    for q in per.values()
                )


def test_mean_delay_is_empty_when_nothing_was_answered(target: EmbeddedTarget) -> None:
    rows = run_query(find_query("ministry-answer-stats"), {"legislature": "16"}, target).records()
    unanswered = [r for r in rows if r["answered"] == 0]
    assert unanswered and all(r["mean_delay_days"] is None and r["answer_rate"] == 0 for r in unanswered)
    assert all(0 <= r["answer_rate"] <= 1 for r in rows)


def test_listing_covers_every_type_and_aggregates_follow_the_type_param(target: EmbeddedTarget) -> None:
    rows = run_query(find_query("questions-by-deputy"), {"deputy": "PA795164"}, target).records()
    assert [(r["uid"], r["type"]) for r in rows] == [("QANR5L16QG502", "QG")]
    topic = find_query("questions-by-topic")
    written = sum(r["questions"] for r in run_query(topic, {}, target).records())
    everything = sum(r["questions"] for r in run_query(topic, {"type": "all"}, target).records())
    assert everything > written


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    ("name", "params", "field", "fragment"),
    [
        ("questions-by-deputy", {}, "--param deputy", "missing required parameter"),
        ("questions-by-deputy", {"deputy": "345722"}, "--param deputy", "not a PA identifier"),
        ("questions-by-deputy", {"deputy": 'PA1" } ?s ?p ?o {'}, "--param deputy", "not a PA identifier"),
        (
            "questions-by-deputy",
            {"deputy": "PA1", "legislature": "16"},
            "--param legislature",
            "unknown parameter",
        ),
        ("overdue-questions", {"as_of": "31/01/2026"}, "--param as_of", "not a date"),
        ("overdue-questions", {"as_of": "2026-02-30"}, "--param as_of", "not a date"),
        (
            "overdue-questions",
            {"as_of": "2026-01-31", "legislature": "XVI"},
            "--param legislature",
            "integer",
        ),
        ("group-activity", {"legislature": "16)"}, "--param legislature", "integer"),
        ("questions-by-constituency", {"department": "9"}, "--param department", "department code"),
        (
            "questions-by-constituency",
            {"department": "92 } UNION {"},
            "--param department",
            "department code",
        ),
        ("ministry-answer-stats", {"type": "QX"}, "--param type", "question type"),
    ],
)
def test_bad_values_are_refused_with_a_one_line_error(
    target: EmbeddedTarget, name: str, params: dict[str, str], field: str, fragment: str
) -> None:
    with pytest.raises(InputError) as caught:
        run_query(find_query(name), params, target)
    error = caught.value
    assert error.field == field
    assert error.file == name
    assert fragment in str(error)
    assert "\n" not in str(error)
    assert error.exit_code == ExitCode.BAD_INPUT


def test_values_are_normalised_to_their_type(target: EmbeddedTarget) -> None:
    spec = find_query("ministry-answer-stats")
    assert spec.bind({"legislature": " +16 "})["legislature"] == ox.Literal(
        "16", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert spec.bind({"type": "qe"})["type"] == ox.NamedNode(HC_IRI + "WrittenQuestion")
    assert "type" not in spec.bind({"type": "all"})  # unbound: any type
    one = run_query(spec, {"legislature": "16"}, target).records()
    assert run_query(spec, {"legislature": "016", "type": "QE"}, target).records() == one


def test_parse_assignments() -> None:
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(InputError, match="not name=value"):
        parse_assignments(["novalue"])
    with pytest.raises(InputError, match="given twice"):
        parse_assignments(["a=1", "a=2"])


HOSTILE = [
    'x" } ; DROP ALL ; SELECT * { ?s ?p ?o',
    "x' } UNION { ?s ?p ?o } #",
    "}}}{{{ ) ( .",
    "# not a comment\n} ?s ?p ?o",
    'back\\slash \\" \\u0022 \\U00000022',
    "<http://evil.example/> ?x ; VALUES",
    "« guillemets » œ 𝄞 é\u2019",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_one_literal(tmp_path: Path, value: str) -> None:
    """The value comes back exactly, as the one binding of ?text: it never becomes query syntax."""
    path = tmp_path / "echo.rq"
    path.write_text(
        "# title: echo\n# param: text (string, required) — anything\n"
        "SELECT ?echo (STRLEN(?echo) AS ?length) WHERE { BIND (?text AS ?echo) }\n",
        encoding="utf-8",
    )
    spec = find_query(str(path))
    result = run_query(spec, {"text": value}, EmbeddedTarget(EmbeddedStore(None)))
    assert result.values() == [(value, len(value))]


def test_string_values_refuse_control_characters() -> None:
    spec = parse_query_text(
        "# title: t\n# param: text (string, required) — m\nSELECT ?text WHERE { }\n", Path("t.rq")
    )
    with pytest.raises(InputError, match="control characters"):
        spec.bind({"text": "a\x00b"})
    with pytest.raises(InputError, match="longer than"):
        spec.bind({"text": "a" * 5000})


def test_iri_values_must_be_absolute_iris() -> None:
    spec = parse_query_text("# title: t\n# param: x (iri, required) — m\nSELECT ?x WHERE { }\n", Path("t.rq"))
    assert spec.bind({"x": "https://w3id.org/hemicycle/person/PA1"})["x"] == ox.NamedNode(
        "https://w3id.org/hemicycle/person/PA1"
    )
    for bad in ("person/PA1", "http://a b", "http://a>} ?s ?p ?o {<b"):
        with pytest.raises(InputError, match="absolute IRI"):
            spec.bind({"x": bad})


SHAPES = [
    # (query, expected rows) on a store holding <s> <p> "o" and <s> <q> 1
    ("SELECT ?o WHERE { <http://e/s> ?pred ?o }", [("o",)]),
    ("SELECT ?o { <http://e/s> ?pred ?o }", [("o",)]),  # no WHERE keyword
    ("SELECT ?o WHERE { SELECT ?o WHERE { <http://e/s> ?pred ?o } }", [("o",)]),  # sub-select as the group
    ("SELECT ?o WHERE { { SELECT ?o { <http://e/s> ?pred ?o } } }", [("o",)]),  # sub-select without WHERE
    (
        "SELECT ?o WHERE { # a comment { with braces }\n <http://e/s> ?pred ?o . FILTER(?o != '}{') }",
        [("o",)],
    ),
    ("SELECT ?o WHERE { <http://e/s#frag> ?pred ?o } ", []),  # a # inside an IRI is no comment
    ("ASK { <http://e/s> ?pred ?o }", [(True,)]),
    # a parameter used only in the SELECT clause or in HAVING is bound too (unbound, both would differ)
    ("SELECT (EXISTS { <http://e/s> ?pred 1 } AS ?o) WHERE { }", [(False,)]),
    ("SELECT (COUNT(*) AS ?n) WHERE { <http://e/s> ?p ?o } GROUP BY ?p ?pred HAVING (?p = ?pred)", [(1,)]),
    # a sub-query that does not use the parameter is left alone; the one that does gets it
    ("SELECT ?o WHERE { { SELECT ?o WHERE { <http://e/s> ?x ?o } } FILTER (isLiteral(?pred)) }", []),
    ("SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?pred ?o } } }", [(1,)]),
]


@pytest.mark.parametrize(("text", "rows"), SHAPES)
def test_values_land_in_every_where_group(text: str, rows: list[tuple[Any, ...]]) -> None:
    store = EmbeddedStore(None)
    store.store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    store.store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/q"), ox.Literal(1)))
    bound = inject_values(text, {"pred": ox.NamedNode("http://e/p")})
    assert EmbeddedTarget(store).execute(bound).values() == rows


def test_construct_template_is_not_a_where_group() -> None:
    text = "CONSTRUCT { ?s ?pred ?o } WHERE { ?s ?pred ?o }"
    bound = inject_values(text, {"pred": ox.NamedNode("http://e/p")})
    assert bound.count("VALUES") == 1
    assert bound.index("VALUES") > bound.index("WHERE")
    ox.Store().query(bound)


def test_no_binding_leaves_the_text_unchanged() -> None:
    text = "SELECT ?x WHERE { ?x ?p ?o }"
    assert inject_values(text, {}) == text


# ------------------------------------------------------------------ output formats


@pytest.fixture(scope="module")
def mixed(target: EmbeddedTarget) -> ResultTable:
    return run_query(find_query("ministry-answer-stats"), {"legislature": "16"}, target)


def test_json_is_an_array_of_objects_with_native_types(target: EmbeddedTarget) -> None:
    result = run_query(find_query("questions-by-deputy"), {"deputy": "PA345722"}, target)
    records = json.loads(format_result(result, "json"))
    assert records == [
        {
            "question": BASE + "question/QANR5L15QE40439",
            "uid": "QANR5L15QE40439",
            "type": "QE",
            "published": "2021-07-27",
            "title": records[0]["title"],
            "status": HC_IRI + "Withdrawn",
            "ministry": BASE + "organe/PO791605",
        }
    ]
    stats = json.loads(format_result(run_query(find_query("signalement-effect"), {}, target), "json"))
    assert stats[0]["signalled"] is True and isinstance(stats[0]["questions"], int)
    assert isinstance(stats[0]["mean_delay_days"], float)


def test_csv_and_tsv(mixed: ResultTable) -> None:
    rows = list(csv.reader(io.StringIO(format_result(mixed, "csv"))))
    assert tuple(rows[0]) == mixed.columns
    assert len(rows) == len(mixed) + 1
    assert any(row[5] == "" for row in rows[1:])  # an unbound mean is an empty cell
    tsv = format_result(mixed, "tsv").splitlines()
    assert tsv[0].split("\t") == list(mixed.columns)
    assert all(len(line.split("\t")) == len(mixed.columns) for line in tsv)


def test_tsv_escapes_tabs_and_newlines() -> None:
    table = ResultTable(("a", "b"), ((ox.Literal("x\ty\nz\\"), None),))
    assert format_result(table, "tsv") == "a\tb\nx\\ty\\nz\\\\\t\n"


def test_table_shortens_iris_and_counts_rows(mixed: ResultTable) -> None:
    text = format_result(mixed, "table")
    assert "organe/PO801889" in text and BASE not in text
    assert text.rstrip().endswith(f"({len(mixed)} rows)")


def test_unknown_format_is_bad_input(mixed: ResultTable) -> None:
    with pytest.raises(InputError, match="unknown format"):
        format_result(mixed, "xml")


# ------------------------------------------------------------------ the catalog in the READMEs


def test_queries_readme_catalog_is_fresh() -> None:
    assert is_fresh(ROOT / "queries" / "README.md"), (
        "queries/README.md is stale: run  .venv/bin/python -c 'from pathlib import Path; "
        'from kg.catalog_doc import update_file; update_file(Path("queries/README.md"))\''
    )


def test_readme_catalog_is_fresh() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert section_of(text) is not None, f"README.md has no {START} … {END} section"
    assert section_of(text) == catalog_markdown(), (
        "README.md's query catalog is stale: run  .venv/bin/python -c 'from pathlib import Path; "
        'from kg.catalog_doc import update_file; update_file(Path("README.md"))\''
    )


def test_catalog_update_and_staleness(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n\n{START}\nold\n{END}\n\nafter\n", encoding="utf-8")
    assert not is_fresh(readme)
    assert update_file(readme)
    assert is_fresh(readme)
    assert not update_file(readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# T\n\n") and text.endswith("\n\nafter\n")
    for spec in CATALOG:
        assert f"`{spec.name}`" in text
        for param in spec.params:
            assert f"`{param.name}`" in text
    (tmp_path / "plain.md").write_text("no markers\n", encoding="utf-8")
    with pytest.raises(InputError, match="markers"):
        update_file(tmp_path / "plain.md")


def test_queries_use_only_declared_ontology_terms() -> None:
    """Every hc: term a query names is declared in the ontology (the closed namespace raises otherwise)."""
    for spec in CATALOG:
        body = " ".join(line for line in spec.text.splitlines() if not line.lstrip().startswith("#"))
        names = set(re.findall(r"\bhc:([A-Za-z_][A-Za-z0-9_]*)", body))
        names |= set(re.findall(re.escape(HC_IRI) + r"([A-Za-z_][A-Za-z0-9_]*)", body))
        assert names, spec.name
        for name in sorted(names):
            assert getattr(HC, name, None) is not None, f"{spec.name}: hc:{name} is not in the ontology"

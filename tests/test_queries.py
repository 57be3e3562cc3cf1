"""The competency queries on the embedded store: the catalog and its headers, parameters bound as RDF terms
(validated, never pasted as text), the expected rows of every query on the bundled sample, the output
formats. (The catalog's reference page: tests/test_reference.py.)"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.errors import ExitCode, InputError
from kg.iris import Minter
from kg.query.binding import ParamType, inject_values, parse_assignments
from kg.query.catalog import (
    QuerySpec,
    catalog_dir,
    find_query,
    load_catalog,
    parse_query_text,
    query_from_text,
)
from kg.query.results import ResultTable, format_result
from kg.query.targets import EmbeddedTarget, run_query
from kg.store import EmbeddedStore
from kg.vocab import HC, HC_IRI, OX_DCTERMS, OX_FOAF, OX_HC, OX_ORG, OX_RDF, OX_RDFS, OX_SKOS, OX_XSD

from .conftest import FIXTURES, SampleBuild

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = FIXTURES / "queries"
SAMPLE_EXPECT: dict[str, Any] = json.loads(
    (FIXTURES / "sample_expectations.json").read_text(encoding="utf-8")
)
BASE = "https://w3id.org/hemicycle/"

#: the pack the issue asks for: name → result columns
REQUIRED: dict[str, tuple[str, ...]] = {
    "questions-by-deputy": (
        *("question", "uid", "type", "published", "title"),
        *("status", "statusLabel", "ministry", "ministryLabel"),
    ),
    "ministry-answer-stats": (
        *("ministry", "ministryLabel", "asked", "answered", "answer_rate", "mean_delay_days"),
    ),
    "overdue-questions": ("question", "uid", "ministry", "ministryLabel", "published", "days_waiting"),
    "questions-by-topic": ("topic", "topicLabel", "questions"),
    "reattributed-questions": (
        *(
            "question",
            "uid",
            "from_ministry",
            "from_ministryLabel",
            "to_ministry",
            "to_ministryLabel",
            "date",
        ),
    ),
    "withdrawn-end-of-mandate": ("question", "uid", "author", "authorLabel", "closed"),
    "questions-by-constituency": ("constituency", "constituencyLabel", "deputy", "deputyLabel", "questions"),
    "group-activity": ("group", "groupLabel", "questions", "deputies", "questions_per_deputy"),
    "silent-deputies": ("deputy", "deputyLabel", "constituency", "constituencyLabel"),
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
def sample_store(sample_build: SampleBuild) -> EmbeddedStore:
    return EmbeddedStore(sample_build.store, read_only=True)


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


#: IRI columns named by another column than ``<column>Label``: a question by its uid
NAMED_BY = {"question": "uid"}
#: one row per fact, read by kg show: its labels are facts of their own (part, item, key, value)
UNLABELLED = {"question-card"}


@pytest.mark.parametrize("spec", [s for s in CATALOG if s.name not in UNLABELLED], ids=lambda s: s.name)
def test_every_iri_column_has_its_label_beside_it(
    spec: QuerySpec, target: EmbeddedTarget, sample_store: EmbeddedStore
) -> None:
    """So that kg query and its CSV show names, not organe/PO791605: beside every column that holds IRIs
    stands ``<column>Label``, empty only where the graph has no name for the resource."""
    cases = [example_params(spec), *(params for name, params, _ in CASES if name == spec.name)]
    seen_iri_columns = set()
    for params in cases:
        result = run_query(spec, params, target)
        columns = result.columns
        for index, column in enumerate(columns):
            iris = [row[index] for row in result.rows if isinstance(row[index], ox.NamedNode)]
            if not iris:
                continue
            seen_iri_columns.add(column)
            beside = columns[index + 1] if index + 1 < len(columns) else None
            assert beside == NAMED_BY.get(column, f"{column}Label"), (spec.name, column)
            for row in result.rows:
                iri, name = row[index], row[index + 1]
                if isinstance(iri, ox.NamedNode) and name is None:
                    names = [
                        quad.object
                        for prop in (OX_SKOS.prefLabel, OX_FOAF.name, OX_RDFS.label)
                        for quad in sample_store.store.quads_for_pattern(iri, prop, None)
                    ]
                    assert not names, f"{spec.name}: {iri.value} is named {names} but {beside} is empty"
    label_columns = {c for c in find_query(spec.name).columns if c.endswith("Label")}
    assert label_columns == {f"{c}Label" for c in seen_iri_columns - set(NAMED_BY)}, (
        "a label column never tested"
    )


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
    assert find_query(str(tmp_path / "a.rq")).name == str(tmp_path / "a.rq")  # errors name the file


def test_a_plain_sparql_file_needs_no_header(tmp_path: Path, target: EmbeddedTarget) -> None:
    path = tmp_path / "plain.sparql"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?q a hc:WrittenQuestion }\n", encoding="utf-8")
    path.write_text(
        "PREFIX hc: <https://w3id.org/hemicycle/ontology#>\n" + path.read_text(), encoding="utf-8"
    )
    spec = find_query(str(path))
    assert (spec.title, spec.params, spec.columns) == ("", (), ("n",))
    written = SAMPLE_EXPECT["by_type"]["QE"]
    assert run_query(spec, {}, target).values() == [(written,)]
    inline = query_from_text(spec.text)
    assert inline.name == "--sparql" and inline.path is None
    assert run_query(inline, {}, target).values() == [(written,)]
    with pytest.raises(
        InputError, match=r"^--sparql --param x: unknown parameter 'x' \(this query takes: none\)"
    ):
        run_query(inline, {"x": "1"}, target)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"SELECT * WHERE { ?s ?p", "SPARQL syntax error"),
        (b"\xff\xfeSELECT", "cannot read the query (not UTF-8 text)"),
        (
            b"# title: t\n# param: x (colour, required) - m\nSELECT ?x WHERE { ?x ?p ?o }",
            "unknown parameter type",
        ),
    ],
)
def test_ad_hoc_query_errors_name_the_file(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "mine.rq"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        find_query(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}") and fragment in message and "\n" not in message
    assert caught.value.exit_code == ExitCode.BAD_INPUT


@pytest.mark.parametrize(
    ("given", "fragment"),
    [("missing.rq", "no such query file"), (".", "no query named '.'"), ("folder.rq", "is a folder")],
)
def test_missing_query_files_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.rq").mkdir()
    with pytest.raises(InputError, match=re.escape(fragment)):
        find_query(given)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "--sparql: the query is empty"), ("SELECT ?x {", "--sparql: SPARQL syntax error")],
)
def test_inline_query_errors_name_the_option(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        query_from_text(text)
    assert str(caught.value).startswith(fragment) and "\n" not in str(caught.value)


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
            "statusLabel": "Retirée",
            "ministry": BASE + "organe/PO791605",
            "ministryLabel": "Ministère de la santé et de la prévention",
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


def test_queries_use_only_declared_ontology_terms() -> None:
    """Every hc: term a query names is declared in the ontology (the closed namespace raises otherwise)."""
    for spec in CATALOG:
        body = " ".join(line for line in spec.text.splitlines() if not line.lstrip().startswith("#"))
        names = set(re.findall(r"\bhc:([A-Za-z_][A-Za-z0-9_]*)", body))
        names |= set(re.findall(re.escape(HC_IRI) + r"([A-Za-z_][A-Za-z0-9_]*)", body))
        assert names, spec.name
        for name in sorted(names):
            assert getattr(HC, name, None) is not None, f"{spec.name}: hc:{name} is not in the ontology"


# ------------------------------------------------------------------ rewritten for speed, same answers
#
# The shipped texts of the aggregate queries are written for speed on big stores (scans, hash joins and
# anti-joins instead of a lookup per question). tests/fixtures/query-reference/ keeps their straightforward
# statements (the texts before the rewrite): both must give the very same rows, on the sample and on a small
# graph of edge cases.

REFERENCE_DIR = FIXTURES / "query-reference"
REFERENCES = {
    path.stem: parse_query_text(path.read_text(encoding="utf-8"), path)
    for path in sorted(REFERENCE_DIR.glob("*.rq"))
}

#: parameters each rewritten query is compared on, on the bundled sample (its example is added)
SAMPLE_PARAMS: dict[str, list[dict[str, str]]] = {
    "group-activity": [{"legislature": "15", "type": "all"}, {"legislature": "17"}],
    "ministry-answer-stats": [{}, {"type": "all"}, {"legislature": "15", "type": "all"}],
    "overdue-questions": [
        {"as_of": "2022-01-15"},
        {"as_of": "2023-12-31", "legislature": "16"},
        {"as_of": "2026-01-04"},
        {"as_of": "2026-01-05"},
    ],
    "questions-by-topic": [{}, {"type": "all"}, {"legislature": "15"}],
    "reattributed-questions": [{}, {"type": "all"}],
    "signalement-effect": [{}, {"type": "all"}, {"legislature": "17", "type": "QG"}],
    "silent-deputies": [{"legislature": "15"}, {"legislature": "17", "type": "QE"}],
    "withdrawn-end-of-mandate": [{}, {"type": "all"}, {"legislature": "16"}],
}

#: and on the graph of edge cases
EDGE_PARAMS: dict[str, list[dict[str, str]]] = {
    "group-activity": [{"legislature": "16"}, {"legislature": "16", "type": "all"}, {"legislature": "15"}],
    "ministry-answer-stats": [
        {},
        {"type": "all"},
        {"legislature": "15"},
        {"legislature": "16", "type": "QOSD"},
    ],
    "overdue-questions": [
        {"as_of": day, **leg}
        for day in ("2024-06-30", "2024-07-01", "2024-12-31", "2021-02-01")
        for leg in ({}, {"legislature": "16"})
    ],
    "questions-by-topic": [{}, {"type": "all"}, {"legislature": "15"}],
    "reattributed-questions": [{}, {"type": "all"}, {"legislature": "15"}],
    "signalement-effect": [{}, {"type": "all"}, {"legislature": "16"}],
    "silent-deputies": [{"legislature": "16"}, {"legislature": "16", "type": "QE"}, {"legislature": "15"}],
    "withdrawn-end-of-mandate": [{}, {"type": "all"}, {"legislature": "15"}],
}


def _cases(
    table: dict[str, list[dict[str, str]]], *, with_examples: bool
) -> list[tuple[str, dict[str, str]]]:
    cases = []
    for name in sorted(table):
        params = list(table[name])
        if with_examples:
            params.insert(0, example_params(find_query(name)))
        cases.extend((name, p) for p in params)
    return cases


def _case_id(case: tuple[str, dict[str, str]]) -> str:
    name, params = case
    return name + "".join(f"-{k}={v}" for k, v in sorted(params.items()))


def _same_rows(name: str, params: dict[str, str], target: EmbeddedTarget) -> ResultTable:
    """Run the shipped text and its reference; they must give the same columns and the same multiset of
    rows (terms compared exactly, datatypes included). Returns the shipped query's result."""
    shipped = run_query(find_query(name), params, target)
    reference = run_query(REFERENCES[name], params, target)
    assert shipped.columns == reference.columns
    assert sorted(map(repr, shipped.rows)) == sorted(map(repr, reference.rows)), (name, params)
    return shipped


def test_the_references_are_the_rewritten_queries() -> None:
    assert set(REFERENCES) == set(SAMPLE_PARAMS) == set(EDGE_PARAMS)
    for name, reference in REFERENCES.items():
        shipped = find_query(name)
        assert (reference.title, reference.params, reference.columns) == (
            shipped.title,
            shipped.params,
            shipped.columns,
        ), name
        assert reference.text != shipped.text, f"{name}: nothing left to compare"


@pytest.mark.parametrize("case", _cases(SAMPLE_PARAMS, with_examples=True), ids=_case_id)
def test_rewritten_queries_answer_as_their_reference_on_the_sample(
    target: EmbeddedTarget, case: tuple[str, dict[str, str]]
) -> None:
    _same_rows(*case, target)


# -- a small graph of the cases a rewrite could get wrong, shaped as kg.mapping writes it

_MINT = Minter()
_A = OX_RDF.type


def _date(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=OX_XSD.date)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=OX_XSD.integer)


def _edge_question(
    out: list[ox.Quad],
    uid: str,
    published: str,
    *,
    author: str = "PA1",
    group: str | None = "PO10",
    attributions: tuple[tuple[int, str, str | None], ...] = (),  # (rank, ministry PO id, JO date)
    answers: tuple[str | None, ...] = (),  # JO dates (None: undated)
    closure: tuple[str | None, ox.NamedNode] | None = None,  # (date, reason)
    signalements: int = 0,
    topics: tuple[str, ...] = (),
) -> None:
    q, g = _MINT.question(uid), _MINT.question_graph(uid)
    kind = uid[len("QANR5L16") :].rstrip("0123456789")
    legislature = int(uid[len("QANR5L") : len("QANR5L") + 2])

    def add(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Quad(s, p, o, g))

    classes = {"QE": OX_HC.WrittenQuestion, "QOSD": OX_HC.OralQuestion, "QG": OX_HC.GovernmentQuestion}
    add(q, _A, classes[kind])
    add(q, OX_DCTERMS.identifier, ox.Literal(uid))
    add(q, OX_HC.legislature, _int(legislature))
    add(q, OX_HC.publicationDate, _date(published))
    add(q, OX_DCTERMS.creator, _MINT.person(author))
    if group:
        add(q, OX_HC.authorGroup, _MINT.organe(group))
    for topic in topics:
        add(q, OX_DCTERMS.subject, _MINT.topic("rubrique", topic))
    ranks = sorted(rank for rank, _, _ in attributions)
    for rank, ministry, day in attributions:
        event = _MINT.event(uid, "attribution", rank)
        add(q, OX_HC.attribution, event)
        add(event, _A, OX_HC.Attribution)
        add(event, OX_HC.order, _int(rank))
        add(event, OX_HC.ministry, _MINT.organe(ministry))
        if ranks.index(rank):
            add(
                event,
                OX_HC.previousAttribution,
                _MINT.event(uid, "attribution", ranks[ranks.index(rank) - 1]),
            )
        if day:
            add(event, OX_HC.joDate, _date(day))
            add(event, OX_DCTERMS.date, _date(day))
    if attributions:
        add(q, OX_HC.attributedMinistry, _MINT.organe(attributions[-1][1]))
    for n, day in enumerate(answers, start=1):
        answer = _MINT.answer(uid, n)
        add(q, OX_HC.answer, answer)
        add(answer, _A, OX_HC.Answer)
        add(answer, OX_HC.order, _int(n))
        if day:
            add(answer, OX_HC.joDate, _date(day))
            add(answer, OX_DCTERMS.date, _date(day))
    first_dated = next((day for day in answers if day), None)
    if first_dated:
        add(q, OX_HC.answerDate, _date(first_dated))
        delay = (date.fromisoformat(first_dated) - date.fromisoformat(published)).days
        add(q, OX_HC.answerDelayDays, _int(delay))
    if closure is not None:
        day, reason = closure
        event = _MINT.event(uid, "closure", 1)
        add(q, OX_HC.closure, event)
        add(event, _A, OX_HC.Closure)
        add(event, OX_HC.closureReason, reason)
        if day:
            add(event, OX_DCTERMS.date, _date(day))
            add(q, OX_HC.closureDate, _date(day))
    for n in range(1, signalements + 1):
        event = _MINT.event(uid, "signalement", n)
        add(q, OX_HC.signalement, event)
        add(event, OX_HC.order, _int(n))
    if answers or (closure is not None and closure[1] == OX_HC.AnswerPublished):
        status = OX_HC.Answered
    elif closure is not None:
        status = OX_HC.Withdrawn
    else:
        status = OX_HC.Pending
    add(q, OX_HC.status, status)


def _edge_registry(out: list[ox.Quad]) -> None:
    acteurs, organes = _MINT.registry_graph("acteurs"), _MINT.registry_graph("organes")
    for uid, name in (
        ("PA1", "Alice Arnaud"),
        ("PA2", "Bruno Blanc"),
        ("PA3", "Chloé Colin"),
        ("PA4", "Denis Dumas"),
    ):
        out.append(ox.Quad(_MINT.person(uid), _A, OX_FOAF.Person, acteurs))
        out.append(ox.Quad(_MINT.person(uid), OX_FOAF.name, ox.Literal(name), acteurs))
    seats = (("PM1", "PA1", 16, 1), ("PM2", "PA2", 16, 2), ("PM3", "PA3", 16, None), ("PM4", "PA1", 15, 1))
    for uid, person, legislature, constituency in seats:
        mandate = _MINT.mandate(uid)
        out.append(ox.Quad(mandate, _A, OX_HC.Mandate, acteurs))
        out.append(ox.Quad(mandate, OX_HC.organeType, ox.Literal("ASSEMBLEE"), acteurs))
        out.append(ox.Quad(mandate, OX_HC.legislature, _int(legislature), acteurs))
        out.append(ox.Quad(mandate, OX_ORG.member, _MINT.person(person), acteurs))
        if constituency is not None:
            out.append(ox.Quad(mandate, OX_HC.constituency, _MINT.constituency("75", constituency), acteurs))
    memberships = (
        ("PM11", "PA1", "PO10", 16),
        ("PM12", "PA2", "PO10", 16),
        ("PM13", "PA3", "PO11", 16),
        ("PM14", "PA4", "PO12", 15),
    )
    for uid, person, group, legislature in memberships:
        mandate = _MINT.mandate(uid)
        out.append(ox.Quad(mandate, OX_HC.organeType, ox.Literal("GP"), acteurs))
        out.append(ox.Quad(mandate, OX_HC.legislature, _int(legislature), acteurs))
        out.append(ox.Quad(mandate, OX_ORG.organization, _MINT.organe(group), acteurs))
        out.append(ox.Quad(mandate, OX_ORG.member, _MINT.person(person), acteurs))
    for uid, legislature, label in (
        ("PO10", 16, "Groupe A"),
        ("PO11", 16, "Groupe B"),
        ("PO12", 15, "Groupe C"),
    ):
        out.append(ox.Quad(_MINT.organe(uid), _A, OX_HC.ParliamentaryGroup, organes))
        out.append(ox.Quad(_MINT.organe(uid), OX_HC.legislature, _int(legislature), organes))
        out.append(ox.Quad(_MINT.organe(uid), OX_SKOS.prefLabel, ox.Literal(label, language="fr"), organes))
    for n in range(1, 11):
        ministry = _MINT.organe(f"PO{n}")
        out.append(ox.Quad(ministry, _A, OX_HC.Ministry, organes))
        out.append(ox.Quad(ministry, OX_SKOS.prefLabel, ox.Literal(f"Ministère {n}", language="fr"), organes))
    # a ministry known by two names (the first in code point order is shown); PO99 has none at all
    out.append(
        ox.Quad(_MINT.organe("PO1"), OX_SKOS.prefLabel, ox.Literal("Affaires 1", language="fr"), organes)
    )
    out.append(ox.Quad(_MINT.organe("PO99"), _A, OX_HC.Ministry, organes))
    # constituency 75-1 is named, 75-2 is not; PA5 (below) has no name
    out.append(
        ox.Quad(
            _MINT.constituency("75", 1),
            OX_RDFS.label,
            ox.Literal("Paris (1re circonscription)", language="fr"),
            acteurs,
        )
    )
    topics = _MINT.shared_graph("topics")
    for label in ("Agriculture", "Santé"):
        out.append(
            ox.Quad(
                _MINT.topic("rubrique", label), OX_SKOS.prefLabel, ox.Literal(label, language="fr"), topics
            )
        )
    # a topic known by two labels: the first in code point order is shown
    out.append(
        ox.Quad(
            _MINT.topic("rubrique", "Santé"), OX_SKOS.prefLabel, ox.Literal("Affaires sanitaires"), topics
        )
    )


EOM, PUBLISHED, WITHDRAWN = OX_HC.EndOfMandate, OX_HC.AnswerPublished, OX_HC.WithdrawnByAuthor


@pytest.fixture(scope="module")
def edge_target() -> EmbeddedTarget:
    """Questions of legislature 16 published in 2024 unless said (a 2024-06-30 judge date in mind)."""
    quads: list[ox.Quad] = []
    _edge_registry(quads)
    ten = tuple((n, f"PO{n}", f"2024-01-{10 + n}") for n in range(1, 11))
    edge = _edge_question
    # ranks 1..10, the 10th dated after 2024-06-30: the 9th is in charge then (and 10 sorts after 9)
    edge(
        quads,
        "QANR5L16QE1",
        "2024-01-10",
        attributions=(*ten[:9], (10, "PO10", "2024-12-01")),
        signalements=2,
        topics=("Santé",),
    )
    # ranks 1..10 all dated before: the 10th is in charge
    edge(quads, "QANR5L16QE2", "2024-01-11", attributions=ten, topics=("Agriculture", "Santé"))
    # an attribution dated after the judge date below an undated one: the undated one is in charge
    edge(
        quads,
        "QANR5L16QE3",
        "2024-02-01",
        attributions=((1, "PO1", "2024-02-01"), (2, "PO2", "2024-09-01"), (3, "PO3", None)),
    )
    edge(quads, "QANR5L16QE4", "2024-02-02", author="PA2")  # no attribution at all
    edge(
        quads,
        "QANR5L16QE5",
        "2024-02-03",
        attributions=((1, "PO4", "2024-02-03"),),
        answers=("2024-08-01",),
        signalements=1,
        topics=("Agriculture",),
    )  # answered after the judge date
    edge(
        quads, "QANR5L16QE6", "2024-02-04", attributions=((1, "PO4", "2024-02-04"),), answers=(None,)
    )  # undated
    edge(quads, "QANR5L16QE7", "2024-02-05", attributions=((1, "PO5", "2024-02-05"),), closure=(None, EOM))
    edge(
        quads,
        "QANR5L16QE8",
        "2024-02-06",
        attributions=((1, "PO5", "2024-02-06"),),
        closure=("2024-07-15", EOM),
    )
    edge(quads, "QANR5L16QE9", "2024-04-30", attributions=((1, "PO6", "2024-04-30"),))  # due 2024-06-30
    edge(quads, "QANR5L16QE10", "2024-04-29", attributions=((1, "PO6", "2024-04-29"),))  # due 2024-06-29
    edge(quads, "QANR5L16QOSD11", "2024-01-01", attributions=((1, "PO7", "2024-01-01"),), author="PA2")
    # a ministry and an author with no name: their labels stay empty, the rows are not lost
    edge(quads, "QANR5L16QE17", "2024-02-07", author="PA5", attributions=((1, "PO99", "2024-02-07"),))
    edge(
        quads,
        "QANR5L16QE13",
        "2024-03-01",
        attributions=((1, "PO7", "2024-03-01"),),
        answers=("2024-09-01", "2024-05-01"),
    )  # two answers, the second before the judge date
    edge(quads, "QANR5L16QG14", "2024-03-05", answers=("2024-03-05",), group=None, topics=("Santé",))
    # legislature 15: ranks 1 and 3 (no change between consecutive ranks), answered, closed
    edge(
        quads,
        "QANR5L15QE12",
        "2021-01-05",
        author="PA4",
        group="PO12",
        attributions=((1, "PO8", "2021-01-05"), (3, "PO9", "2021-02-01")),
        answers=("2021-03-01",),
        closure=("2021-03-01", PUBLISHED),
        topics=("Agriculture",),
    )
    edge(
        quads,
        "QANR5L15QE15",
        "2020-10-01",
        author="PA4",
        group="PO12",
        attributions=((1, "PO8", "2020-10-01"), (2, "PO9", "2020-11-02"), (3, "PO8", None)),
        closure=("2021-01-20", WITHDRAWN),
    )
    edge(
        quads,
        "QANR5L15QE16",
        "2020-06-01",
        author="PA4",
        group="PO12",
        attributions=((1, "PO8", "2020-06-01"),),
        closure=("2020-12-01", EOM),
        signalements=1,
    )
    store = EmbeddedStore(None)
    store.store.extend(quads)
    return EmbeddedTarget(store)


@pytest.mark.parametrize("case", _cases(EDGE_PARAMS, with_examples=False), ids=_case_id)
def test_rewritten_queries_answer_as_their_reference_on_edge_cases(
    edge_target: EmbeddedTarget, case: tuple[str, dict[str, str]]
) -> None:
    _same_rows(*case, edge_target)


def test_edge_cases_give_the_expected_overdue_questions(edge_target: EmbeddedTarget) -> None:
    """Not only the same as the reference: right (so a change to both would still be caught)."""
    rows = _same_rows("overdue-questions", {"as_of": "2024-06-30"}, edge_target).records()
    in_charge = {row["uid"]: row["ministry"] and row["ministry"].rsplit("/", 1)[1] for row in rows}
    assert in_charge == {
        "QANR5L16QE1": "PO9",  # rank 10 is dated after the judge date
        "QANR5L16QE2": "PO10",  # rank 10 beats rank 9
        "QANR5L16QE3": "PO3",  # undated counts as on time
        "QANR5L16QE4": None,  # no attribution: still overdue, with no ministry
        "QANR5L16QE5": "PO4",  # answered later
        "QANR5L16QE8": "PO5",  # closed later
        "QANR5L16QE10": "PO6",  # due 2024-06-29
        "QANR5L16QE17": "PO99",
    }
    assert len(rows) == len(in_charge)  # no question is repeated: an unbound ministry joins no label
    names = {row["uid"]: row["ministryLabel"] for row in rows}
    assert (names["QANR5L16QE4"], names["QANR5L16QE17"]) == (None, None)
    assert (names["QANR5L16QE1"], names["QANR5L16QE3"]) == ("Ministère 9", "Ministère 3")
    assert next(r for r in rows if r["uid"] == "QANR5L16QE1")["days_waiting"] == 172
    later = _same_rows("overdue-questions", {"as_of": "2024-07-01"}, edge_target).records()
    assert "QANR5L16QE9" in {r["uid"] for r in later}  # due 2024-06-30
    changes = _same_rows("reattributed-questions", {"legislature": "15"}, edge_target).records()
    assert [(r["uid"], r["from_ministry"][-3:], r["to_ministry"][-3:]) for r in changes] == [
        ("QANR5L15QE15", "PO8", "PO9"),
        ("QANR5L15QE15", "PO9", "PO8"),
    ]
    assert [(r["from_ministryLabel"], r["to_ministryLabel"]) for r in changes] == [
        ("Ministère 8", "Ministère 9"),
        ("Ministère 9", "Ministère 8"),
    ]  # QANR5L15QE12 goes from rank 1 to rank 3: not a change between consecutive ranks
    first = next(
        r
        for r in _same_rows("reattributed-questions", {}, edge_target).records()
        if r["uid"] == "QANR5L16QE1"
    )
    assert first["from_ministryLabel"] == "Affaires 1"  # of its two names, the first

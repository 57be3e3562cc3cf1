"""Real question records and the old question site's XML (tests/fixtures/questions-real, see its README) land
with their registry ids: label-only organes resolved like pages, identifiant read from the uid, the old site's
XML giving the graph of the open-data record it stands for."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ExitCode, InputError
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.models import Question
from kg.reconcile_records import reconcile_record
from kg.registry import Registry, load_registry
from kg.report import Diagnostic
from kg.sources.oldsite import is_old_site_xml, old_site_record
from kg.sources.question_decode import decode_question_file
from kg.sources.questions import parse_question

from .conftest import FIXTURES
from .test_reconcile import graph_difference

REAL = FIXTURES / "questions-real"
REGISTRIES = [FIXTURES / "registry", FIXTURES / "pages" / "registry", FIXTURES / "registry-real"]
XML = REAL / "q14_14-47351QE.xml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(REGISTRIES)


def record(path: Path, registry: Registry) -> tuple[Question, list[str]]:
    data = path.read_bytes()
    if is_old_site_xml(data):
        raw, found = old_site_record(path.name, data)
    else:
        (raw,), found = list(decode_question_file(path.name, data)), []
    question, warnings = parse_question(raw)
    question, more = reconcile_record(question, registry)
    return question, [f"{w.code} {w.field}: {w.message}" for w in (*found, *warnings, *more)]


def test_a_label_only_ministry_is_resolved_on_the_date(registry: Registry) -> None:
    question, warnings = record(REAL / "QANR5L15QG969-reduced.json", registry)
    assert question.questioned_ministry is not None and question.questioned_ministry.uid == "PO729982"
    assert question.questioned_ministry.short_label == "Économie et finances"  # the record's labels are kept
    assert (question.author.person_uid, question.author.mandate_uid) == ("PA720692", "PM723042")
    assert question.author.group is not None and question.author.group.uid == "PO730940"
    assert question.analyses == ("pouvoir d'achat des salariés",)  # the legacy ANALYSE.ANA key
    assert question.answer_texts[0].jo is not None and question.answer_texts[0].jo.date == date(2018, 6, 7)
    assert [w.split(":")[0] for w in warnings if not w.startswith("empty-text")] == [
        "from-uid identifiant.numero",
        "from-uid identifiant.legislature",
    ]


@pytest.mark.parametrize(
    ("name", "uid", "person", "mandate", "group", "ministry"),
    [
        ("QANR5L17QG1.json", "QANR5L17QG1", "PA842279", "PM843779", "PO845401", "PO847643"),
        ("QANR5L17QG689-reduced.json", "QANR5L17QG689", "PA335999", "PM843494", "PO845439", "PO855098"),
        ("QANR5L15QG2090-reduced.json", "QANR5L15QG2090", "PA1206", None, None, None),
        (
            "derived/QANR5L15QG969-reduced+identifiant.json",
            "QANR5L15QG969",
            "PA720692",
            "PM723042",
            "PO730940",
            "PO729982",
        ),
    ],
)
def test_real_records_land_with_their_registry_ids(
    registry: Registry,
    name: str,
    uid: str,
    person: str,
    mandate: str | None,
    group: str | None,
    ministry: str | None,
) -> None:
    question, warnings = record(REAL / name, registry)
    assert (question.uid, question.author.person_uid, question.author.mandate_uid) == (uid, person, mandate)
    assert (question.author.group.uid if question.author.group else None) == group
    assert (question.questioned_ministry.uid if question.questioned_ministry else None) == ministry
    from_uid = [w for w in warnings if w.startswith("from-uid")]
    assert len(from_uid) == (2 if "reduced.json" in name else 0)


def test_a_record_without_identifiant_takes_its_number_from_the_uid(registry: Registry) -> None:
    reduced, warnings = record(REAL / "QANR5L17QG689-reduced.json", registry)
    derived, _ = record(REAL / "derived" / "QANR5L17QG689-reduced+identifiant.json", registry)
    assert (reduced.number, reduced.legislature) == (689, 17)
    assert "from-uid identifiant.numero: missing: 689 taken from the uid QANR5L17QG689" in warnings
    record_only, derived_only, _, _ = graph_difference(reduced, derived, registry)
    assert record_only == set()  # identifiant adds nothing the uid does not say, but the regime
    assert derived_only == {
        "graph/question/QANR5L17QG689 | question/QANR5L17QG689 hc:regime '5eme Republique'"
    }


# ------------------------------------------------------------------ the old question site's XML


def test_the_old_site_xml_gives_the_expected_ids(registry: Registry) -> None:
    question, warnings = record(XML, registry)
    assert question.uid == "QANR5L14QE47351"
    assert (question.author.person_uid, question.author.mandate_uid) == ("PA923", "PM645363")
    assert question.author.group is not None and question.author.group.uid == "PO656006"  # UMP, not PO707869
    assert question.questioned_ministry is not None and question.questioned_ministry.uid == "PO653280"
    assert [(a.order, a.ministry.uid, a.jo.date if a.jo else None) for a in question.attributions] == [
        (1, "PO653280", date(2014, 1, 7)),
        (2, "PO700737", date(2014, 4, 3)),
    ]
    assert [r.date for r in question.renewals] == [date(2014, 4, 15)]
    assert question.answer_texts[0].jo is not None and question.answer_texts[0].jo.date == date(2014, 5, 13)
    assert question.closure is not None and question.closure.code == "REP_PUB"
    assert question.rubrique == "défense" and question.tete_analyse == "équipements"
    (anachronism,) = warnings
    assert anachronism.startswith("conflict auteur.groupe: 'Les Républicains' → PO656006")
    assert "PO707869 existed 2015-06-02..2017-06-20, not on the date" in anachronism


def test_the_old_site_xml_gives_the_graph_of_its_open_data_record(registry: Registry) -> None:
    old, _ = record(XML, registry)
    open_data, _ = record(REAL / "derived" / "QANR5L14QE47351-as-open-data.json", registry)
    old_only, open_only, _, _ = graph_difference(old, open_data, registry)
    assert old_only == open_only == set()
    quads = QuestionMapper(registry, Minter()).map(old)
    constituency = {str(q.object) for q in quads if q.predicate.value.endswith("#constituency")}
    assert constituency == {"<https://w3id.org/hemicycle/constituency/52-2>"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('TYPE="QE"', ""), "QUESTION@TYPE"),
        (("<LEGISLATURE>14</LEGISLATURE>", "<LEGISLATURE/>"), "QUESTION/LEGISLATURE"),
        (('NUMERO="47351"', 'NUMERO="x"'), "QUESTION/DEPOT@NUMERO"),
    ],
)
def test_an_old_site_xml_without_its_identity_is_refused_naming_the_element(
    change: tuple[str, str], field: str
) -> None:
    data = XML.read_bytes().replace(change[0].encode(), change[1].encode(), 1)
    with pytest.raises(InputError) as caught:
        old_site_record("q.xml", data)
    assert caught.value.field == field and "\n" not in str(caught.value)


def test_an_unknown_element_of_the_old_site_xml_is_reported() -> None:
    data = XML.read_bytes().replace(b"<LEGISLATURE>", b"<NOUVEAU>x</NOUVEAU><LEGISLATURE>", 1)
    _, warnings = old_site_record("q.xml", data)
    assert [(w.code, w.field) for w in warnings] == [("unknown-field", "QUESTION/NOUVEAU")]


# ------------------------------------------------------------------ the build


def test_a_build_of_the_real_records_lands_them_all(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    shutil.copytree(REAL, folder, ignore=shutil.ignore_patterns("derived"))  # derived copies share their uids
    args = ["build", str(folder), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out.nt")]
    for path in REGISTRIES:
        args += ["--registry", str(path)]
    result = CliRunner().invoke(app, args)
    assert "records read 5, in graph 5 (QE 1, QG 4), quarantined 0" in result.output
    assert result.exit_code == ExitCode.OK, result.output
    graph = (tmp_path / "out.nt").read_text(encoding="utf-8")
    base, hc = "https://w3id.org/hemicycle/", "https://w3id.org/hemicycle/ontology#"
    for fact in (
        f"<{base}question/QANR5L15QG969> <{hc}questionedMinistry> <{base}organe/PO729982>",
        f"<{base}question/QANR5L14QE47351> <{hc}authorGroup> <{base}organe/PO656006>",
        f"<{base}question/QANR5L14QE47351> <{hc}constituency> <{base}constituency/52-2>",
    ):
        assert fact in graph, fact


def test_a_file_with_the_wrong_root_element_is_one_error() -> None:
    data = b'<?xml version="1.0"?><questionsOrales><foo>1</foo><bar/><baz/></questionsOrales>'
    problems: list[Diagnostic] = []
    with pytest.raises(InputError) as caught:
        list(decode_question_file("x.xml", data, diagnostics=problems))
    assert str(caught.value) == (
        "x.xml: wrong root element <questionsOrales>: it holds no <question> record (its 3 elements are not read)"
    )
    assert problems == []  # not one warning per child element as well

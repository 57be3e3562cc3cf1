"""The question readers (kg.sources.questions): every layout, XML → dict, decoding, and each trap of
docs/inputs.md. Fixtures are under tests/fixtures/questions (see its README); generated files go to tmp_path."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError, RecordError
from kg.models import JOReference, OrganeMention, Question, QuestionType, SourceRef
from kg.report import Diagnostic
from kg.sources import question_decode, question_plain, wire
from kg.sources import questions as questions_module
from kg.sources.files import iter_input_files
from kg.sources.question_decode import QuestionRecordError, RawQuestion, decode_question_file
from kg.sources.questions import QUESTION_FIELDS, parse_question
from kg.sources.values import record_hash
from tests.readers import read_questions

FIXTURES = Path(__file__).parent / "fixtures" / "questions"
QE = "QANR5L15QE40439"
QG = "QANR5L17QG1"
MULTI = "Questions_ecrites_XIV"
NS = "http://schemas.assemblee-nationale.fr/referentiel"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL = {"@xsi:nil": "true"}


# ------------------------------------------------------------------ helpers


def fixture(name: str) -> Any:
    return orjson.loads((FIXTURES / name).read_bytes())


def record(stem: str = QE) -> dict[str, Any]:
    """A fresh copy of a one-question fixture's record (the content under "question")."""
    data: dict[str, Any] = copy.deepcopy(fixture(f"{stem}.json")["question"])
    return data


def parse(
    data: dict[str, Any], file: str = "q.json", pointer: str | None = None
) -> tuple[Question, list[Diagnostic]]:
    return parse_question(RawQuestion(file, pointer, data))


def warning_codes(warnings: list[Diagnostic]) -> list[tuple[str, str | None]]:
    assert all(w.severity == "warning" for w in warnings)
    return [(w.code, w.field) for w in warnings]


def parse_error(data: dict[str, Any], file: str = "q.json") -> QuestionRecordError:
    with pytest.raises(RecordError) as caught:
        parse(data, file)
    assert isinstance(caught.value, QuestionRecordError)
    assert "\n" not in str(caught.value)
    return caught.value


def without_source(question: Question) -> Question:
    return dataclasses.replace(question, source=SourceRef(path="", sha256=""))


def to_xml(root: str, value: Any, namespace: str | None = None, declare_xsi: bool = True) -> bytes:
    """Write a JSON-shaped value as XML the way the official JSON was made from it (the inverse rules)."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']

    def emit(tag: str, item: Any, top: bool = False) -> None:
        if isinstance(item, list):
            for element in item:
                emit(tag, element)
            return
        declarations = ""
        if top and namespace:
            declarations += f" xmlns={quoteattr(namespace)}"
        if top and declare_xsi:
            declarations += f" xmlns:xsi={quoteattr(XSI)}"
        if item is None:
            out.append(f"<{tag}{declarations}/>")
        elif isinstance(item, str):
            out.append(f"<{tag}{declarations}>{escape(item)}</{tag}>")
        else:
            attributes = "".join(
                f" {key[1:]}={quoteattr(text)}"
                for key, text in item.items()
                if key.startswith("@") and not key.startswith("@xmlns")
            )
            out.append(f"<{tag}{declarations}{attributes}>")
            if "#text" in item:
                out.append(escape(item["#text"]))
            for key, child in item.items():
                if not key.startswith(("@", "#")):
                    emit(key, child)
            out.append(f"</{tag}>")

    emit(root, value, top=True)
    return "\n".join(out).encode("utf-8")


def collect(root: Path) -> tuple[list[Question], list[Diagnostic]]:
    questions: list[Question] = []
    diagnostics: list[Diagnostic] = []
    for item in read_questions(root):
        if isinstance(item, Question):
            questions.append(item)
        else:
            diagnostics.append(item)
    return questions, diagnostics


def write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def renumbered(number: int, legislature: int = 15, kind: str = "QE") -> dict[str, Any]:
    data = record()
    data["uid"] = f"QANR5L{legislature}{kind}{number}"
    data["identifiant"].update(numero=str(number), legislature=str(legislature))
    data["type"] = kind
    return data


# ------------------------------------------------------------------ one question per file


def test_single_json_file_gives_the_full_question() -> None:
    questions, diagnostics = collect(FIXTURES / f"{QE}.json")
    assert diagnostics == []
    (question,) = questions
    assert question.uid == QE
    assert question.type is QuestionType.WRITTEN
    assert (question.number, question.legislature, question.regime) == (40439, 15, "5eme Republique")
    assert question.author.person_uid == "PA345722"
    assert question.author.mandate_uid == "PM723428"
    assert question.author.group == OrganeMention("PO730934", "LR", "Les Républicains")
    assert question.rubrique == "numérique"
    assert question.tete_analyse is None
    assert question.analyses == (
        "Désignation d'un nouvel hébergeur des données traitées par le Health data hub",
    )
    assert question.questioned_ministry is not None and question.questioned_ministry.uid == "PO774113"
    first, second = question.attributions
    assert (first.order, first.ministry.uid, second.order, second.ministry.uid) == (
        1,
        "PO774113",
        2,
        "PO791605",
    )
    assert first.jo == JOReference(kind="JO_QUESTION", date=dt.date(2021, 7, 27), page=5991)
    assert second.jo == JOReference(kind="JO_QUESTION", date=dt.date(2022, 5, 21))
    (text,) = question.question_texts
    assert text.html == record()["textesQuestion"]["texteQuestion"]["texte"]
    assert question.answer_texts == () and question.signalements == () and question.renewals == ()
    assert question.closure is not None
    assert (question.closure.code, question.closure.label) == (None, "Fin de mandat")
    assert question.closure.date == dt.date(2022, 6, 21) and question.closure.jo is None
    assert question.source == SourceRef(path=f"{QE}.json", sha256=record_hash(record()), pointer=None)


def test_single_xml_file_namespaced() -> None:
    raw = list(decode_question_file(f"{QE}.xml", (FIXTURES / f"{QE}.xml").read_bytes()))
    assert [r.pointer for r in raw] == [None]
    assert raw[0].data == record()  # the very dict of the official JSON, @xmlns and @xsi:type included
    assert raw[0].data["@xmlns"] == NS and raw[0].data["@xsi:type"] == "QuestionEcrite_Type"


@pytest.mark.parametrize("stem", [QE, QG, MULTI])
def test_json_and_xml_of_the_same_questions_are_equal(stem: str) -> None:
    from_json, json_diagnostics = collect(FIXTURES / f"{stem}.json")
    from_xml, xml_diagnostics = collect(FIXTURES / f"{stem}.xml")
    assert len(from_json) == len(from_xml) >= 1
    assert [without_source(q) for q in from_json] == [without_source(q) for q in from_xml]
    assert [q.source.pointer for q in from_json] == [q.source.pointer for q in from_xml]
    assert [(d.code, d.record, d.field) for d in json_diagnostics] == [
        (d.code, d.record, d.field) for d in xml_diagnostics
    ]
    if stem != MULTI:  # one record per file: even the hashes agree
        assert from_json[0].source.sha256 == from_xml[0].source.sha256


def test_folder_tree_mixes_json_and_xml(tmp_path: Path) -> None:
    write(tmp_path / "json" / f"{QE}.json", (FIXTURES / f"{QE}.json").read_bytes())
    write(tmp_path / "xml" / "17" / f"{QG}.xml", (FIXTURES / f"{QG}.xml").read_bytes())
    write(tmp_path / "notes.txt", b"not a record")
    questions, diagnostics = collect(tmp_path)
    assert diagnostics == []
    assert [(q.uid, q.source.path) for q in questions] == [
        (QE, f"json/{QE}.json"),
        (QG, f"xml/17/{QG}.xml"),
    ]


def test_input_files_travel_to_workers_whole(tmp_path: Path) -> None:
    """What the build pickles for its workers (files of a folder with their listed size, archive members,
    unreadable entries) comes back equal, each still readable where it was."""
    write(tmp_path / "json" / f"{QE}.json", (FIXTURES / f"{QE}.json").read_bytes())
    with zipfile.ZipFile(tmp_path / "more.zip", "w") as zf:
        zf.writestr(f"xml/{QG}.xml", (FIXTURES / f"{QG}.xml").read_bytes())
    (tmp_path / "broken.json").symlink_to(tmp_path / "nowhere.json")
    files = list(iter_input_files(tmp_path))
    assert {f.name for f in files} == {"broken.json", f"json/{QE}.json", f"more.zip!/xml/{QG}.xml"}
    assert [f.size for f in files if f.name == f"json/{QE}.json"] == [
        (FIXTURES / f"{QE}.json").stat().st_size
    ]
    back = pickle.loads(pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == files and all(isinstance(f.path, Path) for f in back)
    assert [f.read_bytes() for f in back if f.error is None] == [
        f.read_bytes() for f in files if f.error is None
    ]


def test_zip_is_read_without_extracting(tmp_path: Path) -> None:
    archive = tmp_path / "Questions_ecrites_XV.json.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"json/{QE}.json", (FIXTURES / f"{QE}.json").read_bytes())
        zf.writestr(f"xml/{QG}.xml", (FIXTURES / f"{QG}.xml").read_bytes())
        zf.writestr("README.txt", "ignored")
    before = sorted(tmp_path.rglob("*"))
    assert [f.name for f in iter_input_files(archive)] == [
        f"{archive.name}!/json/{QE}.json",
        f"{archive.name}!/xml/{QG}.xml",
    ]
    questions, diagnostics = collect(archive)
    assert diagnostics == []
    assert [q.source.path for q in questions] == [
        f"{archive.name}!/json/{QE}.json",
        f"{archive.name}!/xml/{QG}.xml",
    ]
    assert sorted(tmp_path.rglob("*")) == before  # nothing extracted


def test_zip_inside_a_folder_keeps_its_relative_name(tmp_path: Path) -> None:
    with zipfile.ZipFile(write(tmp_path / "15" / "dump.zip", b""), "w") as zf:
        zf.writestr(f"{QE}.json", (FIXTURES / f"{QE}.json").read_bytes())
    questions, diagnostics = collect(tmp_path)
    assert diagnostics == []
    assert [q.source.path for q in questions] == [f"15/dump.zip!/{QE}.json"]


# ------------------------------------------------------------------ one file for many questions


@pytest.mark.parametrize(
    "root_key", ["questionsEcrites", "questions", "questionsGouvernement", "questionsOralesSansDebat"]
)
def test_multi_question_json_any_collection_key(root_key: str) -> None:
    records = [renumbered(1), renumbered(2), renumbered(3)]
    data = orjson.dumps({root_key: {"question": records}})
    raw = list(decode_question_file("all.json", data))
    assert [r.pointer for r in raw] == [f"/{root_key}/question/{i}" for i in range(3)]
    assert [r.data for r in raw] == records


def test_multi_question_json_with_one_bare_question() -> None:
    data = orjson.dumps({"questions": {"question": renumbered(7)}})
    (raw,) = decode_question_file("all.json", data)
    assert raw.pointer == "/questions/question"
    question, _ = parse_question(raw)
    assert question.source.pointer == "/questions/question"
    assert str(question.source) == "all.json#/questions/question"


def test_question_root_holding_a_list() -> None:
    data = orjson.dumps({"question": [renumbered(1), renumbered(2)]})
    assert [r.pointer for r in decode_question_file("q.json", data)] == ["/question/0", "/question/1"]


@pytest.mark.parametrize("namespace", [None, NS], ids=["no-namespace", "namespaced"])
def test_multi_question_xml(namespace: str | None) -> None:
    records = [renumbered(1), renumbered(2)]
    for data in records:
        for key in ("@xmlns", "@xmlns:xsi", "@xsi:type"):
            del data[key]
    raw = list(decode_question_file("all.xml", to_xml("questionsEcrites", {"question": records}, namespace)))
    assert [r.pointer for r in raw] == ["/questionsEcrites/question/0", "/questionsEcrites/question/1"]
    assert [r.data for r in raw] == records


def test_multi_question_xml_fixture_without_namespace() -> None:
    text = (FIXTURES / f"{MULTI}.xml").read_text(encoding="utf-8")
    assert "xmlns=" not in text
    questions, diagnostics = collect(FIXTURES / f"{MULTI}.xml")
    assert [q.uid for q in questions] == ["QANR5L14QE1", "QANR5L14QE2", "QANR5L14QE3"]
    assert [q.source.pointer for q in questions] == [f"/questionsEcrites/question/{i}" for i in range(3)]
    assert {d.code for d in diagnostics} == {"bad-organe-ref", "unknown-closure-code"}


def test_multi_question_xml_with_one_question_has_no_index() -> None:
    data = renumbered(5)
    (raw,) = decode_question_file("one.xml", to_xml("questionsEcrites", {"question": data}, NS))
    assert raw.pointer == "/questionsEcrites/question"


def test_big_multi_question_xml_is_streamed() -> None:
    records = [renumbered(n) for n in range(1, 1501)]
    raw = list(decode_question_file("big.xml", to_xml("questionsEcrites", {"question": records}, NS)))
    assert len(raw) == 1500
    assert raw[-1].pointer == "/questionsEcrites/question/1499"
    assert parse_question(raw[-1])[0].number == 1500


# ------------------------------------------------------------------ XML → dict


def test_xml_to_dict_follows_the_official_json_rules() -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<question xmlns="{NS}" xmlns:xsi="{XSI}" xsi:type="QuestionEcrite_Type">
  <uid>QANR5L15QE1</uid>
  <empty/>
  <alsoEmpty></alsoEmpty>
  <nil xsi:nil="true"/>
  <spaces>  kept as is  </spaces>
  <withAttribute lang="fr">texte</withAttribute>
  <repeated>a</repeated>
  <repeated/>
  <repeated>c</repeated>
  <mixed>before <b>bold</b> after</mixed>
  <!-- a comment is not data -->
  <nested><deeper><deepest>x</deepest></deeper></nested>
</question>""".encode()
    (raw,) = decode_question_file("rules.xml", xml)
    assert raw.data == {
        "@xmlns": NS,
        "@xmlns:xsi": XSI,
        "@xsi:type": "QuestionEcrite_Type",
        "uid": "QANR5L15QE1",
        "empty": None,
        "alsoEmpty": None,
        "nil": {"@xsi:nil": "true"},
        "spaces": "  kept as is  ",
        "withAttribute": {"@lang": "fr", "#text": "texte"},
        "repeated": ["a", None, "c"],
        "mixed": {"b": "bold", "#text": "before  after"},
        "nested": {"deeper": {"deepest": "x"}},
    }


def _with_texte(content: str) -> bytes:
    template = (FIXTURES / f"{QE}.xml").read_text(encoding="utf-8")
    start = template.index("<texte>") + len("<texte>")
    return (template[:start] + content + template[template.index("</texte>") :]).encode()


def test_xml_texte_with_real_elements_equals_the_escaped_html() -> None:
    html = '<p align="CENTER">Question &amp; réponse : a &lt; b</p><br/><p>fin <i>(x)</i><!-- note --></p>'
    (raw_text,) = decode_question_file("text.xml", _with_texte(escape(html)))
    (raw_elements,) = decode_question_file("elements.xml", _with_texte(html))
    assert raw_text.data["textesQuestion"]["texteQuestion"]["texte"] == html
    assert raw_elements.data == raw_text.data
    assert parse_question(raw_elements)[0].question_texts[0].html == html


def test_xml_texte_elements_keep_every_character() -> None:
    # Inside real elements, XML character references are characters: they come back as such.
    (raw,) = decode_question_file("elements.xml", _with_texte("<p>a&#160;: b &gt; c &#x2019;</p>\n<br />"))
    assert raw.data["textesQuestion"]["texteQuestion"]["texte"] == "<p>a\u00a0: b > c \u2019</p>\n<br/>"


xml_names = st.sampled_from(["uid", "analyse", "rubrique", "infoJO", "dateJO", "a", "b", "item"])
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\n\t"),
    min_size=1,
    max_size=12,
)
xml_values = st.recursive(
    st.none() | xml_text,
    lambda children: (
        st.dictionaries(xml_names, children | st.lists(children, min_size=2, max_size=3), min_size=1)
        | st.dictionaries(st.sampled_from(["@code", "@xsi:nil"]), xml_text, min_size=1, max_size=2)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(xml_names, xml_values, min_size=1, max_size=5))
def test_xml_and_json_shapes_round_trip(tree: dict[str, Any]) -> None:
    # Any JSON shape the official conversion can produce comes back (texte, kept as markup, is tested above).
    (raw,) = decode_question_file("gen.xml", to_xml("question", tree, NS))
    assert raw.data == {"@xmlns": NS, "@xmlns:xsi": XSI, **tree}


# ------------------------------------------------------------------ decoding


@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_utf8_bom_is_accepted(suffix: str) -> None:
    data = b"\xef\xbb\xbf" + (FIXTURES / f"{QE}.{suffix}").read_bytes()
    (raw,) = decode_question_file(f"bom.{suffix}", data)
    assert raw.data == record()


@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_invalid_utf8_names_the_file_and_byte_offset(suffix: str) -> None:
    good = (FIXTURES / f"{QE}.{suffix}").read_bytes()
    offset = good.index("numérique".encode()) + 3
    bad = good[:offset] + b"\xe9" + good[offset + 2 :]  # a Latin-1 é where UTF-8 has two bytes
    with pytest.raises(InputError) as caught:
        list(decode_question_file(f"latin1.{suffix}", bad))
    message = str(caught.value)
    assert message.startswith(f"latin1.{suffix}: ")
    assert f"byte offset {offset}" in message and "\n" not in message


@pytest.mark.parametrize("content", [b"", b"  \n\t", b"\xef\xbb\xbf"])
def test_empty_file(content: bytes) -> None:
    with pytest.raises(InputError, match=r"^empty\.json: empty file$"):
        list(decode_question_file("empty.json", content))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("truncated.json", b'{"question": {"uid": "QANR5L15QE1", ', "invalid JSON"),
        ("truncated.xml", b"<question><uid>QANR5L15QE1</uid><type>Q", "invalid XML"),
        ("garbage.json", b"hello world", "neither JSON nor XML"),
        ("array.json", b"[1, 2]", "not an object"),
        ("acteur.json", b'{"acteur": {"uid": "PA1"}}', "wrong root key"),
        ("acteur.xml", b"<acteur><uid>PA1</uid></acteur>", "wrong root element <acteur>"),
        ("nullq.json", b'{"question": null}', "empty or not an object"),
        ("undefined-entity.xml", b"<question><uid>&eacute;</uid></question>", "eacute"),
    ],
)
def test_undecodable_files_raise_one_line_input_errors(name: str, content: bytes, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        list(decode_question_file(name, content))
    assert not isinstance(caught.value, RecordError)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and expected in message and "\n" not in message


def test_format_is_detected_by_content_not_extension() -> None:
    (from_xml_named_json,) = decode_question_file("odd.json", (FIXTURES / f"{QE}.xml").read_bytes())
    (from_json_named_xml,) = decode_question_file("odd.xml", (FIXTURES / f"{QE}.json").read_bytes())
    assert from_xml_named_json.data == from_json_named_xml.data == record()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE question [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE question SYSTEM "http://example.invalid/question.dtd">',
        '<!DOCTYPE question [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_dtd_and_entities_are_refused(doctype: str) -> None:
    xml = f'<?xml version="1.0"?>\n{doctype}\n<question><uid>&b;</uid></question>'.encode()
    with pytest.raises(InputError, match=r"DOCTYPE.*DTD.*entit"):
        list(decode_question_file("evil.xml", xml))


def test_unexpected_keys_next_to_records_are_reported() -> None:
    data = orjson.dumps({"questionsEcrites": {"question": [renumbered(1)], "exportDate": "2017-06-20"}})
    diagnostics: list[Diagnostic] = []
    assert len(list(decode_question_file("all.json", data, diagnostics=diagnostics))) == 1
    assert [(d.severity, d.code, d.field, d.record) for d in diagnostics] == [
        ("warning", "unknown-field", "exportDate", "/questionsEcrites/exportDate")
    ]
    records: list[RawQuestion] = []
    with pytest.raises(InputError, match="exportDate"):
        records.extend(decode_question_file("all.json", data))  # without a list: raised after the records
    assert len(records) == 1


def test_unexpected_elements_next_to_xml_records_are_reported() -> None:
    xml = to_xml("questionsEcrites", {"meta": "x", "question": [renumbered(1), renumbered(2)]})
    diagnostics: list[Diagnostic] = []
    raw = list(decode_question_file("all.xml", xml, diagnostics=diagnostics))
    assert [r.pointer for r in raw] == ["/questionsEcrites/question/0", "/questionsEcrites/question/1"]
    assert [(d.code, d.field) for d in diagnostics] == [("unknown-field", "meta")]


# ------------------------------------------------------------------ the quirks docs/inputs.md lists


def test_strings_everywhere_become_typed_values_and_json_numbers_are_tolerated() -> None:
    data = record()
    question, _ = parse(data)
    jo = question.attributions[0].jo
    assert jo is not None and (question.number, question.legislature, jo.page) == (40439, 15, 5991)
    data["identifiant"].update(numero=40439, legislature=15)
    data["minAttribs"]["minAttrib"][0]["infoJO"]["pageJO"] = 5991
    assert without_source(parse(data)[0]) == without_source(question)


def _nil_everywhere(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: NIL if item is None else _nil_everywhere(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nil_everywhere(item) for item in value]
    return value


@pytest.mark.parametrize("stem", [QE, QG])
def test_nil_objects_are_empty_values(stem: str) -> None:
    data = record(stem)
    nil_data = _nil_everywhere(data)
    assert nil_data["textesReponse" if stem == QE else "textesQuestion"] == NIL
    nil_data["indexationAN"]["teteAnalyse"] = {"@xsi:nil": "true", "@xmlns:xsi": XSI}
    question, warnings = parse(nil_data)
    assert warnings == []
    assert without_source(question) == without_source(parse(data)[0])


ONE_OR_MANY = [
    ("minAttribs", "minAttrib"),
    ("textesQuestion", "texteQuestion"),
    ("textesReponse", "texteReponse"),
    ("indexationAN.analyses", "analyse"),
    ("renouvellements", "renouvellement"),
    ("erratumsQuestion", "erratum"),
    ("erratumsReponse", "erratum"),
    ("", "signalement"),
]
SAMPLES: dict[str, Any] = {
    "minAttrib": record()["minAttribs"]["minAttrib"][0],
    "texteQuestion": record()["textesQuestion"]["texteQuestion"],
    "texteReponse": {
        "infoJO": {"typeJO": "JO_QUESTION", "dateJO": "2021-10-12", "pageJO": "7512"},
        "texte": "R",
    },
    "analyse": "un titre",
    "renouvellement": {
        "dateRenouvellement": "2022-01-04",
        "infoJO": {"typeJO": "JO_QUESTION", "dateJO": "2022-01-04"},
    },
    "erratum": {"texte": "Au lieu de X lire Y", "infoJO": {"dateJO": "2021-08-03", "pageJO": "6100"}},
    "signalement": {
        "dateDepotSignal": "2021-11-02",
        "infoJO": {"typeJO": "JO_QUESTION", "dateJO": "2021-11-02"},
    },
}


def _put(data: dict[str, Any], container: str, key: str, value: Any) -> None:
    target = data
    for part in filter(None, container.split(".")):
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    target[key] = value


def _count(question: Question, key: str) -> int:
    return {
        "minAttrib": len(question.attributions),
        "texteQuestion": len(question.question_texts),
        "texteReponse": len(question.answer_texts),
        "analyse": len(question.analyses),
        "renouvellement": len(question.renewals),
        "erratum": len(question.question_errata) + len(question.answer_errata),
        "signalement": len(question.signalements),
    }[key]


@pytest.mark.parametrize(("container", "key"), ONE_OR_MANY, ids=[key for _, key in ONE_OR_MANY])
def test_one_or_many(container: str, key: str) -> None:
    sample = SAMPLES[key]
    bare, listed, two = record(), record(), record()
    _put(bare, container, key, copy.deepcopy(sample))
    _put(listed, container, key, [copy.deepcopy(sample)])
    second = copy.deepcopy(sample) if key != "analyse" else "un autre titre"
    _put(two, container, key, [copy.deepcopy(sample), second])
    (q_bare, w_bare), (q_listed, _), (q_two, w_two) = parse(bare), parse(listed), parse(two)
    assert w_bare == [] and w_two == []
    assert without_source(q_bare) == without_source(q_listed)
    assert _count(q_bare, key) == 1 and _count(q_two, key) == 2


def test_one_or_many_orders_attributions_from_one() -> None:
    question, _ = parse(record())
    assert [a.order for a in question.attributions] == [1, 2]
    data = record()
    data["signalement"] = [SAMPLES["signalement"], SAMPLES["signalement"]]
    assert [s.order for s in parse(data)[0].signalements] == [1, 2]


@pytest.mark.parametrize("written", ["2021-07-27", "27/07/2021", "2021-07-27T00:00:00+02:00", " 27/07/2021 "])
def test_both_date_formats(written: str) -> None:
    data = record()
    data["textesQuestion"]["texteQuestion"]["infoJO"]["dateJO"] = written
    data["cloture"]["dateCloture"] = written
    question, _ = parse(data)
    assert question.question_texts[0].jo is not None and question.question_texts[0].jo.date == dt.date(
        2021, 7, 27
    )
    assert question.closure is not None and question.closure.date == dt.date(2021, 7, 27)


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("minAttribs.minAttrib.infoJO.dateJO", "2021-02-31"),
        ("minAttribs.minAttrib.infoJO.dateJO", "27-07-2021"),
        ("cloture.dateCloture", "juillet 2021"),
        ("textesQuestion.texteQuestion.infoJO.dateJO", "31/02/2021"),
    ],
)
def test_bad_dates_are_record_errors_naming_the_field(path: str, written: str) -> None:
    data = record()
    if path.startswith("minAttribs"):
        data["minAttribs"]["minAttrib"][1]["infoJO"]["dateJO"] = written
    elif path.startswith("cloture"):
        data["cloture"]["dateCloture"] = written
    else:
        data["textesQuestion"]["texteQuestion"]["infoJO"]["dateJO"] = written
    error = parse_error(data, file="json/QANR5L15QE40439.json")
    assert (error.file, error.record, error.field, error.code) == (
        "json/QANR5L15QE40439.json",
        QE,
        path,
        "bad-date",
    )
    assert str(error).startswith(f"json/QANR5L15QE40439.json [{QE}] {path}: ")
    assert repr(written) in str(error)


def test_html_texts_are_kept_exactly() -> None:
    data = record(QG)
    html = data["textesReponse"]["texteReponse"]["texte"]
    assert "&nbsp;" in html and "&amp;" in html and html.startswith("</p>")
    question, _ = parse(data)
    assert question.answer_texts[0].html == html
    data["textesReponse"]["texteReponse"]["texte"] = "  <p>espaces  &eacute;</p>\n"
    assert parse(data)[0].answer_texts[0].html == "  <p>espaces  &eacute;</p>\n"


def test_government_question_has_no_question_text() -> None:
    question, warnings = parse(record(QG))
    assert warnings == []
    assert question.type is QuestionType.GOVERNMENT
    assert question.question_texts == ()
    assert len(question.answer_texts) == 1
    assert question.answer_texts[0].jo == JOReference(kind="JO_DEBAT", date=dt.date(2024, 10, 3), page=5283)


@pytest.mark.parametrize(
    ("code", "label", "warned"),
    [
        ("REP_PUB", "Réponse publiée", False),
        (None, "Fin de mandat", False),
        ("RET_AUTEUR", "Retirée par l'auteur", True),
        ("CADUQUE", None, True),
    ],
)
def test_closure_codes_are_open_ended(code: str | None, label: str | None, warned: bool) -> None:
    data = record()
    data["cloture"].update(codeCloture=code, libelleCloture=label)
    question, warnings = parse(data)
    assert question.closure is not None and (question.closure.code, question.closure.label) == (code, label)
    assert warning_codes(warnings) == ([("unknown-closure-code", "cloture.codeCloture")] if warned else [])


def test_open_question_has_no_closure() -> None:
    data = record()
    data["cloture"] = None
    assert parse(data)[0].closure is None
    data["cloture"] = {"codeCloture": None, "libelleCloture": None, "dateCloture": None, "infoJO": None}
    assert parse(data)[0].closure is None


@pytest.mark.parametrize(
    ("ref", "uid", "warned"),
    [
        ("PO774113", "PO774113", False),
        (" PO774113 ", "PO774113", False),
        ("MIN-ECO", None, True),
        ("774113", None, True),
        (None, None, False),
        (NIL, None, False),
    ],
)
def test_odd_organe_refs_keep_the_labels(ref: Any, uid: str | None, warned: bool) -> None:
    data = record()
    data["minInt"]["organeRef"] = ref
    data["minAttribs"]["minAttrib"][0]["denomination"]["organeRef"] = ref
    question, warnings = parse(data)
    for mention in (question.questioned_ministry, question.attributions[0].ministry):
        assert mention is not None
        assert mention.uid == uid
        assert mention.short_label == "Transition numérique et communications électroniques"
    expected = [
        ("bad-organe-ref", "minInt.organeRef"),
        ("bad-organe-ref", "minAttribs.minAttrib.denomination.organeRef"),
    ]
    assert warning_codes(warnings) == (expected if warned else [])


def test_odd_group_ref_and_empty_ministry() -> None:
    data = record()
    data["auteur"]["groupe"]["organeRef"] = "GP-LR"
    data["minInt"] = {"organeRef": None, "abrege": None, "developpe": None}
    question, warnings = parse(data)
    assert question.author.group == OrganeMention(None, "LR", "Les Républicains")
    assert question.questioned_ministry is None
    assert warning_codes(warnings) == [("bad-organe-ref", "auteur.groupe.organeRef")]


@pytest.mark.parametrize(
    ("indexation", "expected"),
    [
        ({"analyses": {"analyse": "titre"}}, ("titre",)),
        ({"analyses": {"analyse": ["un", "deux"]}}, ("un", "deux")),
        ({"ANALYSE": {"ANA": "ancien"}}, ("ancien",)),
        ({"ANALYSE": {"ANA": ["a", "b"]}}, ("a", "b")),
        ({"ANALYSE": "nu"}, ("nu",)),
        ({"analyses": {"ANALYSE": "variante"}}, ("variante",)),
        ({"analyses": {"ANA": "variante"}}, ("variante",)),
        ({"analyses": {"analyse": None}, "ANALYSE": {"ANA": "repli"}}, ("repli",)),
        ({"analyses": {"analyse": "même"}, "ANALYSE": {"ANA": "même"}}, ("même",)),
        ({"analyses": None}, ()),
    ],
)
def test_analyse_variants(indexation: dict[str, Any], expected: tuple[str, ...]) -> None:
    data = record()
    data["indexationAN"] = {"rubrique": "numérique", "teteAnalyse": None, **indexation}
    question, warnings = parse(data)
    assert question.analyses == expected
    assert warnings == []


def test_mojibake_is_a_warning_and_the_text_is_kept() -> None:
    data = record()
    data["indexationAN"]["rubrique"] = "numÃ©rique"
    data["minAttribs"]["minAttrib"][1]["denomination"]["developpe"] = "MinistÃ¨re de la santÃ©"
    question, warnings = parse(data)
    assert question.rubrique == "numÃ©rique"
    assert warning_codes(warnings) == [
        ("mojibake", "indexationAN.rubrique"),
        ("mojibake", "minAttribs.minAttrib.denomination.developpe"),
    ]
    assert all(w.record == QE for w in warnings)
    assert parse(record())[1] == []  # "é" itself is fine


def test_empty_rubrique_is_none() -> None:
    for empty in ("", "  ", None, NIL):
        data = record()
        data["indexationAN"]["rubrique"] = empty
        assert parse(data)[0].rubrique is None


# ------------------------------------------------------------------ unknown fields and known paths


def test_unknown_fields_are_warnings_with_dotted_paths() -> None:
    data = record()
    data["nouveauChamp"] = "x"
    data["auteur"]["identite"]["civilite"] = "Mme"
    data["minAttribs"]["minAttrib"][1]["infoJO"]["numPage"] = "12"
    data["textesQuestion"]["texteQuestion"]["langue"] = "fr"
    data["renouvellements"] = {"renouvellement": {"dateRenouvellement": "2022-01-04", "motif": "?"}}
    question, warnings = parse(data)
    assert question.uid == QE
    assert sorted(warning_codes(warnings)) == sorted(
        [
            ("unknown-field", "nouveauChamp"),
            ("unknown-field", "auteur.identite.civilite"),
            ("unknown-field", "minAttribs.minAttrib.infoJO.numPage"),
            ("unknown-field", "textesQuestion.texteQuestion.langue"),
            ("unknown-field", "renouvellements.renouvellement.motif"),
        ]
    )
    assert question.renewals[0].date == dt.date(2022, 1, 4)


def test_xml_namespace_attributes_are_not_unknown_fields() -> None:
    data = record()
    data["minInt"]["@xmlns:xsi"] = XSI
    data["cloture"]["@xsi:type"] = "Cloture_Type"
    assert parse(data)[1] == []


def _leaves(value: Any, path: str = "") -> set[str]:
    if isinstance(value, dict) and not set(value) <= {"@xsi:nil"}:
        found: set[str] = set()
        for key, item in value.items():
            if not key.startswith("@"):
                found |= _leaves(item, f"{path}.{key}" if path else key)
        return found
    if isinstance(value, list):
        return set().union(*(_leaves(item, path) for item in value))
    return {path}


def test_question_fields_cover_every_source_path() -> None:
    seen: set[str] = set()
    for stem in (QE, QG):
        seen |= _leaves(record(stem))
    for data in fixture(f"{MULTI}.json")["questionsEcrites"]["question"]:
        seen |= _leaves(data)
    # a null block ("textesReponse": null) is a leaf of the source but a prefix of known paths
    unknown = {
        path for path in seen - QUESTION_FIELDS if not any(f.startswith(path + ".") for f in QUESTION_FIELDS)
    }
    assert unknown == set()
    assert {
        "uid",
        "type",
        "identifiant.numero",
        "identifiant.regime",
        "minAttribs.minAttrib.infoJO.pageJO",
        "indexationAN.ANALYSE.ANA",
        "erratumsReponse.erratum.texte",
        "signalement.dateDepotSignal",
    } <= QUESTION_FIELDS
    assert not any(field.startswith("@") or ".@" in field for field in QUESTION_FIELDS)


# ------------------------------------------------------------------ records that cannot be used


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"identifiant": {"numero": "40440", "regime": "5eme Republique", "legislature": "15"}},
            "identifiant.numero",
        ),
        (
            {"identifiant": {"numero": "40439", "regime": "5eme Republique", "legislature": "16"}},
            "identifiant.legislature",
        ),
        ({"type": "QOSD"}, "type"),
    ],
)
def test_uid_mismatch_is_a_record_error(change: dict[str, Any], field: str) -> None:
    data = record()
    data.update(change)
    error = parse_error(data)
    assert (error.field, error.code, error.record) == (field, "uid-mismatch", QE)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"type": "QX"}, "type", "unknown-type"),
        ({"uid": None}, "uid", "missing-field"),
        ({"uid": "QANR5L15XX40439"}, "uid", "bad-identifier"),
        ({"uid": "QANR5L15QE\n40439"}, "uid", "bad-identifier"),
        ({"type": NIL}, "type", "missing-field"),
        # without identifiant, number and legislature come from the uid (tests/test_records_real.py); without
        # a readable uid either, the record cannot be used
        ({"identifiant": None, "uid": "QANR5L15XX40439"}, "identifiant.numero", "missing-field"),
        ({"identifiant": {"numero": "40439"}, "uid": "Q40439"}, "identifiant.legislature", "missing-field"),
        ({"identifiant": {"numero": "40 439", "legislature": "15"}}, "identifiant.numero", "bad-number"),
        ({"identifiant": {"numero": "quarante", "legislature": "XV"}}, "identifiant.numero", "bad-number"),
        ({"auteur": None}, "auteur.identite.acteurRef", "missing-field"),
        ({"auteur": {"identite": {"acteurRef": "345722"}}}, "auteur.identite.acteurRef", "bad-identifier"),
        ({"identifiant": "40439"}, "identifiant", "bad-shape"),
        ({"uid": ["QANR5L15QE40439"]}, "uid", "bad-shape"),
    ],
)
def test_unusable_records_are_record_errors(change: dict[str, Any], field: str, code: str) -> None:
    data = record()
    data.update(change)
    error = parse_error(data, file="dump.zip!/json/x.json")
    assert (error.field, error.code) == (field, code)
    assert str(error).startswith("dump.zip!/json/x.json ")
    assert f" {field}: " in str(error)


def test_non_numeric_page_is_a_record_error_naming_the_field() -> None:
    data = record()
    data["minAttribs"]["minAttrib"][1]["infoJO"]["pageJO"] = "p. 12"
    error = parse_error(data)
    assert (error.field, error.code) == ("minAttribs.minAttrib.infoJO.pageJO", "bad-number")
    assert "(item 2)" in str(error) and "'p. 12'" in str(error)


def test_record_without_uid_is_named_by_its_pointer() -> None:
    data = record()
    data["uid"] = None
    with pytest.raises(RecordError) as caught:
        parse(data, file="all.json", pointer="/questions/question/4")
    assert caught.value.record == "/questions/question/4"
    assert str(caught.value) == "all.json [/questions/question/4] uid: missing: every question has a uid"


def test_odd_mandate_ref_is_dropped_with_a_warning() -> None:
    data = record()
    data["auteur"]["identite"]["mandatRef"] = "723428"
    question, warnings = parse(data)
    assert question.author.mandate_uid is None and question.author.person_uid == "PA345722"
    assert warning_codes(warnings) == [("bad-mandate-ref", "auteur.identite.mandatRef")]
    data["auteur"]["identite"]["mandatRef"] = None
    assert parse(data)[0].author.mandate_uid is None


def test_errata_as_text_object_or_list() -> None:
    data = record()
    data["erratumsQuestion"] = "Au lieu de X lire Y"
    data["erratumsReponse"] = {"erratum": [{"texte": "A", "infoJO": {"dateJO": "2021-08-03"}}, "B"]}
    question, warnings = parse(data)
    assert warnings == []
    assert [e.text for e in question.question_errata] == ["Au lieu de X lire Y"]
    assert [e.text for e in question.answer_errata] == ["A", "B"]
    assert question.answer_errata[0].jo == JOReference(date=dt.date(2021, 8, 3))


def test_text_entry_without_text_is_kept_with_a_warning() -> None:
    data = record()
    data["textesQuestion"]["texteQuestion"]["texte"] = None
    question, warnings = parse(data)
    assert question.question_texts[0].html == ""
    assert warning_codes(warnings) == [("empty-text", "textesQuestion.texteQuestion.texte")]


def test_source_ref_of_each_record() -> None:
    data = orjson.dumps({"questions": {"question": [renumbered(1), renumbered(2)]}})
    raws = list(decode_question_file("dir/all.json", data))
    for raw in raws:
        question, _ = parse_question(raw)
        assert question.source == SourceRef(
            path="dir/all.json", sha256=record_hash(raw.data), pointer=raw.pointer
        )
    assert len({parse_question(raw)[0].source.sha256 for raw in raws}) == 2


# ------------------------------------------------------------------ read_questions goes on


def test_read_questions_goes_on_after_a_bad_record(tmp_path: Path) -> None:
    bad = renumbered(2)
    bad["minAttribs"]["minAttrib"][0]["infoJO"]["dateJO"] = "2021-13-45"
    path = write(
        tmp_path / "all.json",
        orjson.dumps(
            {"questionsEcrites": {"question": [renumbered(1), bad, "not a question", renumbered(3)]}}
        ),
    )
    items = list(read_questions(path))
    assert [q.number for q in items if isinstance(q, Question)] == [1, 3]
    errors = [d for d in items if isinstance(d, Diagnostic)]
    assert [(d.severity, d.code, d.record, d.field) for d in errors] == [
        ("error", "bad-date", "QANR5L15QE2", "minAttribs.minAttrib.infoJO.dateJO"),
        ("error", "bad-item", "/questionsEcrites/question/2", None),
    ]
    assert all("\n" not in d.one_line() for d in errors)


def test_read_questions_goes_on_after_bad_files(tmp_path: Path) -> None:
    write(tmp_path / "a.json", (FIXTURES / f"{QE}.json").read_bytes())
    write(tmp_path / "b.json", b'{"question": {"uid": ')
    write(tmp_path / "c.xml", b"\xff\xfe<\x00q\x00")
    write(tmp_path / "d.zip", b"this is not a zip archive")
    write(tmp_path / "e.xml", (FIXTURES / f"{QG}.xml").read_bytes())
    truncated = to_xml("questionsEcrites", {"question": [renumbered(1), renumbered(2), renumbered(3)]})
    write(tmp_path / "f.xml", truncated[: truncated.rindex(b"<question") + 80])
    items = list(read_questions(tmp_path))
    assert [(q.source.path, q.uid) for q in items if isinstance(q, Question)] == [
        ("a.json", QE),
        ("e.xml", QG),
        ("f.xml", "QANR5L15QE1"),
        ("f.xml", "QANR5L15QE2"),
    ]
    errors = [d for d in items if isinstance(d, Diagnostic)]
    assert [(d.file, d.severity) for d in errors] == [
        ("b.json", "error"),
        ("c.xml", "error"),
        ("d.zip", "error"),
        ("f.xml", "error"),
    ]
    assert "byte offset 0" in errors[1].message
    assert "invalid XML" in errors[3].message


def test_read_questions_reports_a_missing_input(tmp_path: Path) -> None:
    (item,) = read_questions(tmp_path / "nowhere")
    assert isinstance(item, Diagnostic) and item.severity == "error"


# ------------------------------------------------------------------ robustness


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just(NIL)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
record_keys = st.sampled_from(sorted({field.split(".")[0] for field in QUESTION_FIELDS}))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(record_keys, json_values, max_size=6), st.data())
def test_parse_question_raises_only_record_errors(noise: dict[str, Any], data: st.DataObject) -> None:
    base = record() if data.draw(st.booleans()) else {}
    base.update(noise)
    try:
        question, warnings = parse(base)
    except RecordError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(question, Question) and all(isinstance(w, Diagnostic) for w in warnings)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=200) | st.sampled_from([b"{", b"<", b"<a>", b'{"question": 1}', b"\xef\xbb\xbf<q/>"])
)
def test_decode_raises_only_input_errors(content: bytes) -> None:
    try:
        list(decode_question_file("fuzz", content))
    except InputError as error:
        assert "\n" not in str(error)


# ------------------------------------------------------------------ the plain path and the wire models
#
# parse_question reads a plainly well-formed record straight from its dict and hands any other to the wire
# models. The two must never disagree: whenever the plain path gives a question, the models give the same one
# and no warning. Checked on every record at hand (fixtures, the bundled sample, JSON and XML) and on
# records mutated at random in every way the source is known or reported to vary.

SAMPLE = Path(questions_module.__file__).parent.parent / "data" / "sample" / "questions"


def _raw_records(*roots: Path) -> list[RawQuestion]:
    return [
        raw
        for root in roots
        for entry in iter_input_files(root)
        for raw in decode_question_file(entry.name, entry.read_bytes(), diagnostics=[])
    ]


ALL_RECORDS = _raw_records(FIXTURES, SAMPLE)


def _by_models(raw: RawQuestion) -> tuple[Question, list[Diagnostic]] | None:
    """What the wire models make of a record (``None``: a record error)."""
    try:
        return questions_module._Builder(raw).build()
    except RecordError:
        return None


def assert_same_reading(raw: RawQuestion) -> None:
    plain = question_plain.read_plain(raw)
    if plain is not None:
        assert _by_models(raw) == (plain, [])


def test_plain_path_knows_every_wire_field() -> None:
    blocks: dict[str, type[wire.Wire]] = {
        "question": wire.WireQuestion,
        "identifiant": wire.Identifiant,
        "indexationAN": wire.IndexationAN,
        "analyses": wire.Analyses,
        "ANALYSE": wire.LegacyAnalyse,
        "auteur": wire.Auteur,
        "identite": wire.Identite,
        "organe": wire.OrganeLabels,
        "minAttribs": wire.MinAttribs,
        "minAttrib": wire.MinAttrib,
        "infoJO": wire.InfoJO,
        "textesQuestion": wire.TextesQuestion,
        "textesReponse": wire.TextesReponse,
        "texte": wire.Texte,
        "signalement": wire.Signalement,
        "renouvellements": wire.Renouvellements,
        "renouvellement": wire.Renouvellement,
        "cloture": wire.Cloture,
        "erratums": wire.Erratums,
        "erratum": wire.Erratum,
    }
    assert set(blocks.values()) == set(wire.Wire.__subclasses__())  # a new wire model needs a plain block
    for name, model in blocks.items():
        aliases = {info.alias or field for field, info in model.model_fields.items()}
        assert question_plain.PLAIN_KEYS[name] == aliases, name
    assert set(question_plain.PLAIN_KEYS) == set(blocks)


def test_plain_path_reads_the_plain_records_and_agrees_with_the_wire_models() -> None:
    assert len(ALL_RECORDS) >= 45
    plain = 0
    for raw in ALL_RECORDS:
        assert_same_reading(raw)
        by_models = _by_models(raw)
        if by_models is not None and by_models[1] == []:  # nothing to report: the plain path must read it
            assert question_plain.read_plain(raw) == by_models[0], raw.file
            plain += 1
    assert plain >= 40


def test_plain_path_hands_every_odd_record_to_the_wire_models() -> None:
    data = record()
    assert question_plain.read_plain(RawQuestion("q.json", None, data)) is not None
    odd: list[tuple[str, Any]] = [
        ("nouveauChamp", "x"),  # an unknown field: a warning
        ("minInt", {"organeRef": "XX1", "abrege": "Santé"}),  # a bad reference: a warning
        ("cloture", {"codeCloture": "RETRAIT", "libelleCloture": "Retirée"}),  # an unseen code: a warning
        ("signalement", "oui"),  # a text where an object is expected: an error
        ("identifiant", {"numero": 40439, "legislature": "15"}),  # a JSON number: read by the models
        ("type", "QG"),  # contradicts the uid: an error
    ]
    for key, value in odd:
        changed = {**data, key: value}
        assert question_plain.read_plain(RawQuestion("q.json", None, changed)) is None, key
    mojibake = record()
    mojibake["indexationAN"]["rubrique"] = "numÃ©rique"
    assert question_plain.read_plain(RawQuestion("q.json", None, mojibake)) is None


ODD_VALUES: list[Any] = [
    None, "", "  ", NIL, {"@xsi:nil": "true", "@xmlns:xsi": XSI}, {"@xsi:nil": "false"}, {"@xsi:nil": True},
    {"#text": "12"}, {"#text": "2021-03-04"}, {"#text": " "}, {"a": 1}, [], ["x"], [None, "y"], 12, 1.5, True,
    "12", " 12 ", "+5", "١٢", "2021-03-04", "04/03/2021", "31/02/2021", "2021-02-31", "2021-3-4",
    "2021-03-04T10:00:00+02:00", "PA12", "PO1", " PO1 ", "PM1", "QE", " QE ", "QG", "REP_PUB", "RETRAIT",
    "JO_DEBAT", "JO_AUTRE", "numÃ©rique", "Â ", "x",
]  # fmt: skip
ODD_KEYS = ["extra", "@xmlns:a", "@xsi:type", "@xsi:nil", "#text", "uid", "texte", "infoJO", "ANA"]


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(ALL_RECORDS)).data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([path for path in _paths(data) if path]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        key, current = path[-1], parent[path[-1]]
        action = draw(st.sampled_from(["replace", "add", "list", "one", "drop", "wrap", "unwrap"]))
        if action == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "add" and isinstance(current, dict):
            current[draw(st.sampled_from(ODD_KEYS))] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "list":
            parent[key] = [current, copy.deepcopy(current)]
        elif action == "one":
            parent[key] = [current]
        elif action == "drop" and isinstance(parent, dict):
            del parent[key]
        elif action == "wrap":
            parent[key] = {"#text": current}
        elif action == "unwrap" and isinstance(current, list) and current:
            parent[key] = current[0]
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_records())
def test_plain_path_agrees_with_the_wire_models_on_odd_records(data: dict[str, Any]) -> None:
    assert_same_reading(RawQuestion("q.json", None, data))


def test_equal_ministries_groups_authors_and_publications_are_shared() -> None:
    first, _ = parse(record())
    second, _ = parse(renumbered(40440))
    assert first.author is second.author
    assert first.questioned_ministry is second.questioned_ministry
    assert first.attributions[0].jo is second.attributions[0].jo
    assert first.attributions[0].jo is first.question_texts[0].jo  # the same publication, one object


def test_shared_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(question_plain, "_SHARED_LIMIT", 3)
    for name in ("_SHARED_AUTHORS", "_SHARED_ORGANES", "_SHARED_JO"):
        monkeypatch.setattr(question_plain, name, {})
    for number in range(1, 10):
        data = renumbered(number)
        data["auteur"]["identite"]["acteurRef"] = f"PA{number}"
        data["minInt"]["abrege"] = f"Ministère {number}"
        data["textesQuestion"]["texteQuestion"]["infoJO"]["pageJO"] = str(number)
        question, _ = parse(data)
        assert question.question_texts[0].jo is not None and question.question_texts[0].jo.page == number
        assert len(question_plain._SHARED_AUTHORS) <= 3
        assert len(question_plain._SHARED_ORGANES) <= 3
        assert len(question_plain._SHARED_JO) <= 3


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from('aéÃÂâ€™©¬ì\u00a0\u0080\u00a9 "\\'), max_size=12) | st.text(max_size=12))
def test_mojibake_screen_is_the_pattern(text: str) -> None:
    canonical = orjson.dumps({"k": text, text: [text]})
    expected = question_decode._MOJIBAKE_BYTES.search(canonical) is not None
    assert question_decode.may_hold_mojibake(canonical) == expected


@pytest.mark.parametrize("size", [0, 1, 4096, 3 * 1024 * 1024 + 7])
def test_files_are_read_whole(tmp_path: Path, size: int) -> None:
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    (entry,) = iter_input_files(write(tmp_path / "q.json", content))
    assert entry.read_bytes() == content

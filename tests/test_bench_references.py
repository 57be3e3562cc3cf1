"""bench/references.py builds exactly the triples kg maps: the floor and the naive baseline are compared with
:meth:`kg.mapping.QuestionMapper.map` (graph names dropped) on a generated corpus showing every variant, on the
bundled sample (JSON, XML and single-file layouts) and on records mutated into the rarer forms the readers accept.

Everything runs on the bundled sample registry (never on ../shared).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import pytest

from bench import corpus, references
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.registry import Registry, load_registry
from kg.sources.files import iter_input_files
from kg.sources.question_decode import RawQuestion, decode_question_file
from kg.sources.questions import parse_question

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "kg" / "data" / "sample"
GENERATED = 600  # with seed 1: every variant of bench/generate's mix (checked below)
SEED = 1
VARIANTS = frozenset(
    {"QE", "QOSD", "QG", "answered", "open", "end-of-mandate", "withdrawn-by-author", "reattributed",
     "signalement", "renewal", "fr-dates", "tete-analyse", "two-analyses", "erratum", "empty-rubrique",
     "html-question", "html-answer", "jo-details"}
)  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([SAMPLE / "registry"])


@pytest.fixture(scope="module")
def lookups(registry: Registry) -> references.Lookups:
    return references.lookups_from_registry(registry)


def _raws(root: Path) -> list[RawQuestion]:
    return [raw for f in iter_input_files(root) for raw in decode_question_file(f.name, f.read_bytes())]


def _kg_triples(raws: Iterable[RawQuestion], registry: Registry) -> list[ox.Triple]:
    """What kg maps from the records (one mapper, as one build), graph names dropped; every record must read."""
    mapper = QuestionMapper(registry, Minter())
    out: list[ox.Triple] = []
    for raw in raws:
        question, _ = parse_question(raw)  # raises for a record kg would quarantine
        out.extend(ox.Triple(q.subject, q.predicate, q.object) for q in mapper.map(question))
    return out


def _term(value: str, kind: str | None) -> ox.NamedNode | ox.Literal:
    if kind is None:
        return ox.NamedNode(value)
    if kind == "":
        return ox.Literal(value)
    if kind.startswith("@"):
        return ox.Literal(value, language=kind[1:])
    return ox.Literal(value, datatype=ox.NamedNode(kind))


def _reference_triples(raws: Iterable[RawQuestion], lookups: references.Lookups) -> list[ox.Triple]:
    seen: set[references.Fact] = set()
    return [
        ox.Triple(ox.NamedNode(s), ox.NamedNode(p), _term(o, kind))
        for raw in raws
        for s, p, o, kind in references.record_facts(raw.data, lookups, raw.file, raw.pointer, seen)
    ]


def _difference(expected: Iterable[ox.Triple], found: Iterable[ox.Triple]) -> str:
    """Empty when both hold the same triples as many times each; else what is missing and what is extra."""
    want, got = Counter(expected), Counter(found)
    missing, extra = list((want - got).elements()), list((got - want).elements())
    if not missing and not extra:
        return ""
    lines = [f"{len(missing)} missing, {len(extra)} extra"]
    lines += [f"missing {t}" for t in missing[:10]] + [f"extra   {t}" for t in extra[:10]]
    return "\n".join(lines)


def _parse_nt(path: Path) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    ]


# ------------------------------------------------------------------ generated corpus: floor() and naive()


def test_floor_and_naive_write_kg_triples_on_a_generated_corpus(
    registry: Registry, lookups: references.Lookups, tmp_path: Path
) -> None:
    root = tmp_path / "corpus"
    stats = corpus.write_corpus(corpus.generate(GENERATED, SEED, registry), "json-files", root)
    assert set(stats.mix) >= VARIANTS, (
        f"variants missing from the corpus: {sorted(VARIANTS - set(stats.mix))}"
    )
    expected = _kg_triples(_raws(root), registry)
    assert len(expected) > 50 * GENERATED  # the whole mapping, not a subset

    paths = sorted(root.rglob("*.json"))
    count = references.floor(paths, tmp_path / "floor.nt", lookups, root=root)
    assert _difference(expected, _parse_nt(tmp_path / "floor.nt")) == ""
    assert count == len(expected)

    count = references.naive(paths, tmp_path / "naive.nt", lookups, root=root)
    naive = _parse_nt(tmp_path / "naive.nt")
    assert _difference(set(expected), naive) == ""
    assert count == len(naive) == len(set(expected))


def test_naive_turtle_holds_the_same_triples(
    registry: Registry, lookups: references.Lookups, tmp_path: Path
) -> None:
    root = tmp_path / "corpus"
    corpus.write_corpus(corpus.generate(60, SEED, registry), "json-files", root)
    expected = set(_kg_triples(_raws(root), registry))
    count = references.naive(sorted(root.rglob("*.json")), tmp_path / "naive.ttl", lookups, "ttl", root=root)
    found = [ox.Triple(q.subject, q.predicate, q.object)
             for q in ox.parse(path=str(tmp_path / "naive.ttl"), format=ox.RdfFormat.TURTLE)]  # fmt: skip
    assert _difference(expected, found) == ""
    assert count == len(expected)


# ------------------------------------------------------------------ the bundled sample, every layout


def test_record_facts_on_the_bundled_sample(registry: Registry, lookups: references.Lookups) -> None:
    raws = _raws(SAMPLE / "questions")
    assert len(raws) == 38
    assert {raw.pointer is None for raw in raws} == {True, False}  # single-file records too
    assert _difference(_kg_triples(raws, registry), _reference_triples(raws, lookups)) == ""


# ------------------------------------------------------------------ mutated records: the rarer forms

Record = dict[str, Any]
NIL = {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:nil": "true"}


def _jo(day: str | None, page: str | None = "2511", **more: Any) -> Record:
    return {"typeJO": "JO_QUESTION", "dateJO": day, "pageJO": page, "numJO": None, "urlLegifrance": None,
            "referenceNOR": None, **more}  # fmt: skip


def _set(path: str, value: Any) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        *parents, last = path.split(".")
        node = record
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _all(*changes: Callable[[Record], None]) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        for one in changes:
            one(record)

    return change


def _second_answer(record: Record) -> None:
    answer = record["textesReponse"]["texteReponse"]
    record["textesReponse"]["texteReponse"] = [answer, {**answer, "infoJO": _jo("2018-06-05", "4800")}]


def _answer_before_attribution(record: Record) -> None:
    record["minAttribs"]["minAttrib"] = [
        {
            "infoJO": _jo("2018-02-13"),
            "denomination": {"organeRef": "PO999998", "abrege": "A", "developpe": None},
        },
        {
            "infoJO": _jo("2018-09-01"),
            "denomination": {"organeRef": None, "abrege": "Sports", "developpe": None},
        },
    ]


#: name → change applied to a copy of QANR5L15QE5807 (answered; JO details), each read by kg without error
MUTATIONS: dict[str, Callable[[Record], None]] = {
    "unknown-author": _set("auteur.identite", {"acteurRef": "PA999999999", "mandatRef": None}),
    "no-mandate-ref": _set("auteur.identite.mandatRef", NIL),
    "unknown-mandate-ref": _set("auteur.identite.mandatRef", "PM1"),
    "bad-mandate-ref": _set("auteur.identite.mandatRef", "XX722598"),
    "padded-refs": _set("auteur.identite", {"acteurRef": " PA1874 ", "mandatRef": "PM722598\n"}),
    "group-from-registry": _set("auteur.groupe", None),
    "group-nil": _set("auteur.groupe", NIL),
    "group-labels-only": _set("auteur.groupe", {"organeRef": None, "abrege": "LR", "developpe": "Les Républicains"}),
    "group-bad-ref": _set("auteur.groupe", {"organeRef": "abc", "abrege": None, "developpe": "Groupe Œuvre"}),
    "group-unknown": _set("auteur.groupe", {"organeRef": "PO1", "abrege": "X", "developpe": None}),
    "min-int-unknown": _set("minInt", {"organeRef": "PO999997", "abrege": "Ailleurs", "developpe": "Ministère d'ailleurs"}),
    "min-int-nil": _set("minInt", NIL),
    "attribution-without-ministry": _set("minAttribs.minAttrib", {"infoJO": _jo("2018-02-13"), "denomination": None}),
    "answer-before-attribution": _answer_before_attribution,
    "no-question-text": _set("textesQuestion", None),
    "no-dates-at-all": _all(
        _set("textesQuestion", None), _set("textesReponse", None), _set("cloture", None),
        _set("minAttribs.minAttrib.infoJO", None), _set("auteur.identite.mandatRef", None),
        _set("auteur.groupe", None),
    ),
    "numbers-as-json-numbers": _all(_set("identifiant.numero", 5807), _set("identifiant.legislature", 15)),
    "padded-number": _set("identifiant.numero", " 05807 "),
    "text-objects": _all(
        _set("indexationAN.rubrique", {"#text": "agriculture"}), _set("identifiant.regime", {"#text": "  "})
    ),
    "dates-with-time": _set("textesQuestion.texteQuestion.infoJO.dateJO", "2018-02-13T00:00:00+01:00"),
    "french-dates": _all(
        _set("textesQuestion.texteQuestion.infoJO.dateJO", "13/02/2018"), _set("cloture.dateCloture", "22/05/2018")
    ),
    "page-with-zeros": _set("textesQuestion.texteQuestion.infoJO.pageJO", "0012"),
    "legacy-analyse": _set("indexationAN", {"rubrique": "santé", "teteAnalyse": "Œuvres", "ANALYSE": {"ANA": ["Un", "Deux", "Un"]}}),
    "legacy-analyse-bare": _set("indexationAN", {"rubrique": None, "teteAnalyse": None, "ANALYSE": "Titre seul"}),
    "analyses-upper": _set("indexationAN.analyses", {"analyse": [NIL, "  ", "Premier"], "ANA": "Second", "ANALYSE": "Premier"}),
    "blank-rubrique": _set("indexationAN.rubrique", "   "),
    "odd-topic-label": _set("indexationAN.rubrique", "Santé : prévention — 漢字 & co"),
    "errata-bare": _all(_set("erratumsQuestion", "Au lieu de : x, lire : y"), _set("erratumsReponse", ["a", "  ", "b"])),
    "errata-objects": _all(
        _set("erratumsQuestion", {"erratum": [{"texte": "e1", "infoJO": _jo("2018-03-06")}, {"texte": None, "infoJO": None}]}),
        _set("erratumsReponse", {"erratum": {"texte": "r1", "infoJO": NIL}}),
    ),
    "answer-errata-unanswered": _all(_set("textesReponse", None), _set("erratumsReponse", "r")),
    "text-erratum-field": _set("textesQuestion.texteQuestion.erratum", "Erratum publié au JO"),
    "markup-and-entities": _set("textesQuestion.texteQuestion.texte", "A &amp; B<br/>C < D &eacute; <P>x</P>\n  y  "),
    "ampersand-only": _set("textesReponse.texteReponse.texte", "R&D"),
    "blank-text": _set("textesQuestion.texteQuestion.texte", "   "),
    "two-answers": _second_answer,
    "legifrance-urls": _all(
        _set("textesQuestion.texteQuestion.infoJO.urlLegifrance", "https://www.legifrance.gouv.fr/jorf/id/X"),
        _set("textesReponse.texteReponse.infoJO.urlLegifrance", "not an address"),
        _set("minAttribs.minAttrib.infoJO.urlLegifrance", "http://exa mple"),
    ),
    "jo-kind-only": _set("minAttribs.minAttrib.infoJO", {"typeJO": "JO_DEBAT", "dateJO": None}),
    "jo-all-nil": _set("minAttribs.minAttrib.infoJO", {"typeJO": NIL, "dateJO": NIL, "pageJO": None}),
    "signalements": _set("signalement", [
        {"dateDepotSignal": "2018-04-03", "infoJO": _jo("2018-04-10")},
        NIL,
        {"dateDepotSignal": None, "infoJO": _jo("2018-04-17", None)},
    ]),
    "renewals": _set("renouvellements", {"renouvellement": [
        {"dateRenouvellement": "2018-05-01", "infoJO": None}, {"dateRenouvellement": None, "infoJO": _jo("2018-05-08")},
    ]}),
    "closure-label-only": _set("cloture", {"codeCloture": None, "libelleCloture": "Question caduque", "dateCloture": None,
                                           "infoJO": _jo("2018-06-01")}),
    "closure-unanswered": _all(_set("textesReponse", None), _set("cloture", {
        "codeCloture": "RET_AUT", "libelleCloture": "Retirée par l'auteur", "dateCloture": "2018-04-03", "infoJO": None})),
    "closure-reasons": _all(_set("textesReponse", None), _set("cloture.codeCloture", None),
                            _set("cloture.libelleCloture", "Décès du député")),
    "closure-empty": _set("cloture", {"codeCloture": None, "libelleCloture": NIL, "dateCloture": None, "infoJO": NIL}),
    "xmlns-keys": _all(_set("@xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                       _set("identifiant.@xmlns", "urn:x")),
}  # fmt: skip


@pytest.fixture(scope="module")
def base_record() -> Record:
    data = orjson.loads((SAMPLE / "questions" / "json" / "QANR5L15QE5807.json").read_bytes())
    record: Record = data["question"]
    return record


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_record_facts_on_mutated_records(
    name: str, base_record: Record, registry: Registry, lookups: references.Lookups
) -> None:
    record = copy.deepcopy(base_record)
    MUTATIONS[name](record)
    raw = RawQuestion(f"json/{name}.json", None, record)
    expected = _kg_triples([raw], registry)
    assert _difference(expected, _reference_triples([raw], lookups)) == ""


def test_mutations_reach_the_rare_facts(base_record: Record, registry: Registry) -> None:
    """The mutated records do exercise what they are meant to (else the test above proves little)."""
    raws = []
    for name, change in MUTATIONS.items():
        record = copy.deepcopy(base_record)
        change(record)
        raws.append(RawQuestion(f"json/{name}.json", None, record))
    found = {
        str(t.predicate).strip("<>").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        for t in _kg_triples(raws, registry)
    }
    for term in ("alternative", "erratum", "signalement", "filingDate", "renewal", "closureReason", "textHtml",
                 "previousAttribution", "answeringMinistry", "authorGroupMembership", "constituency",
                 "shortLabel", "norReference", "seeAlso", "sourcePath"):  # fmt: skip
        assert term in found, term


def test_a_missing_fact_is_caught(registry: Registry, lookups: references.Lookups) -> None:
    """The comparison is not vacuous: one fact less (or one too many) is reported."""
    raws = _raws(SAMPLE / "questions" / "json")[:3]
    expected = _kg_triples(raws, registry)
    found = _reference_triples(raws, lookups)
    assert _difference(expected, found) == ""
    assert _difference(expected, found[1:]).startswith("1 missing, 0 extra")
    assert _difference(expected, [*found, found[0]]).startswith("0 missing, 1 extra")

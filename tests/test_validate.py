"""kg.validation: the typed report and its formats, the inputs it reads, and what the build calls —
judge_questions on batches of the bundled sample (good records conform; bad ones are caught, each result
given to the right question, the same with both engines; the core rules of shapes 1.1.0 decide like the
SPARQL rules of 1.0.0 they replaced) and validate_registry."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import ExitCode, InputError
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.mapping_registry import RegistryMapper
from kg.models import Attribution, JOReference, Mandate, Person, Question, Text
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.validation.engines import fast_engine_available
from kg.validation.judging import FOLLOWED, ContextCache, judge_questions, judge_serialized
from kg.validation.report import (
    read_rdf_files,
    validate_files,
    validate_registry,
    validate_store,
    validate_triples,
)
from kg.validation.results import SHAPES_IRI, Engine, Severity, ValidationReport
from kg.validation.shapes import Shapes, load_shapes
from kg.vocab import SH
from tests.readers import read_questions

from .conftest import SHAPE_FIXTURES

SHAPES = SHAPE_FIXTURES
WORLD = [SHAPES / "registry.ttl", SHAPES / "written.ttl"]
SPARQL_RULES = SHAPES / "sparql-1.0.0"  # the two SHACL-SPARQL rules of shapes 1.0.0
needs_fast = pytest.mark.skipif(not fast_engine_available(), reason="shacl-rust not installed")
ENGINES = [Engine.PYSHACL, pytest.param(Engine.FAST, marks=needs_fast)]
FAST_OR_PYSHACL = Engine.FAST if fast_engine_available() else Engine.PYSHACL


# ------------------------------------------------------------------ the report


@pytest.fixture(scope="module")
def defective() -> ValidationReport:
    """The written world with two defects: an answer dated before the question, an unknown JO type."""
    triples = read_rdf_files(WORLD)
    question = ox.NamedNode("https://w3id.org/hemicycle/question/QANR5L15QE20618")
    answer_date = ox.NamedNode("https://w3id.org/hemicycle/ontology#answerDate")
    jo_type = ox.NamedNode("https://w3id.org/hemicycle/ontology#joType")
    kept = [t for t in triples if not (t.subject == question and t.predicate == answer_date)]
    kept.append(
        ox.Triple(question, answer_date, ox.Literal("2019-01-01", datatype=ox.NamedNode(str(_XSD_DATE))))
    )
    kept.append(ox.Triple(ox.NamedNode(question.value + "/renewal/1"), jo_type, ox.Literal("JO_AUTRE")))
    return validate_triples(kept, engine=Engine.PYSHACL)


_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def test_report_keeps_every_field_and_counts_by_severity(defective: ValidationReport) -> None:
    assert not defective.conforms and defective.exit_code is ExitCode.NOT_CONFORMING
    # the renewal now has two JO types: one too many (violation), one unknown (warning)
    assert (defective.violations, defective.warnings) == (2, 1)
    violation = next(
        r for r in defective.results if r.shape_name == "hcsh:Question-answered-after-publication"
    )
    assert violation.source_shape == SHAPES_IRI + "Question-answered-after-publication"
    assert violation.focus_node == "https://w3id.org/hemicycle/question/QANR5L15QE20618"
    assert violation.path == "hc:publicationDate"
    assert violation.value == f'"2019-06-18"^^<{_XSD_DATE}>'
    assert violation.component == str(SH.LessThanOrEqualsConstraintComponent)
    assert violation.message_fr and violation.message_en and violation.engine_message
    line = violation.one_line("json/QANR5L15QE20618.json", "QANR5L15QE20618")
    assert line.startswith("json/QANR5L15QE20618.json [QANR5L15QE20618]: hc:publicationDate = ")
    assert "hcsh:Question-answered-after-publication" in line and "\n" not in line


def test_report_as_json_turtle_and_table(defective: ValidationReport) -> None:
    data = json.loads(defective.to_json())
    assert data["conforms"] is False and data["violations"] == 2 and len(data["results"]) == 3
    assert {"focus_node", "path", "value", "source_shape", "component", "severity"} <= set(data["results"][0])
    graph = Graph().parse(data=defective.to_turtle(), format="turtle")
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 3
    assert len(list(graph.objects(None, SH.resultMessage))) == 6  # French and English for each
    assert defective.to_table().row_count == 3


def test_conforming_files_and_exit_code() -> None:
    report = validate_files(WORLD, engine=Engine.PYSHACL)
    assert report.conforms and report.results == () and report.exit_code is ExitCode.OK
    assert report.triples > 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.ttl", None, "no such file"),
        ("data.csv", "a,b\n", "unknown RDF file type"),
        ("broken.ttl", "<a> <b> .\n", "not valid"),
    ],
)
def test_bad_input_names_the_file(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        validate_files([path])
    assert str(path) in str(error.value) and message in str(error.value)
    assert error.value.exit_code == ExitCode.BAD_INPUT


def test_quads_of_several_graphs_are_merged(tmp_path: Path) -> None:
    """N-Quads input: the question in one graph, the registry in another, validated as one graph."""
    nq = tmp_path / "world.nq"
    graph = {t for t in read_rdf_files(WORLD)}
    half = len(graph) // 2
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"urn:graph:{n < half}"))
        for n, t in enumerate(sorted(graph, key=str))
    ]
    nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    assert validate_files([nq], engine=FAST_OR_PYSHACL).results == ()


# ------------------------------------------------------------------ the build's side: batches of questions


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([SAMPLE_REGISTRY])


@pytest.fixture(scope="module")
def sample() -> list[Question]:
    return [q for q in read_questions(SAMPLE_QUESTIONS) if isinstance(q, Question)]


@pytest.fixture(scope="module")
def registry_store(registry: Registry) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(RegistryMapper(registry, Minter()).quads())
    return store


def _map(registry: Registry, questions: list[Question]) -> dict[str, list[ox.Quad]]:
    mapper = QuestionMapper(registry, Minter())
    return {q.uid: mapper.map(q) for q in questions}


def _shifted(jo: JOReference | None, days: int) -> JOReference | None:
    if jo is None or jo.date is None:
        return jo
    return dataclasses.replace(jo, date=jo.date + timedelta(days=days))


def _by_uid(questions: list[Question], uid: str) -> Question:
    return next(q for q in questions if q.uid == uid)


def test_sample_questions_conform_in_batches(registry: Registry, sample: list[Question]) -> None:
    """The build's way: a batch is judged, then written; the next batch's context is the store so far."""
    store = ox.Store()
    store.bulk_extend(RegistryMapper(registry, Minter()).quads())
    batches = _map(registry, sample)
    uids = sorted(batches)
    seen: dict[str, list[str]] = {}
    for part in (uids[:20], uids[20:]):
        batch = {uid: batches[uid] for uid in part}
        verdicts = judge_questions(batch, store, engine=FAST_OR_PYSHACL)
        assert set(verdicts) == set(part)
        seen.update({uid: [r.shape_name for r in results] for uid, results in verdicts.items() if results})
        store.bulk_extend(q for quads in batch.values() for q in quads)
    # the one finding of the sample: a closure code the sample invented (see kg/data/sample/SOURCES.md)
    assert seen == {"QANR5L15QE36144": ["hcsh:Closure-code-known"]}


def _bad_records(sample: list[Question]) -> dict[str, tuple[Question, str]]:
    """Copies of sample records, each with one defect, and the shape that must catch it."""
    answered = _by_uid(sample, "QANR5L15QE5807")
    reattributed = _by_uid(sample, "QANR5L15QE27219")
    grouped = _by_uid(sample, "QANR5L15QE40439")
    early = dataclasses.replace(
        answered,
        uid="QANR5L15QE5808",
        number=5808,
        answer_texts=tuple(dataclasses.replace(t, jo=_shifted(t.jo, -200)) for t in answered.answer_texts),
    )
    first, second = reattributed.attributions[0], reattributed.attributions[1]
    swapped = dataclasses.replace(
        reattributed,
        uid="QANR5L15QE27220",
        number=27220,
        attributions=(
            dataclasses.replace(first, jo=_shifted(first.jo, 200)),
            dataclasses.replace(second, jo=second.jo),
        ),
    )
    wrong_group = dataclasses.replace(
        grouped,
        uid="QANR5L15QE40440",
        number=40440,
        author=dataclasses.replace(
            grouped.author,
            group=dataclasses.replace(grouped.author.group, uid="PO730958") if grouped.author.group else None,
        ),
    )
    late_text = Text(html="Question republiée.", jo=JOReference(kind="JO_QUESTION", date=date(2023, 1, 10)))
    out_of_term = dataclasses.replace(
        answered, uid="QANR5L15QE5809", number=5809, question_texts=(late_text, *answered.question_texts[1:])
    )
    return {
        early.uid: (early, "hcsh:Question-answered-after-publication"),
        swapped.uid: (swapped, "hcsh:Attribution-in-order"),
        wrong_group.uid: (wrong_group, "hcsh:Question-author-member-on-date"),
        out_of_term.uid: (out_of_term, "hcsh:Question-within-legislature"),
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mix_of_good_and_bad_records(
    registry: Registry, registry_store: ox.Store, sample: list[Question], engine: Engine
) -> None:
    bad = _bad_records(sample)
    good = [_by_uid(sample, uid) for uid in ("QANR5L15QE5807", "QANR5L15QE27219", "QANR5L15QE40439")]
    good += [q for q in sample if q.uid in ("QANR5L15QG4108", "QANR5L17QOSD612", "QANR5L16QE2268")]
    verdicts = judge_questions(
        _map(registry, good + [q for q, _ in bad.values()]), registry_store, engine=engine
    )
    for question in good:
        assert [r.one_line() for r in verdicts[question.uid]] == []
    for uid, (_, shape) in bad.items():
        violations = {r.shape_name for r in verdicts[uid] if r.severity is Severity.VIOLATION}
        assert shape in violations, f"{uid}: {violations}"


def test_both_engines_judge_the_bad_records_alike(
    registry: Registry, registry_store: ox.Store, sample: list[Question]
) -> None:
    if not fast_engine_available():
        pytest.skip("shacl-rust not installed")
    batch = _map(registry, [q for q, _ in _bad_records(sample).values()])
    slow = judge_questions(batch, registry_store, engine=Engine.PYSHACL)
    fast = judge_questions(batch, registry_store, engine=Engine.FAST)
    assert {u: [r.key() for r in rs] for u, rs in slow.items()} == {
        u: [r.key() for r in rs] for u, rs in fast.items()
    }


def test_a_registry_node_result_goes_to_the_question_it_concerns(
    registry: Registry, registry_store: ox.Store, sample: list[Question]
) -> None:
    """Two questions under one mandate, one dated after the mandate's end: only that one is blamed."""
    withdrawn = _by_uid(sample, "QANR5L15QE31204")  # mandate PM722528 ended 2020-09-30
    mandate = registry.mandate(withdrawn.author.mandate_uid or "")
    assert mandate is not None and mandate.end == date(2020, 9, 30)
    late = dataclasses.replace(
        withdrawn,
        uid="QANR5L15QE31205",
        number=31205,
        question_texts=(Text(html="Texte.", jo=JOReference(kind="JO_QUESTION", date=date(2020, 11, 3))),),
        attributions=(),
        closure=None,
    )
    verdicts = judge_questions(_map(registry, [withdrawn, late]), registry_store, engine=FAST_OR_PYSHACL)
    # as the build judges them, by their N-Quads and links: narrowing the result parses their quads back
    mapper = QuestionMapper(registry, Minter())
    parts = {q.uid: mapper.map_parts(q) for q in (withdrawn, late)}
    nquads = {
        uid: ox.serialize(p.own + p.shared, None, ox.RdfFormat.N_QUADS) or b"" for uid, p in parts.items()
    }
    links = {uid: p.links + p.shared for uid, p in parts.items()}
    assert judge_serialized(nquads, links, registry_store, engine=FAST_OR_PYSHACL) == verdicts
    assert verdicts[withdrawn.uid] == []
    late_results = [r for r in verdicts[late.uid] if r.shape_name == "hcsh:Mandate-ended-after-questions"]
    assert [r.focus_node for r in late_results] == ["https://w3id.org/hemicycle/mandate/PM722528"]
    assert late_results[0].value == f'"2020-11-03"^^<{_XSD_DATE}>'


def test_a_context_cache_kept_between_batches_judges_like_a_fresh_read(
    registry: Registry, sample: list[Question]
) -> None:
    """A build's worker keeps what it read of the context from batch to batch; the context grows between
    batches, and what it gains about a node already read must be judged (here: a second end date of the
    author's mandate, which only the new statement makes wrong)."""
    store = ox.Store()
    store.bulk_extend(RegistryMapper(registry, Minter()).quads())
    author = _by_uid(sample, "QANR5L15QE31204")
    again = dataclasses.replace(author, uid="QANR5L15QE31205", number=31205)  # the same author and mandate
    first = _map(registry, [q for q in sample if q.uid != author.uid] + [author])
    second = _map(registry, [again])
    cache = ContextCache()
    assert judge_questions(first, store, engine=FAST_OR_PYSHACL, cache=cache) == judge_questions(
        first, store, engine=FAST_OR_PYSHACL
    )
    mandate = Minter().mandate(author.author.mandate_uid or "")
    assert mandate in cache.nodes  # the first batch read the mandate: a stale copy could be used
    before = judge_questions(second, store, engine=FAST_OR_PYSHACL, cache=cache)
    added = [
        ox.Quad(
            mandate,
            ox.NamedNode("https://schema.org/endDate"),
            ox.Literal("2030-01-01", datatype=ox.NamedNode(_XSD_DATE)),
            Minter().registry_graph("acteurs"),
        )
    ]
    store.extend(added)
    cache.forget(added)
    after = judge_questions(second, store, engine=FAST_OR_PYSHACL, cache=cache)
    assert after == judge_questions(second, store, engine=FAST_OR_PYSHACL)
    assert "hcsh:Membership-endDate" in {r.shape_name for r in after[again.uid]}
    assert before != after


@pytest.mark.parametrize("with_registry", [True, False], ids=["registry", "no registry"])
def test_the_links_the_mapper_records_hold_all_that_judging_follows(
    registry: Registry, sample: list[Question], with_registry: bool
) -> None:
    """The build gathers a question's context from the links the mapper recorded (QuestionQuads.links), not
    from a scan of its ~70 quads: they hold every quad of its graph the scan would follow, and the verdicts
    are the same (the sample and the variants of the group rules; without a registry, authors and organes
    known only by name)."""
    questions, changed, _ = _variants(sample, registry)
    used = changed if with_registry else Registry.empty()
    mapper = QuestionMapper(used, Minter())
    batch: dict[str, list[ox.Quad]] = {}
    links: dict[str, list[ox.Quad]] = {}
    for question in questions:
        own, shared, linked = mapper.map_parts(question)
        assert set(linked) <= set(own), question.uid
        followed = {q for q in own if q.predicate in FOLLOWED and isinstance(q.object, ox.NamedNode)}
        assert followed and followed <= set(linked), question.uid
        batch[question.uid], links[question.uid] = own + shared, linked + shared
    context = ox.Store()
    context.bulk_extend(RegistryMapper(used, Minter()).quads())
    expected = judge_questions(batch, context, engine=FAST_OR_PYSHACL)
    assert judge_questions(batch, context, engine=FAST_OR_PYSHACL, links=links) == expected
    # as the build judges them: their N-Quads and links alone
    nquads = {uid: ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"" for uid, quads in batch.items()}
    assert judge_serialized(nquads, links, context, engine=FAST_OR_PYSHACL) == expected
    # a link left out is a registry node not brought in: the verdicts then differ (the test can fail)
    if with_registry:
        creator = ox.NamedNode("http://purl.org/dc/terms/creator")
        blind = {uid: [q for q in quads if q.predicate != creator] for uid, quads in links.items()}
        assert judge_questions(batch, context, engine=FAST_OR_PYSHACL, links=blind) != judge_questions(
            batch, context, engine=FAST_OR_PYSHACL
        )


def test_without_a_registry_links_are_checked_by_pattern_only(sample: list[Question]) -> None:
    """kg build without registries: the mapping describes what the questions name (graph/mentions)."""
    verdicts = judge_questions(_map(Registry.empty(), sample[:5]), None, engine=FAST_OR_PYSHACL)
    for results in verdicts.values():
        assert all(r.severity is not Severity.VIOLATION for r in results), [r.one_line() for r in results]


def test_registry_of_the_sample(registry_store: ox.Store) -> None:
    report = validate_registry(registry_store, engine=FAST_OR_PYSHACL)
    assert report.conforms
    # the sample's real registry records one committee appointment that ends the day before it starts
    assert [(r.shape_name, r.focus_node) for r in report.results] == [
        ("hcsh:Membership-start-before-end", "https://w3id.org/hemicycle/mandate/PM775070")
    ]


def test_the_shipped_shapes_are_core_shacl() -> None:
    """No sh:sparql in the published shapes: the fast engine validates everything in one pass."""
    shapes = load_shapes()
    assert not any(info.constraints and "sparql" in info.constraints for info in shapes.info.values())
    assert shapes.fast_plan is not None and shapes.fast_plan.sparql_turtle is None


@pytest.fixture(scope="module")
def sparql_rules() -> Shapes:
    return load_shapes(SPARQL_RULES)


@needs_fast
def test_fast_engine_splits_sparql_shapes_without_changing_results(sparql_rules: Shapes) -> None:
    """User shapes may still use SPARQL: the fast engine runs them apart on the predicates they use, and
    gives pySHACL's results (the 1.0.0 rule on attributions out of date order)."""
    assert sparql_rules.fast_plan is not None and sparql_rules.fast_plan.sparql_turtle is not None
    used = {p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in sparql_rules.fast_plan.sparql_predicates}
    assert {"authorGroup", "ministry", "order", "organeType", "startDate", "endDate", "type"} <= used
    world = read_rdf_files(WORLD)
    assert validate_triples(world, engine=Engine.FAST, shapes=sparql_rules).results == ()
    attribution = ox.NamedNode("https://w3id.org/hemicycle/question/QANR5L15QE20618/attribution/1")
    date_of = ox.NamedNode("http://purl.org/dc/terms/date")
    late = ox.Literal("2019-09-20", datatype=ox.NamedNode(_XSD_DATE))
    swapped = [t for t in world if not (t.subject == attribution and t.predicate == date_of)]
    swapped.append(ox.Triple(attribution, date_of, late))
    fast = validate_triples(swapped, engine=Engine.FAST, shapes=sparql_rules)
    slow = validate_triples(swapped, engine=Engine.PYSHACL, shapes=sparql_rules)
    assert [r.key() for r in fast.results] == [r.key() for r in slow.results]
    assert [(r.shape_name, r.value) for r in fast.results] == [
        ("hcsh:Attribution-in-order", "<https://w3id.org/hemicycle/question/QANR5L15QE20618/attribution/2>")
    ]


# ------------------------------------------------------------------ 1.1.0 decides like the SPARQL rules of 1.0.0

#: the shapes of 1.1.0 that replace hcsh:Attribution-in-order and hcsh:ParliamentaryGroup-members-on-date
CORE_RULES = {
    "hcsh:Attribution-in-order",
    "hcsh:Attribution-previousAttribution",
    "hcsh:Attribution-previous-ranked-lower",
    "hcsh:Question-authorGroupMembership",
    "hcsh:Question-author-member-on-date",
    "hcsh:Question-groupMembership-member",
    "hcsh:Question-groupMembership-group",
    "hcsh:Question-groupMembership-begun",
    "hcsh:GroupMembership-ended-after-questions",
}


UNDATED_BETWEEN = "QANR5L16QE2274"  # see _variants
#: shapes 1.2.0: a group named by its label only (the fallback IRI organe/unresolved/…) is a warning
#: (hcsh:Question-authorGroup-resolved), no longer a membership violation: the question is not lost
LABEL_ONLY_GROUP = "QANR5L15QE5808"


def _with_group_mandates(registry: Registry, changes: dict[str, dict[str, object] | None]) -> Registry:
    """A copy of the registry where the GP mandates named in ``changes`` (by uid) are changed, or dropped
    when the change is None."""
    persons: dict[str, Person] = {}
    for uid, person in registry.persons.items():
        mandates: list[Mandate] = []
        for mandate in person.mandates:
            if mandate.uid not in changes:
                mandates.append(mandate)
            elif (change := changes[mandate.uid]) is not None:
                mandates.append(dataclasses.replace(mandate, **change))  # type: ignore[arg-type]
        persons[uid] = dataclasses.replace(person, mandates=tuple(mandates))
    return Registry(persons, registry.organes)


def _dated(attribution: Attribution, day: date | None) -> Attribution:
    jo = attribution.jo or JOReference(kind="JO_QUESTION")
    return dataclasses.replace(attribution, jo=dataclasses.replace(jo, date=day))


def _variants(sample: list[Question], registry: Registry) -> tuple[list[Question], Registry, dict[str, bool]]:
    """Questions and a registry made to test both rules, and whether each question breaks one of them."""
    by_uid = {q.uid: q for q in sample}
    gp_of = {m.uid: m for p in registry.persons.values() for m in p.mandates if m.organe_type == "GP"}
    changes: dict[str, dict[str, object] | None] = {
        # QE75312: the author's GP memberships all dropped — nothing to check, conforms
        **{uid: None for uid, m in gp_of.items() if m.person_uid == "PA608695"},
        "PM708184": {"end": date(2016, 1, 18)},  # QE92417 (2016-01-19): ended the day before
        "PM656597": {"start": date(2017, 1, 18)},  # QE101904 (2017-01-17): begun the day after
        "PM696540": {"start": None},  # QE95870: no start date
        "PM758869": {"end": date(2020, 3, 2)},  # QE27219: one of its two memberships ended, the other holds
        "PM759911": {"end": date(2019, 2, 5)},  # QE16233 (2019-02-05): ended that very day
    }
    changed = _with_group_mandates(registry, changes)
    reattributed, three = by_uid["QANR5L15QE27219"], by_uid["QANR5L16QE2268"]
    first, second, third = three.attributions

    def copy(base: Question, number: int, **fields: object) -> Question:
        uid = base.uid.removesuffix(str(base.number)) + str(number)
        return dataclasses.replace(base, uid=uid, number=number, **fields)  # type: ignore[arg-type]

    def grouped(base: Question, number: int, uid: str | None) -> Question:
        assert base.author.group is not None
        author = dataclasses.replace(base.author, group=dataclasses.replace(base.author.group, uid=uid))
        return copy(base, number, author=author)

    day = date(2022, 10, 4)
    questions = {
        copy(
            reattributed,
            27220,
            attributions=(
                _dated(reattributed.attributions[0], date(2020, 9, 1)),
                reattributed.attributions[1],
            ),
        ): True,
        copy(three, 2269, attributions=(first, _dated(second, date(2023, 1, 7)), third)): True,
        copy(three, 2270, attributions=(first, second, _dated(third, date(2022, 10, 4)))): True,
        copy(three, 2271, attributions=(first, _dated(second, day), _dated(third, day))): False,
        copy(three, 2272, attributions=(first, _dated(second, None), third)): False,
        copy(three, 2273, attributions=(_dated(first, None), second, _dated(third, date(2022, 11, 1)))): True,
        # the one difference: an undated attribution between two dated ones interrupts the chain of
        # hc:previousAttribution, so the third (2022-10-01) is not compared with the first (2022-10-04)
        copy(three, 2274, attributions=(first, _dated(second, None), _dated(third, date(2022, 10, 1)))): True,
        grouped(by_uid["QANR5L15QE40439"], 40440, uid="PO730958"): True,  # a group the author never joined
        grouped(by_uid["QANR5L15QE5807"], 5808, uid=None): True,  # named by its label only
        grouped(by_uid["QANR5L15QE18402"], 18403, uid="PO730017"): False,  # not a group: the rule skips it
        by_uid["QANR5L14QE75312"]: False,
        by_uid["QANR5L14QE92417"]: True,
        by_uid["QANR5L14QE101904"]: True,
        by_uid["QANR5L14QE95870"]: True,
        by_uid["QANR5L15QE27219"]: False,
        by_uid["QANR5L15QE16233"]: False,
        by_uid["QANR5L15QE20618"]: False,
    }
    return list(questions), changed, {q.uid: broken for q, broken in questions.items()}


@pytest.mark.parametrize("engine", ENGINES)
def test_core_rules_decide_like_the_sparql_rules_they_replace(
    registry: Registry, sample: list[Question], sparql_rules: Shapes, engine: Engine
) -> None:
    questions, changed, broken = _variants(sample, registry)
    context = ox.Store()
    context.bulk_extend(RegistryMapper(changed, Minter()).quads())
    batch = _map(changed, questions)
    before = judge_questions(batch, context, engine=engine, shapes=sparql_rules)
    after = judge_questions(batch, context, engine=engine)
    old = {uid: any(r.severity is Severity.VIOLATION for r in results) for uid, results in before.items()}
    new = {
        uid: any(r.severity is Severity.VIOLATION and r.shape_name in CORE_RULES for r in results)
        for uid, results in after.items()
    }
    assert old == broken, "the variants do not test what they say"
    assert {uid for uid in new if new[uid] != old[uid]} == {UNDATED_BETWEEN, LABEL_ONLY_GROUP}
    assert any(r.shape_name == "hcsh:Question-authorGroup-resolved" for r in after[LABEL_ONLY_GROUP])
    # the results are the questions' own (the question's or its attributions'), never another question's
    for uid, results in after.items():
        assert all(uid in r.focus_node for r in results if r.shape_name in CORE_RULES), uid


def _last_segment(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    assert isinstance(term, ox.NamedNode)
    return term.value.rsplit("/", 1)[-1]


def test_group_membership_link_is_the_one_valid_on_the_date(
    registry: Registry, sample: list[Question]
) -> None:
    """The mapping links the GP membership of the question's group valid on its date; of two, the latest
    started (then the greatest uid); none when the author never belonged to the group."""
    link = ox.NamedNode("https://w3id.org/hemicycle/ontology#authorGroupMembership")
    previous = ox.NamedNode("https://w3id.org/hemicycle/ontology#previousAttribution")
    questions, changed, _ = _variants(sample, registry)
    mapped = _map(changed, questions)
    linked = {
        uid: [_last_segment(q.object) for q in quads if q.predicate == link] for uid, quads in mapped.items()
    }
    assert linked["QANR5L15QE20618"] == ["PM731522"]
    assert linked["QANR5L15QE27219"] == ["PM758858"]  # PM758869 ended the day before (in this registry)
    assert linked["QANR5L15QE16233"] == ["PM759911"]  # ends on the question's date: still valid
    for uid in ("QANR5L14QE75312", "QANR5L14QE92417", "QANR5L14QE101904", "QANR5L14QE95870"):
        assert linked[uid] == [], uid
    assert linked["QANR5L15QE40440"] == [] and linked["QANR5L15QE5808"] == []
    original = _map(registry, [q for q in sample if q.uid == "QANR5L15QE27219"])
    assert [_last_segment(q.object) for q in original["QANR5L15QE27219"] if q.predicate == link] == [
        "PM758869"  # both valid on 2020-03-03: the one started last
    ]
    chain = sorted(
        (_last_segment(q.subject), _last_segment(q.object))
        for q in _map(registry, [q for q in sample if q.uid == "QANR5L16QE2268"])["QANR5L16QE2268"]
        if q.predicate == previous
    )
    assert chain == [("2", "1"), ("3", "2")]


def _store_quads(store: ox.Store) -> Iterator[ox.Quad]:
    yield from store.quads_for_pattern(None, None, None, None)


def test_validate_store_reads_every_graph(registry_store: ox.Store) -> None:
    copy = ox.Store()
    copy.bulk_extend(_store_quads(registry_store))
    report = validate_store(copy, engine=FAST_OR_PYSHACL)
    assert report.triples == len(copy) and report.conforms


@pytest.mark.parametrize("engine", ENGINES)
def test_a_question_answers_for_the_memberships_it_names_only(
    registry: Registry, sample: list[Question], engine: Engine
) -> None:
    """The author's other group memberships are read (does the registry give them any?), not judged with the
    question: a defect of one is the registry's, reported once by its validation, not on every question."""
    question = _by_uid(sample, "QANR5L15QE27219")  # names PM758869; its author also has PM758858
    other = registry.mandate("PM758858")
    assert other is not None and other.start is not None and other.organe_type == "GP"
    broken = _with_group_mandates(registry, {"PM758858": {"end": other.start - timedelta(days=1)}})
    context = ox.Store()
    context.bulk_extend(RegistryMapper(broken, Minter()).quads())
    batch = _map(broken, [question])
    named = [q.object for q in batch[question.uid] if q.predicate.value.endswith("#authorGroupMembership")]
    assert [_last_segment(n) for n in named] == ["PM758869"]
    assert judge_questions(batch, context, engine=engine)[question.uid] == []
    defects = validate_registry(context, engine=engine).results
    assert ("hcsh:Membership-start-before-end", "https://w3id.org/hemicycle/mandate/PM758858") in {
        (r.shape_name, r.focus_node) for r in defects
    }


def test_the_fast_engine_reads_the_quads_already_serialised(
    registry: Registry, registry_store: ox.Store, sample: list[Question]
) -> None:
    """The build hands each question's N-Quads (made for the store) to the judge: the same verdicts as from
    the quads, and the bytes are what the engine reads (an empty serialisation loses every finding)."""
    if not fast_engine_available():
        pytest.skip("shacl-rust not installed")
    batch = _map(registry, [q for q, _ in _bad_records(sample).values()] + sample[:10])
    serialized = {uid: ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"" for uid, quads in batch.items()}
    plain = judge_questions(batch, registry_store, engine=Engine.FAST)
    read = judge_questions(batch, registry_store, engine=Engine.FAST, serialized=serialized)
    assert any(plain.values())
    assert {u: [r.key() for r in rs] for u, rs in read.items()} == {
        u: [r.key() for r in rs] for u, rs in plain.items()
    }
    blank = judge_questions(batch, registry_store, engine=Engine.FAST, serialized=dict.fromkeys(batch, b""))
    assert {u: [r.key() for r in rs] for u, rs in blank.items()} != {
        u: [r.key() for r in rs] for u, rs in plain.items()
    }

"""bench/generate and bench/corpus.py: synthetic corpora in every official layout, read back by the real readers.

Everything runs on the bundled sample registry (never on ../shared): the generated questions must be consistent
with it (mandates, groups and ministries valid at the question's dates), read back without errors in every
layout, be byte-identical for the same seed, and show the mix of variants the benchmarks rely on.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench import corpus
from kg.models import Question, SourceRef
from kg.registry import Registry, load_registry
from kg.report import Diagnostic
from kg.sources.question_decode import decode_question_file
from kg.sources.questions import parse_question
from kg.sources.values import parse_date
from tests.readers import read_questions

REPO = Path(__file__).resolve().parent.parent
SAMPLE_REGISTRY = REPO / "kg" / "data" / "sample" / "registry"
REFERENCE = REPO / "kg" / "data" / "sample" / "questions" / "json" / "QANR5L15QE40439.json"
SMOKE = 200  # questions per layout
MIX = 3000  # questions for the mix and the consistency checks (generation only: fast)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([SAMPLE_REGISTRY])


@pytest.fixture(scope="module")
def smoke(registry: Registry) -> list[dict[str, Any]]:
    return list(corpus.generate(SMOKE, 42, registry))


@pytest.fixture(scope="module")
def many(registry: Registry) -> list[dict[str, Any]]:
    return list(corpus.generate(MIX, 7, registry))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ layouts


@pytest.mark.parametrize("layout", corpus.LAYOUTS)
def test_every_layout_reads_back_without_errors(
    layout: str, smoke: list[dict[str, Any]], tmp_path: Path
) -> None:
    stats = corpus.write_corpus(iter(smoke), layout, tmp_path)
    assert stats.records == SMOKE
    assert stats.bytes == sum(len(b) for b in _files(tmp_path).values())

    questions: list[Question] = []
    diagnostics: list[Diagnostic] = []
    for item in read_questions(tmp_path):
        if isinstance(item, Question):
            questions.append(item)
        else:
            diagnostics.append(item)
    assert [d.one_line() for d in diagnostics if d.severity == "error"] == []
    assert sorted(q.uid for q in questions) == sorted(r["uid"] for r in smoke)
    # the only warning expected: the closure code RET_AUT ('Retirée par l'auteur') has not been seen in real data
    withdrawn = {r["uid"] for r in smoke if "withdrawn-by-author" in corpus.variants(r)}
    assert {d.record for d in diagnostics} == withdrawn
    assert {d.code for d in diagnostics} <= {"unknown-closure-code"}


def test_layout_file_names(smoke: list[dict[str, Any]], tmp_path: Path) -> None:
    corpus.write_corpus(iter(smoke), "zip", tmp_path / "zip")
    corpus.write_corpus(iter(smoke), "single-xml", tmp_path / "xml")
    names = {p.name for p in (tmp_path / "zip").iterdir()}
    assert "Questions_ecrites_XV.json.zip" in names
    assert {n.split("_")[1] for n in names} == {"ecrites", "orales", "gouvernement"}
    head = (tmp_path / "xml" / "Questions_ecrites_XV.xml").read_bytes()[:200].decode()
    assert '<questionsEcrites xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' in head
    assert "schemas.assemblee-nationale.fr" not in head  # the single-file layout has no namespace


@pytest.mark.parametrize("layout", corpus.LAYOUTS)
def test_same_seed_gives_identical_files(layout: str, registry: Registry, tmp_path: Path) -> None:
    corpus.write_corpus(corpus.generate(SMOKE, 42, registry), layout, tmp_path / "a")
    corpus.write_corpus(corpus.generate(SMOKE, 42, registry), layout, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_gives_another_corpus(registry: Registry, smoke: list[dict[str, Any]]) -> None:
    other = list(corpus.generate(SMOKE, 43, registry))
    assert [r["uid"] for r in other] != [r["uid"] for r in smoke] or other != smoke


def test_json_and_xml_parse_to_the_same_questions(smoke: list[dict[str, Any]]) -> None:
    blank = SourceRef(path="", sha256="")
    for record in smoke:
        (raw_json,) = decode_question_file("q.json", orjson.dumps({"question": record}))
        (raw_xml,) = decode_question_file("q.xml", corpus.record_to_xml(record).encode())
        from_json, warnings_json = parse_question(raw_json)
        from_xml, warnings_xml = parse_question(raw_xml)
        assert dataclasses.replace(from_json, source=blank) == dataclasses.replace(from_xml, source=blank)
        assert [w.code for w in warnings_json] == [w.code for w in warnings_xml]


# ------------------------------------------------------------------ shape


def _keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            out.add(prefix + key)
            out |= _keys(item, f"{prefix}{key}.")
        return out
    if isinstance(value, list):
        return set().union(*(_keys(item, prefix) for item in value))
    return set()


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _scalars(item)]
    if isinstance(value, list):
        return [s for item in value for s in _scalars(item)]
    return [value]


def test_records_have_the_official_shape(many: list[dict[str, Any]]) -> None:
    reference = orjson.loads(REFERENCE.read_bytes())["question"]
    top = list(reference)
    for record in many:
        assert list(record) == top
        assert all(s is None or isinstance(s, str) for s in _scalars(record))
        for block in ("identifiant", "indexationAN", "auteur"):
            assert list(record[block]) == list(reference[block])
    # every key of the reference appears in the corpus (with the answer, signalement… keys of other variants)
    assert _keys(reference) - {k for r in many for k in _keys(r)} == set()


def test_uids_numbers_and_dates(many: list[dict[str, Any]]) -> None:
    last: dict[tuple[str, str], tuple[int, date]] = {}
    for record in many:
        match = re.fullmatch(r"QANR5L(\d+)(QE|QOSD|QG)(\d+)", record["uid"])
        assert match, record["uid"]
        leg, qtype, number = match.group(1), match.group(2), int(match.group(3))
        assert (leg, qtype, str(number)) == (
            record["identifiant"]["legislature"],
            record["type"],
            record["identifiant"]["numero"],
        )
        published = _published(record)
        previous = last.get((leg, qtype))
        if previous is not None:  # numbers increase with the publication date
            assert number == previous[0] + 1 and published >= previous[1], record["uid"]
        else:
            assert number == 1
        last[(leg, qtype)] = (number, published)
        for value in corpus._dates(record):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", value)
            if "/" in value:
                assert leg == "15", record["uid"]


# ------------------------------------------------------------------ consistency with the registry


def _day(value: str | None) -> date | None:
    return parse_date(value) if value else None


def _many_of(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _published(record: dict[str, Any]) -> date:
    if record["type"] == "QG":
        found = _day(record["textesReponse"]["texteReponse"]["infoJO"]["dateJO"])
    else:
        found = _day(_many_of(record["textesQuestion"]["texteQuestion"])[0]["infoJO"]["dateJO"])
    assert found is not None
    return found


def _check_ministry(registry: Registry, mention: dict[str, Any], day: date, uid: str) -> None:
    organe = registry.organe(mention["organeRef"])
    assert organe is not None and organe.code_type == "MINISTERE", uid
    assert organe.valid_on(day), f"{uid}: {organe.uid} not valid on {day}"
    assert (mention["abrege"], mention["developpe"]) == (organe.short_label, organe.label), uid


def test_questions_are_consistent_with_the_registry(registry: Registry, many: list[dict[str, Any]]) -> None:
    for record in many:
        uid, qtype = record["uid"], record["type"]
        legislature = int(record["identifiant"]["legislature"])
        published = _published(record)
        assert published <= corpus.CORPUS_END

        # the author's deputy mandate is valid on the publication day (from taking office), in that legislature
        identity = record["auteur"]["identite"]
        mandate = registry.mandate(identity["mandatRef"])
        assert mandate is not None and mandate.person_uid == identity["acteurRef"], uid
        assert mandate.organe_type == "ASSEMBLEE" and mandate.legislature == legislature, uid
        assert mandate.valid_on(published), uid
        if mandate.term is not None and mandate.term.taking_office is not None:
            assert mandate.term.taking_office <= published, uid
        assert registry.assembly_mandate_on(mandate.person_uid, published, legislature) == mandate, uid

        # the group is the membership valid that day, with the group organe's labels
        membership = registry.group_membership_on(mandate.person_uid, published)
        group = record["auteur"]["groupe"]
        assert membership is not None and membership.organe_uids[0] == group["organeRef"], uid
        organe = registry.organe(group["organeRef"])
        assert organe is not None and organe.code_type == "GP" and organe.valid_on(published), uid
        assert (group["abrege"], group["developpe"]) == (organe.abbreviation, organe.label), uid

        # ministries: valid on the publication / attribution day, each attribution a different ministry, in order
        _check_ministry(registry, record["minInt"], published, uid)
        attributions = _many_of(record["minAttribs"]["minAttrib"])
        previous_day, previous_ministry = published, None
        for position, attribution in enumerate(attributions):
            when = _day(attribution["infoJO"]["dateJO"])
            if qtype == "QG":
                assert when is None and attribution["infoJO"]["typeJO"] == "JO_DEBAT", uid
                when = published
            assert when is not None and when >= previous_day, uid
            if position == 0:
                assert when == published, uid
            _check_ministry(registry, attribution["denomination"], when, uid)
            assert attribution["denomination"]["organeRef"] != previous_ministry, uid
            previous_day, previous_ministry = when, attribution["denomination"]["organeRef"]

        # life cycle
        closure = record["cloture"]
        answers = _many_of((record["textesReponse"] or {}).get("texteReponse"))
        end = mandate.end
        answered: date | None = None
        if answers:
            answered = _day(answers[0]["infoJO"]["dateJO"])
            assert answered is not None and closure["codeCloture"] == "REP_PUB", uid
            assert _day(closure["dateCloture"]) == answered and answered >= previous_day, uid
            assert end is None or answered <= end, uid
            delay = (answered - published).days
            expected = {"QE": range(30, 366), "QOSD": range(7, 8), "QG": range(0, 1)}[qtype]
            assert delay in expected, f"{uid}: answered after {delay} days"
            kind = "JO_QUESTION" if qtype == "QE" else "JO_DEBAT"
            assert answers[0]["infoJO"]["typeJO"] == kind, uid
        elif closure is None:
            assert end is None or end > corpus.CORPUS_END, f"{uid}: open although the mandate ended"
        elif closure["libelleCloture"] == "Fin de mandat":
            assert closure["codeCloture"] is None and closure["infoJO"] is None, uid
            closed = _day(closure["dateCloture"])
            assert closed is not None and closed <= corpus.CORPUS_END, uid
            assert closed == (end or closed) and closed >= previous_day, uid
        else:
            assert (closure["codeCloture"], closure["libelleCloture"]) == (
                "RET_AUT",
                "Retirée par l'auteur",
            ), uid
        if record["signalement"] is not None:
            signalled = _day(record["signalement"]["infoJO"]["dateJO"])
            filed = _day(record["signalement"]["dateDepotSignal"])
            assert signalled is not None and filed is not None and filed < signalled, uid
            assert signalled - published >= timedelta(days=60), uid
            if answered is not None:
                assert answered > signalled, uid
        for renewal in _many_of((record["renouvellements"] or {}).get("renouvellement")):
            renewed = _day(renewal["dateRenouvellement"])
            assert renewed is not None and renewed > published, uid
            assert answered is None or renewed < answered, uid

        # texts: QG has none; the others are French texts of 600–2000 characters
        if qtype == "QG":
            assert record["textesQuestion"] is None, uid
        else:
            for text in _many_of(record["textesQuestion"]["texteQuestion"]):
                assert 600 <= len(text["texte"]) <= 2000, uid
        if qtype == "QE":
            for text in answers:
                assert 600 <= len(text["texte"]) <= 2000, uid


# ------------------------------------------------------------------ the mix


def test_the_mix_of_variants(many: list[dict[str, Any]]) -> None:
    mix: Counter[str] = Counter()
    for record in many:
        mix.update(corpus.variants(record))
    share = {name: 100 * count / len(many) for name, count in mix.items()}
    bounds = {
        "QE": (88, 92),
        "QOSD": (3, 5),
        "QG": (5, 7),
        "answered": (60, 80),
        "reattributed": (5, 15),
        "signalement": (1.5, 5),
        "renewal": (0.3, 3),
        "end-of-mandate": (4, 14),
        "withdrawn-by-author": (0.1, 2),
        "open": (10, 30),
        "tete-analyse": (5, 25),
        "html-answer": (40, 75),
    }
    for name, (low, high) in bounds.items():
        assert low <= share.get(name, 0) <= high, f"{name}: {share.get(name, 0):.1f} % not in [{low}, {high}]"
    for rare in ("two-analyses", "erratum", "jo-details", "html-question", "fr-dates"):
        assert mix[rare] > 0, rare
    fifteenth = [r for r in many if r["identifiant"]["legislature"] == "15"]
    fr = sum(1 for r in fifteenth if "fr-dates" in corpus.variants(r))
    assert 1 <= 100 * fr / len(fifteenth) <= 10
    assert {r["identifiant"]["legislature"] for r in many} == {"14", "15", "16", "17"}


def test_zero_and_errors(registry: Registry) -> None:
    assert list(corpus.generate(0, 1, registry)) == []
    with pytest.raises(ValueError):
        list(corpus.generate(-1, 1, registry))
    with pytest.raises(ValueError):
        list(corpus.generate(5, 1, Registry.empty()))
    with pytest.raises(ValueError):
        corpus.write_corpus([], "csv", Path("unused"))


# ------------------------------------------------------------------ the script


def test_the_script(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    command = [
        sys.executable,
        str(REPO / "bench" / "generate"),
        "--count",
        "60",
        "--layout",
        "single-json",
        "--out",
        str(out),
        "--registry",
        str(SAMPLE_REGISTRY),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"registry: {SAMPLE_REGISTRY}" in done.stdout
    assert "generated 60 questions" in done.stdout and "answered" in done.stdout
    assert sum(1 for item in read_questions(out) if isinstance(item, Question)) == 60

    again = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert again.returncode == 2 and "not empty" in again.stderr
    forced = subprocess.run([*command, "--force"], capture_output=True, text=True, check=False, timeout=120)
    assert forced.returncode == 0, forced.stderr

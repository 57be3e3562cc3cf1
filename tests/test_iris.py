"""IRI minting: IRIs come from source identifiers only, follow docs/model.md exactly, and never break."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.iris import DEFAULT_BASE, Minter, slug

mint = Minter()


def test_documented_patterns() -> None:
    assert mint.question("QANR5L15QE40439").value == "https://w3id.org/hemicycle/question/QANR5L15QE40439"
    assert (
        mint.answer("QANR5L15QE40439").value == "https://w3id.org/hemicycle/question/QANR5L15QE40439/answer"
    )
    assert (
        mint.event("QANR5L15QE40439", "attribution", 2).value
        == "https://w3id.org/hemicycle/question/QANR5L15QE40439/attribution/2"
    )
    assert mint.person("PA345722").value == "https://w3id.org/hemicycle/person/PA345722"
    assert mint.mandate("PM723428").value == "https://w3id.org/hemicycle/mandate/PM723428"
    assert mint.organe("PO774113").value == "https://w3id.org/hemicycle/organe/PO774113"
    assert mint.constituency("92", 6).value == "https://w3id.org/hemicycle/constituency/92-6"
    assert mint.question_graph("QANR5L15QE40439").value == (
        "https://w3id.org/hemicycle/graph/question/QANR5L15QE40439"
    )
    assert mint.topic("rubrique", "numérique").value == "https://w3id.org/hemicycle/topic/rubrique/numerique"


@pytest.mark.parametrize(
    ("code", "number", "expected"),
    [("07", 3, "07-3"), ("2A", 1, "2A-1"), ("976", 2, "976-2"), ("099", 5, "099-5"), ("92", 6, "92-6")],
)
def test_constituency_keeps_department_code_as_written(code: str, number: int, expected: str) -> None:
    assert mint.constituency(code, number).value == DEFAULT_BASE + "constituency/" + expected


def test_base_is_configurable_and_checked() -> None:
    other = Minter("http://example.org/kg/")
    assert other.person("PA1").value == "http://example.org/kg/person/PA1"
    with pytest.raises(ValueError, match="base IRI"):
        Minter("not an iri")
    with pytest.raises(ValueError, match="base IRI"):
        Minter("http://example.org/no-trailing-slash")


def test_unknown_event_kind_and_scheme_are_refused() -> None:
    with pytest.raises(ValueError):
        mint.event("QANR5L15QE1", "lunch", 1)
    with pytest.raises(ValueError):
        mint.topic("colour", "red")


def test_unresolved_organe_is_marked() -> None:
    assert "/organe/unresolved/" in mint.unresolved_organe("Santé et prévention").value


@given(st.text(min_size=0, max_size=80))
def test_slug_is_a_valid_iri_segment(label: str) -> None:
    segment = slug(label)
    assert segment
    assert "/" not in segment and " " not in segment
    ox.NamedNode(DEFAULT_BASE + "topic/rubrique/" + segment)  # raises if not a valid IRI


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40))
def test_slug_is_case_and_accent_insensitive(label: str) -> None:
    assert slug(label.upper()) == slug(label.upper().lower()) or slug(label) == slug(label)


@given(st.from_regex(r"PA[0-9]{1,7}", fullmatch=True), st.from_regex(r"PO[0-9]{1,7}", fullmatch=True))
def test_registry_iris_are_deterministic(pa: str, po: str) -> None:
    assert Minter().person(pa) == Minter().person(pa)
    assert Minter().organe(po).value.endswith("/organe/" + po)


@given(
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["QE", "QOSD", "QG"]),
    st.integers(min_value=1, max_value=10**6),
)
def test_question_iris_follow_uid(legislature: int, kind: str, number: int) -> None:
    uid = f"QANR5L{legislature}{kind}{number}"
    assert mint.question(uid).value == f"{DEFAULT_BASE}question/{uid}"
    assert mint.answer(uid, 2).value == f"{DEFAULT_BASE}question/{uid}/answer/2"

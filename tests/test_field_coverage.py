"""Every fact of the source is mapped or deliberately ignored.

The chain is checked link by link: every source path the readers understand reaches a domain field (or is
listed as ignored, with its reason); every domain field is listed in ``kg.mapping.MAPPED_FIELDS`` with the
RDF terms it becomes; and each of those terms really appears in the graph of the bundled sample.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import models
from kg.build.pipeline import BuildOptions, build
from kg.mapping import MAPPED_FIELDS
from kg.resources import SAMPLE_REGISTRY
from kg.sources.amo import SOURCE_PATHS
from kg.sources.amo_wire import ACTEUR_FIELDS, IGNORED_REGISTRY_FIELDS, ORGANE_FIELDS
from kg.sources.wire import QUESTION_FIELDS
from kg.store import EmbeddedStore
from kg.vocab import PREFIXES

from .conftest import FIXTURES

#: Question source path (prefix) → the domain field that carries it.
QUESTION_SOURCE_TO_DOMAIN: dict[str, str] = {
    "uid": "Question.uid",
    "type": "Question.type",
    "identifiant.numero": "Question.number",
    "identifiant.legislature": "Question.legislature",
    "identifiant.regime": "Question.regime",
    "indexationAN.rubrique": "Question.rubrique",
    "indexationAN.teteAnalyse": "Question.tete_analyse",
    "indexationAN.analyses": "Question.analyses",
    "indexationAN.ANALYSE": "Question.analyses",
    "auteur.identite.acteurRef": "Author.person_uid",
    "auteur.identite.mandatRef": "Author.mandate_uid",
    "auteur.groupe.organeRef": "OrganeMention.uid",
    "auteur.groupe.abrege": "OrganeMention.short_label",
    "auteur.groupe.developpe": "OrganeMention.label",
    "minInt.organeRef": "OrganeMention.uid",
    "minInt.abrege": "OrganeMention.short_label",
    "minInt.developpe": "OrganeMention.label",
    "minAttribs.minAttrib.denomination.organeRef": "OrganeMention.uid",
    "minAttribs.minAttrib.denomination.abrege": "OrganeMention.short_label",
    "minAttribs.minAttrib.denomination.developpe": "OrganeMention.label",
    "textesQuestion.texteQuestion.texte": "Text.html",
    "textesQuestion.texteQuestion.erratum": "Text.erratum",
    "textesReponse.texteReponse.texte": "Text.html",
    "textesReponse.texteReponse.erratum": "Text.erratum",
    "signalement.dateDepotSignal": "Signalement.filed",
    "renouvellements.renouvellement.dateRenouvellement": "Renewal.date",
    "cloture.codeCloture": "Closure.code",
    "cloture.libelleCloture": "Closure.label",
    "cloture.dateCloture": "Closure.date",
    "erratumsQuestion": "Question.question_errata",
    "erratumsReponse": "Question.answer_errata",
    "erratumsQuestion.erratum.texte": "Erratum.text",
    "erratumsReponse.erratum.texte": "Erratum.text",
}
JO_FIELDS = {
    "typeJO": "JOReference.kind",
    "dateJO": "JOReference.date",
    "pageJO": "JOReference.page",
    "numJO": "JOReference.number",
    "urlLegifrance": "JOReference.legifrance_url",
    "referenceNOR": "JOReference.nor",
}


def _domain_field_for(path: str) -> str | None:
    if ".infoJO." in path:
        return JO_FIELDS.get(path.rsplit(".", 1)[1])
    for prefix in sorted(QUESTION_SOURCE_TO_DOMAIN, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "."):
            return QUESTION_SOURCE_TO_DOMAIN[prefix]
    return None


@pytest.mark.parametrize("path", sorted(QUESTION_FIELDS))
def test_every_question_source_field_reaches_a_mapped_domain_field(path: str) -> None:
    target = _domain_field_for(path)
    assert target is not None, f"source field {path} reaches no domain field"
    assert target in MAPPED_FIELDS


def test_every_registry_source_field_is_mapped_or_ignored() -> None:
    carried: set[str] = set()
    for model, fields in SOURCE_PATHS.items():
        for attr in fields:
            assert f"{model.__name__}.{attr}" in MAPPED_FIELDS, f"{model.__name__}.{attr}"
        carried |= set(fields.values())
    # source paths are relative to the record (acteur/organe) or to the mandate, election, mandature…
    leaves = {p for p in ACTEUR_FIELDS | ORGANE_FIELDS if "@" not in p and not p.endswith("#text")}
    ignored = tuple(IGNORED_REGISTRY_FIELDS)
    for path in sorted(leaves):
        if path.startswith(ignored):
            continue
        assert any(path == c or path.endswith("." + c) or path.startswith(c + ".") for c in carried), (
            f"registry source field {path} is neither carried to the domain nor listed as ignored"
        )


DOMAIN_MODELS = (
    models.Question, models.SourceRef, models.Author, models.OrganeMention, models.JOReference, models.Text,
    models.Attribution, models.Signalement, models.Renewal, models.Closure, models.Erratum, models.Person,
    models.Mandate, models.Election, models.MandateTerm, models.Substitute, models.Organe,
)  # fmt: skip


def test_mapping_table_lists_every_domain_field_and_nothing_else() -> None:
    fields = {f"{m.__name__}.{f.name}" for m in DOMAIN_MODELS for f in dataclasses.fields(m)}
    assert fields - set(MAPPED_FIELDS) == set(), "domain fields missing from MAPPED_FIELDS"
    assert set(MAPPED_FIELDS) - fields == set(), "MAPPED_FIELDS names fields that do not exist"


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


@pytest.fixture(scope="module")
def graph_predicates(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    path: Path = tmp_path_factory.mktemp("coverage") / "store"
    # the sample, plus the registry fixtures that hold the rarer fields (deaths, countries, secretariats…)
    build(BuildOptions(registries=(SAMPLE_REGISTRY, FIXTURES / "registry"), store=path))
    store = EmbeddedStore(path, read_only=True)
    result = store.store.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    return {row[0].value for row in result}  # type: ignore[union-attr]


#: Terms whose field the test data has no value for, listed so the gap stays visible: ``chambre`` is null in
#: every acteur and organe of ../shared/data/an.
NOT_IN_SAMPLE = {"hc:chamber"}


@pytest.mark.parametrize("field", sorted(MAPPED_FIELDS))
def test_mapped_terms_appear_in_the_graph(field: str, graph_predicates: set[str]) -> None:
    terms = [t for t in MAPPED_FIELDS[field] if t != "rdf:type" and t not in NOT_IN_SAMPLE]
    missing = [t for t in terms if _expand(t) not in graph_predicates]
    assert not missing, f"{field}: {missing} never appear in the graph"

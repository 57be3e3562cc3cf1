"""The two references the benchmark measures hemicycle-kg against, on the same records.

- the **floor**: read the files, parse the JSON, build the question's triples as pyoxigraph terms in one
  straight loop (no models, no validation, no store, no registry), write them with pyoxigraph's N-Triples
  serializer — the least any Python tool must do;
- the **naive baseline**: what a user would write by hand with plain rdflib: the same records into one
  ``rdflib.Graph`` (sub-resources as IRIs), written as N-Triples (and Turtle, which is superlinear).

Both produce the triples of the question graphs (not the registry's): the same shape as hemicycle-kg's
question graphs, so the counts are comparable (the script prints them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import rdflib

BASE = "https://w3id.org/hemicycle/"
HC = "https://w3id.org/hemicycle/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
KINDS = {"QE": "WrittenQuestion", "QOSD": "OralQuestion", "QG": "GovernmentQuestion"}


def _list(value: Any) -> list[Any]:
    if value is None or (isinstance(value, dict) and value.get("@xsi:nil") == "true"):
        return []
    return value if isinstance(value, list) else [value]


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    return str(value) or None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    if "/" in value:
        day, month, year = value.split("/")
        return f"{year}-{month}-{day}"
    return value[:10]


def record_facts(q: dict[str, Any]) -> Iterator[tuple[str, str, tuple[str, str | None, str | None]]]:
    """(subject IRI, predicate IRI, object) where object is ("iri", value, None) or ("lit", value, datatype
    or "@lang"). One straight pass over the raw record, as a hand-written converter would do."""
    uid = q["uid"]
    s = f"{BASE}question/{uid}"
    yield s, RDF_TYPE, ("iri", HC + KINDS[q["type"]], None)
    yield s, DCT + "identifier", ("lit", uid, None)
    yield s, HC + "number", ("lit", q["identifiant"]["numero"], XSD + "integer")
    yield s, HC + "legislature", ("lit", q["identifiant"]["legislature"], XSD + "integer")
    index = q.get("indexationAN") or {}
    if _s(index.get("rubrique")):
        yield s, DCT + "subject", ("iri", f"{BASE}topic/rubrique/{index['rubrique']}".replace(" ", "-"), None)
    analyses = _list((index.get("analyses") or {}).get("analyse"))
    if analyses:
        yield s, DCT + "title", ("lit", analyses[0], "@fr")
    author = q["auteur"]
    yield s, DCT + "creator", ("iri", f"{BASE}person/{author['identite']['acteurRef']}", None)
    if _s(author["identite"].get("mandatRef")):
        yield s, HC + "authorMandate", ("iri", f"{BASE}mandate/{author['identite']['mandatRef']}", None)
    group = author.get("groupe") or {}
    if _s(group.get("organeRef")):
        yield s, HC + "authorGroup", ("iri", f"{BASE}organe/{group['organeRef']}", None)
    if _s((q.get("minInt") or {}).get("organeRef")):
        yield s, HC + "questionedMinistry", ("iri", f"{BASE}organe/{q['minInt']['organeRef']}", None)
    for n, att in enumerate(_list((q.get("minAttribs") or {}).get("minAttrib")), start=1):
        ev = f"{s}/attribution/{n}"
        yield s, HC + "attribution", ("iri", ev, None)
        yield ev, RDF_TYPE, ("iri", HC + "Attribution", None)
        yield ev, HC + "order", ("lit", str(n), XSD + "integer")
        yield ev, HC + "ministry", ("iri", f"{BASE}organe/{att['denomination']['organeRef']}", None)
        jo = att.get("infoJO") or {}
        if _iso(_s(jo.get("dateJO"))):
            yield ev, HC + "joDate", ("lit", _iso(_s(jo.get("dateJO"))), XSD + "date")
    for n, text in enumerate(_list((q.get("textesQuestion") or {}).get("texteQuestion")), start=1):
        ev = f"{s}/publication/{n}"
        yield s, HC + "publication", ("iri", ev, None)
        yield ev, RDF_TYPE, ("iri", HC + "Publication", None)
        jo = text.get("infoJO") or {}
        if _iso(_s(jo.get("dateJO"))):
            yield ev, HC + "joDate", ("lit", _iso(_s(jo.get("dateJO"))), XSD + "date")
        if _s(jo.get("pageJO")):
            yield ev, HC + "joPage", ("lit", jo["pageJO"], XSD + "integer")
        yield s, "https://schema.org/text", ("lit", text.get("texte") or "", "@fr")
    for n, text in enumerate(_list((q.get("textesReponse") or {}).get("texteReponse")), start=1):
        ans = f"{s}/answer" if n == 1 else f"{s}/answer/{n}"
        yield s, HC + "answer", ("iri", ans, None)
        yield ans, RDF_TYPE, ("iri", HC + "Answer", None)
        jo = text.get("infoJO") or {}
        if _iso(_s(jo.get("dateJO"))):
            yield ans, HC + "joDate", ("lit", _iso(_s(jo.get("dateJO"))), XSD + "date")
        if _s(jo.get("pageJO")):
            yield ans, HC + "joPage", ("lit", jo["pageJO"], XSD + "integer")
        yield ans, "https://schema.org/text", ("lit", text.get("texte") or "", "@fr")
    closure = q.get("cloture")
    if closure and not closure.get("@xsi:nil"):
        ev = f"{s}/closure/1"
        yield s, HC + "closure", ("iri", ev, None)
        if _iso(_s(closure.get("dateCloture"))):
            yield ev, DCT + "date", ("lit", _iso(_s(closure.get("dateCloture"))), XSD + "date")
        if _s(closure.get("libelleCloture")):
            yield ev, HC + "closureLabel", ("lit", closure["libelleCloture"], "@fr")


def iter_records(files: list[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        yield orjson.loads(path.read_bytes())["question"]


def floor(files: list[Path], out: Path) -> int:
    """Straight loop → pyoxigraph terms → N-Triples. Returns the number of triples written."""
    count = 0

    def triples() -> Iterator[ox.Triple]:
        nonlocal count
        for record in iter_records(files):
            for s, p, (kind, value, extra) in record_facts(record):
                if kind == "iri":
                    o: ox.NamedNode | ox.Literal = ox.NamedNode(value or "")
                elif extra and extra.startswith("@"):
                    o = ox.Literal(value or "", language=extra[1:])
                elif extra:
                    o = ox.Literal(value or "", datatype=ox.NamedNode(extra))
                else:
                    o = ox.Literal(value or "")
                count += 1
                yield ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)

    with out.open("wb") as handle:
        ox.serialize(triples(), handle, ox.RdfFormat.N_TRIPLES)
    return count


def naive(files: list[Path], out: Path, fmt: str = "nt") -> int:
    """Plain rdflib: one Graph, then serialise. Returns the number of triples."""
    graph = rdflib.Graph()
    for record in iter_records(files):
        for s, p, (kind, value, extra) in record_facts(record):
            if kind == "iri":
                o: rdflib.URIRef | rdflib.Literal = rdflib.URIRef(value or "")
            elif extra and extra.startswith("@"):
                o = rdflib.Literal(value or "", lang=extra[1:])
            elif extra:
                o = rdflib.Literal(value or "", datatype=rdflib.URIRef(extra))
            else:
                o = rdflib.Literal(value or "")
            graph.add((rdflib.URIRef(s), rdflib.URIRef(p), o))
    graph.serialize(out, format="nt" if fmt == "nt" else "turtle", encoding="utf-8")
    return len(graph)

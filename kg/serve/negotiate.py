"""Content negotiation for resources: the format asked by ``Accept`` or a suffix, and the RDF serialisations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.site import jsonld
from kg.vocab import PREFIXES


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    suffix: str
    rdf: ox.RdfFormat | None  # None: HTML

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type


HTML = Format("html", "text/html", ".html", None)
TURTLE = Format("turtle", "text/turtle", ".ttl", ox.RdfFormat.TURTLE)
N_TRIPLES = Format("n-triples", "application/n-triples", ".nt", ox.RdfFormat.N_TRIPLES)
JSON_LD = Format("json-ld", "application/ld+json", ".jsonld", ox.RdfFormat.JSON_LD)
RDF_XML = Format("rdf-xml", "application/rdf+xml", ".rdf", ox.RdfFormat.RDF_XML)
FORMATS: tuple[Format, ...] = (HTML, TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
RDF_FORMATS: tuple[Format, ...] = FORMATS[1:]
BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in FORMATS}

#: media types a client may ask for, and the format that answers each (aliases included)
_MEDIA: dict[str, Format] = {
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "text/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "application/n-triples": N_TRIPLES,
    "text/plain": N_TRIPLES,  # N-Triples' media type before RDF 1.1
    "application/ld+json": JSON_LD,
    "application/json": JSON_LD,
    "application/rdf+xml": RDF_XML,
}


def split_suffix(path: str) -> tuple[str, Format | None]:
    """``question/X.ttl`` → ``("question/X", TURTLE)``; a path without a known suffix comes back whole."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext:
        found = BY_SUFFIX.get("." + ext)
        if found is not None:
            return stem, found
    return path, None


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """``(q, -position, media)`` for each media range of an ``Accept`` header."""
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((q, -position, media.lower()))
    return ranges


def choose(accept: str | None, offered: tuple[Format, ...] = FORMATS) -> Format | None:
    """The offered format the client prefers (HTML when it accepts anything or says nothing); ``None``
    when it accepts none of them (406)."""
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, float, int, Format] | None = None
    for q, position, media in _accepted(accept):
        if q <= 0:
            continue
        candidates: Iterable[Format]
        specificity = 2
        if media in ("*/*", "*"):
            candidates, specificity = offered[:1], 0
        elif media.endswith("/*"):
            kind = media[:-1]
            candidates, specificity = [f for f in offered if f.media_type.startswith(kind)][:1], 1
        else:
            found = _MEDIA.get(media)
            candidates = [found] if found is not None and found in offered else []
        for fmt in candidates:
            key = (q, specificity, position, fmt)
            if best is None or key[:3] > best[:3]:
                best = key
    return None if best is None else best[3]


def language(accept_language: str | None) -> str:
    """``en`` when the client prefers English to French, else ``fr`` (the data's language)."""
    for q, _, media in sorted(_accepted(accept_language or ""), reverse=True):
        if q <= 0:
            continue
        tag = media.split("-", 1)[0]
        if tag in ("fr", "en"):
            return tag
    return "fr"


def context_document() -> dict[str, Any]:
    """The JSON-LD ``@context`` published beside the data: the project's prefixes."""
    return {"@context": dict(PREFIXES)}


def serialize(triples: list[ox.Triple], fmt: Format, *, context_url: str) -> bytes:
    """``triples`` in an RDF format, prefixed where the format has prefixes; JSON-LD is compacted with the
    published context (referenced by ``context_url``)."""
    if fmt is JSON_LD:  # written directly, as the static export writes it (five times rdflib's speed)
        return jsonld.compact(triples, context_url)
    assert fmt.rdf is not None
    prefixes = PREFIXES if fmt in (TURTLE, RDF_XML) else None
    out = ox.serialize(triples, format=fmt.rdf, prefixes=prefixes)
    assert out is not None
    return out

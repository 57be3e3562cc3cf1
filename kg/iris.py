"""IRI minting: the only place where resource IRIs are made.

They come from source identifiers only (never counters or timestamps), under a configurable base (default
``https://w3id.org/hemicycle/``).

Patterns (docs/model.md, "How IRIs are made"):
``question/{uid}``, ``question/{uid}/answer``, ``question/{uid}/{kind}/{n}``, ``person/{PA…}``,
``mandate/{PM…}``, ``organe/{PO…}``, ``constituency/{dept}-{n}``, ``department/{code}``,
``topic/{scheme}/{slug}``, ``graph/question/{uid}``, ``graph/registry/{name}``, ``graph/topics``,
``graph/mentions``, ``graph/dataset``; and the marked fallbacks for labels no registry id resolves,
``organe/unresolved/{slug}`` and ``person/unresolved/{legislature}/{slug}``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

DEFAULT_BASE = "https://w3id.org/hemicycle/"

#: Question uid: QANR5 L{legislature} {QE|QOSD|QG} {numero}
QUESTION_UID = re.compile(r"^QANR5L(\d{1,2})(QE|QOSD|QG)(\d+)$")
ACTEUR_UID = re.compile(r"^PA\d+$")
MANDATE_UID = re.compile(r"^PM\d+$")
ORGANE_UID = re.compile(r"^PO\d+$")
#: Department codes as the source writes them: 01–95, 2A/2B, 971–976, 987/988 and the like, 099 (abroad).
DEPARTMENT_CODE = re.compile(r"^(?:\d{2}|2[AB]|\d{3})$")

TOPIC_SCHEMES = ("rubrique", "tete-analyse")
_CIVILITIES = frozenset({"m", "mme", "mlle", "mm", "monsieur", "madame", "mademoiselle"})
EVENT_KINDS = ("publication", "attribution", "signalement", "renewal", "closure", "erratum")


def slug(label: str) -> str:
    """A stable, readable IRI segment for a French label: accents folded, lower case, ``-`` between words.

    ``"Numérique"`` and ``"numérique"`` give ``numerique``; ``"Santé : prévention"`` gives ``sante-prevention``.
    Characters with no ASCII fold (e.g. ``œ`` → ``oe`` is handled; CJK is percent-encoded) never vanish.
    """
    text = label.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    out: list[str] = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isalnum():
            out.append(quote(ch, safe=""))
        else:
            out.append("-")
    result = re.sub(r"-+", "-", "".join(out)).strip("-")
    return result or "_"


def unresolved_person_path(legislature: int, name: str) -> str:
    """``person/unresolved/{legislature}/{slug}``: clearly marked, apart per legislature (homonyms of different
    legislatures stay apart). The name's words are sorted and a civility dropped, so "M. Guy Lengagne" and
    "Lengagne Guy" give one IRI."""
    words = [w for w in name.split() if w.rstrip(".").lower() not in _CIVILITIES]
    key = " ".join(sorted(slug(w) for w in words)) or name
    return f"person/unresolved/{legislature}/{slug(key)}"


def unresolved_organe_path(label: str) -> str:
    """``organe/unresolved/{slug}``: an organe named by a label that resolves to no PO id."""
    return f"organe/unresolved/{slug(label)}"


class Minter:
    """Mints pyoxigraph NamedNodes under one base. Cheap to call: results are cached per instance."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+[/#]$", base):
            raise ValueError(f"base IRI must be an http(s) IRI ending with '/' or '#': {base!r}")
        self.base = base
        self._organe = lru_cache(maxsize=65536)(self._mint_organe)
        self._person = lru_cache(maxsize=65536)(self._mint_person)
        self._topic = lru_cache(maxsize=65536)(self._mint_topic)

    def _iri(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + path)

    # -- questions
    def question(self, uid: str) -> ox.NamedNode:
        return self._iri(f"question/{uid}")

    def answer(self, uid: str, n: int = 1) -> ox.NamedNode:
        return self._iri(f"question/{uid}/answer" if n == 1 else f"question/{uid}/answer/{n}")

    def event(self, uid: str, kind: str, n: int) -> ox.NamedNode:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown lifecycle event kind {kind!r}")
        return self._iri(f"question/{uid}/{kind}/{n}")

    def question_graph(self, uid: str) -> ox.NamedNode:
        return self._iri(f"graph/question/{uid}")

    def registry_graph(self, name: str) -> ox.NamedNode:
        return self._iri(f"graph/registry/{name}")

    def shared_graph(self, name: str) -> ox.NamedNode:
        """``graph/topics`` or ``graph/mentions``: facts many questions share, added to and never replaced."""
        if name not in ("topics", "mentions"):
            raise ValueError(f"unknown shared graph {name!r}")
        return self._iri(f"graph/{name}")

    def dataset(self) -> ox.NamedNode:
        return self._iri("dataset")

    def dataset_graph(self) -> ox.NamedNode:
        return self._iri("graph/dataset")

    def source(self, sha256: str) -> ox.NamedNode:
        return self._iri(f"source/{sha256}")

    def tool(self, version: str) -> ox.NamedNode:
        return self._iri(f"tool/hemicycle-kg/{quote(version, safe='.')}")

    # -- people and bodies
    def person(self, uid: str) -> ox.NamedNode:
        return self._person(uid)

    def _mint_person(self, uid: str) -> ox.NamedNode:
        return self._iri(f"person/{quote(uid, safe='')}")

    def mandate(self, uid: str) -> ox.NamedNode:
        return self._iri(f"mandate/{quote(uid, safe='')}")

    def substitution(self, mandate_uid: str, person_uid: str) -> ox.NamedNode:
        return self._iri(f"mandate/{quote(mandate_uid, safe='')}/substitute/{quote(person_uid, safe='')}")

    def organe(self, uid: str) -> ox.NamedNode:
        return self._organe(uid)

    def _mint_organe(self, uid: str) -> ox.NamedNode:
        return self._iri(f"organe/{quote(uid, safe='')}")

    def unresolved_organe(self, label: str) -> ox.NamedNode:
        """Fallback for an organe named only by a label that resolves to no PO id: clearly marked."""
        return self._iri(unresolved_organe_path(label))

    def unresolved_person(self, legislature: int, name: str) -> ox.NamedNode:
        """Fallback for an author named only by a name that resolves to no PA id (:func:`unresolved_person_path`)."""
        return self._iri(unresolved_person_path(legislature, name))

    def constituency(self, department_code: str, number: int) -> ox.NamedNode:
        return self._iri(f"constituency/{quote(department_code, safe='')}-{number}")

    def department(self, code: str) -> ox.NamedNode:
        return self._iri(f"department/{quote(code, safe='')}")

    # -- topics
    def topic(self, scheme: str, label: str) -> ox.NamedNode:
        return self._topic(scheme, label)

    def _mint_topic(self, scheme: str, label: str) -> ox.NamedNode:
        if scheme not in TOPIC_SCHEMES:
            raise ValueError(f"unknown topic scheme {scheme!r}")
        return self._iri(f"topic/{scheme}/{slug(label)}")

    def topic_scheme(self, scheme: str) -> ox.NamedNode:
        return self._iri(f"topic/{scheme}")

    def official_page(self, uid: str, legislature: int) -> ox.NamedNode:
        """The question's page on the Assemblée's website (not under our base)."""
        return ox.NamedNode(f"https://www.assemblee-nationale.fr/dyn/{legislature}/questions/{uid}")

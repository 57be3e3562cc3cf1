"""The old question site's XML export (``<QUESTION TYPE="QE">``, upper-case tags) read as one more record layout.

``questions.assemblee-nationale.fr/qNN/NN-NNNNQE.htm`` served each question as XML too, in a schema of its own
(not the open-data one). :func:`old_site_record` turns it into the open-data record it stands for — every
element to its open-data field — so :func:`kg.sources.questions.parse_question` reads it and the question
gets the very graph its open-data record gives:

======================================  ==========================================================
old site                                open data
======================================  ==========================================================
``QUESTION@TYPE``, ``LEGISLATURE``,     ``type``, ``identifiant`` (``regime`` "5eme Republique": the
``DEPOT@NUMERO``                        old site served the Fifth Republic's questions only), ``uid``
``AUTEUR@ID_MANDAT``, ``ID_ACTEUR``     ``auteur.identite`` (``PM…``, ``PA…``)
``GROUPE@SIGLE``, ``LIBELLE``,          ``auteur.groupe`` (``PO…``; a label the date contradicts is
``ID_GROUPE``                           settled by :mod:`kg.reconcile_records`)
``INDEXATION_AN@RUBRIQUE``,             ``indexationAN`` (rubrique, teteAnalyse, analyses)
``TETE_ANALYSE``, ``ANALYSE/ANA``
``MINI``, ``MINA/ORDRE``                ``minInt``, ``minAttribs.minAttrib`` (with their JO)
``DEPOT`` (JO), ``DEPOT/TEXTE_DEPOT``   ``textesQuestion.texteQuestion``
``REPONSE``                             ``textesReponse.texteReponse`` (its JO kind and number from
                                        ``CLOTURE`` when both name the same JO date)
``SIGNALEMENT``, ``RENOUVELLEMENT``,    ``signalement``, ``renouvellements``, ``cloture``,
``CLOTURE``, ``ERRATUM_*``              ``erratumsQuestion``/``erratumsReponse``
``CIRCONSCRIPTION``                     not read: the author's mandate names the constituency
======================================  ==========================================================

Empty elements (``<DATE_JO/>``) are absent values. An element this table does not know is reported as a
warning naming its path; a document whose root is not ``QUESTION`` is not of this layout.
"""

from __future__ import annotations

import re
from typing import Any, Final

import lxml.etree as etree

from kg.errors import InputError
from kg.report import Diagnostic
from kg.sources.question_decode import RawQuestion

__all__ = ["is_old_site_xml", "old_site_record"]

_ROOT: Final = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<QUESTION[\s>]", re.S
)
#: Elements read, by parent path; anything else is reported.
_KNOWN: Final[dict[str, frozenset[str]]] = {
    "QUESTION": frozenset(
        {
            "LEGISLATURE",
            "DEPOT",
            "AUTEUR",
            "GROUPE",
            "CIRCONSCRIPTION",
            "INDEXATION_AN",
            "MINI",
            "MINA",
            "ERRATUM_QUESTION",
            "SIGNALEMENT",
            "RENOUVELLEMENT",
            "CLOTURE",
            "REPONSE",
            "ERRATUM_REPONSE",
        }
    ),
    "DEPOT": frozenset({"DATE_JO", "PAGE_JO", "TYPE_JO", "NUMERO_JO", "TEXTE_DEPOT"}),
    "AUTEUR": frozenset({"ID_ACTEUR", "CIVILITE", "NOM", "PRENOM"}),
    "GROUPE": frozenset({"LIBELLE", "ID_GROUPE"}),
    "CIRCONSCRIPTION": frozenset({"CODE_DEPARTEMENT", "DEPARTEMENT", "CODE_REGION", "REGION"}),
    "INDEXATION_AN": frozenset({"TETE_ANALYSE", "ANALYSE"}),
    "ANALYSE": frozenset({"ANA"}),
    "MINI": frozenset({"ABREGE", "DEVELOPPE", "ID_MINI"}),
    "MINA": frozenset({"ORDRE"}),
    "MINA/ORDRE": frozenset({"ABREGE", "DEVELOPPE", "ID_MINA", "DATE_JO", "TYPE_JO", "NUMERO_JO", "PAGE_JO"}),
    "ERRATUM": frozenset({"DATE_JO", "PAGE_JO", "TYPE_JO", "NUMERO_JO", "TEXTE_ERRATUM"}),
    "SIGNALEMENT": frozenset({"DATE_JO", "DATE_DEPOT_SIGNAL", "TYPE_JO", "NUMERO_JO", "PAGE_JO"}),
    "RENOUVELLEMENT": frozenset({"ORDRE"}),
    "RENOUVELLEMENT/ORDRE": frozenset({"DATE_RENOUVELLEMENT", "TYPE_JO", "NUMERO_JO", "PAGE_JO", "DATE_JO"}),
    "CLOTURE": frozenset({"DATE_JO", "PAGE_JO", "ABREGE", "LIBELLE", "NUMERO_JO", "TYPE_JO"}),
    "REPONSE": frozenset({"TEXTE_REPONSE", "DATE_JO_REPONSE", "PAGE_JO_REPONSE"}),
}


def is_old_site_xml(data: bytes) -> bool:
    """The bytes are the old question site's XML: the root element is ``QUESTION`` (upper case)."""
    return _ROOT.match(data[:4096]) is not None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(str(piece) for piece in element.itertext()).strip()
    return text or None


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    found = element.find(tag)
    return found if isinstance(found, etree._Element) else None


def _ref(prefix: str, value: str | None) -> str | None:
    """``923`` → ``PA923``; an id already prefixed is kept; nothing for nothing."""
    if value is None:
        return None
    return value if value.startswith(prefix) else f"{prefix}{value}"


def _info_jo(
    element: etree._Element, date_tag: str = "DATE_JO", page_tag: str = "PAGE_JO"
) -> dict[str, Any] | None:
    info = {
        "typeJO": _text(_child(element, "TYPE_JO")),
        "dateJO": _text(_child(element, date_tag)),
        "pageJO": _text(_child(element, page_tag)),
        "numJO": _text(_child(element, "NUMERO_JO")),
    }
    kept = {key: value for key, value in info.items() if value is not None}
    return kept or None


def _organe(element: etree._Element, id_tag: str) -> dict[str, Any]:
    found = {
        "organeRef": _ref("PO", _text(_child(element, id_tag))),
        "abrege": _text(_child(element, "ABREGE")),
        "developpe": _text(_child(element, "DEVELOPPE")),
    }
    return {key: value for key, value in found.items() if value is not None}


class _Reader:
    def __init__(self, name: str, root: etree._Element) -> None:
        self.name = name
        self.root = root
        self.warnings: list[Diagnostic] = []
        self.uid: str | None = None

    def fail(self, field: str, message: str) -> InputError:
        return InputError(message, file=self.name, record=self.uid, field=field)

    def check(self, element: etree._Element, path: str, key: str) -> None:
        known = _KNOWN.get(key, frozenset())
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments
            tag = child.tag
            if tag not in known:
                self.warnings.append(
                    Diagnostic(
                        "warning",
                        self.name,
                        "unknown element of the old site's XML, not read (please report it)",
                        record=self.uid,
                        field=f"{path}/{tag}",
                        code="unknown-field",
                    )
                )
                continue
            inner = f"{key}/{tag}" if f"{key}/{tag}" in _KNOWN else tag
            if tag in ("DEPOT", "ANALYSE") or inner in _KNOWN or tag in _KNOWN:
                self.check(child, f"{path}/{tag}", inner if inner in _KNOWN else tag)

    def record(self) -> dict[str, Any]:
        root = self.root
        qtype = (root.get("TYPE") or "").strip()
        legislature = _text(_child(root, "LEGISLATURE"))
        deposits = [d for d in root.findall("DEPOT") if isinstance(d, etree._Element)]
        numbered = next((d for d in deposits if d.get("NUMERO")), None)
        number = (numbered.get("NUMERO") or "").strip() if numbered is not None else ""
        if not qtype:
            raise self.fail("QUESTION@TYPE", "missing: the question type (QE, QOSD or QG)")
        if not legislature or not legislature.isdigit():
            raise self.fail("QUESTION/LEGISLATURE", f"missing or not a number: {legislature!r}")
        if not number.isdigit():
            raise self.fail("QUESTION/DEPOT@NUMERO", f"missing or not a number: {number!r}")
        self.uid = f"QANR5L{int(legislature)}{qtype}{int(number)}"
        self.check(root, "QUESTION", "QUESTION")
        data: dict[str, Any] = {
            "uid": self.uid,
            "identifiant": {
                "numero": str(int(number)),
                "regime": "5eme Republique",
                "legislature": legislature,
            },
            "type": qtype,
        }
        author = _child(root, "AUTEUR")
        if author is not None:
            identity = {
                "acteurRef": _ref("PA", _text(_child(author, "ID_ACTEUR"))),
                "mandatRef": _ref("PM", (author.get("ID_MANDAT") or "").strip() or None),
            }
            data["auteur"] = {"identite": {k: v for k, v in identity.items() if v is not None}}
            group = _child(root, "GROUPE")
            if group is not None:
                labels = {
                    "organeRef": _ref("PO", _text(_child(group, "ID_GROUPE"))),
                    "abrege": (group.get("SIGLE") or "").strip() or None,
                    "developpe": _text(_child(group, "LIBELLE")),
                }
                kept = {k: v for k, v in labels.items() if v is not None}
                if kept:
                    data["auteur"]["groupe"] = kept
        indexation = _child(root, "INDEXATION_AN")
        if indexation is not None:
            analyses = [
                text
                for ana in indexation.iterfind("ANALYSE/ANA")
                if isinstance(ana, etree._Element) and (text := _text(ana))
            ]
            data["indexationAN"] = {
                "rubrique": (indexation.get("RUBRIQUE") or "").strip() or None,
                "teteAnalyse": _text(_child(indexation, "TETE_ANALYSE")),
                "analyses": {"analyse": analyses} if analyses else None,
            }
        questioned = _child(root, "MINI")
        if questioned is not None and _organe(questioned, "ID_MINI"):
            data["minInt"] = _organe(questioned, "ID_MINI")
        attributions = []
        for order in root.iterfind("MINA/ORDRE"):
            if isinstance(order, etree._Element):
                attributions.append({"infoJO": _info_jo(order), "denomination": _organe(order, "ID_MINA")})
        if attributions:
            data["minAttribs"] = {"minAttrib": attributions}
        text = next((t for d in deposits if (t := _text(_child(d, "TEXTE_DEPOT")))), None)
        jo = _info_jo(numbered) if numbered is not None else None
        if text is not None or jo is not None:
            data["textesQuestion"] = {"texteQuestion": {"infoJO": jo, "texte": text}}
        closure = _child(root, "CLOTURE")
        answer = _child(root, "REPONSE")
        if answer is not None:
            answer_jo = _info_jo(answer, "DATE_JO_REPONSE", "PAGE_JO_REPONSE")
            answer_text = _text(_child(answer, "TEXTE_REPONSE"))
            same_issue = closure is not None and _text(_child(closure, "DATE_JO")) == (answer_jo or {}).get(
                "dateJO"
            )
            if (
                answer_jo is not None and closure is not None and same_issue
            ):  # the closure's JO is the answer's
                for key, tag in (("typeJO", "TYPE_JO"), ("numJO", "NUMERO_JO")):
                    if (value := _text(_child(closure, tag))) is not None:
                        answer_jo[key] = value
            if answer_jo is not None or answer_text is not None:
                data["textesReponse"] = {"texteReponse": {"infoJO": answer_jo, "texte": answer_text}}
        signal = _child(root, "SIGNALEMENT")
        if signal is not None and (_info_jo(signal) or _text(_child(signal, "DATE_DEPOT_SIGNAL"))):
            data["signalement"] = {
                "dateDepotSignal": _text(_child(signal, "DATE_DEPOT_SIGNAL")),
                "infoJO": _info_jo(signal),
            }
        renewals = []
        for order in root.iterfind("RENOUVELLEMENT/ORDRE"):
            if isinstance(order, etree._Element):
                renewals.append(
                    {
                        "dateRenouvellement": _text(_child(order, "DATE_RENOUVELLEMENT")),
                        "infoJO": _info_jo(order),
                    }
                )
        if renewals:
            data["renouvellements"] = {"renouvellement": renewals}
        if closure is not None:
            code, label = _text(_child(closure, "ABREGE")), _text(_child(closure, "LIBELLE"))
            closure_jo = _info_jo(closure)
            if code or label or closure_jo:
                data["cloture"] = {
                    "codeCloture": code,
                    "libelleCloture": label,
                    "dateCloture": closure_jo.get("dateJO") if closure_jo else None,
                    "infoJO": closure_jo,
                }
        for tag, key in (("ERRATUM_QUESTION", "erratumsQuestion"), ("ERRATUM_REPONSE", "erratumsReponse")):
            erratum = _child(root, tag)
            if erratum is not None and (_info_jo(erratum) or _text(_child(erratum, "TEXTE_ERRATUM"))):
                data[key] = {
                    "erratum": {
                        "texte": _text(_child(erratum, "TEXTE_ERRATUM")) or "",
                        "infoJO": _info_jo(erratum),
                    }
                }
        return data


def old_site_record(name: str, data: bytes) -> tuple[RawQuestion, list[Diagnostic]]:
    """The open-data record an old-site XML document stands for, and the warnings reading it gave.

    Raises :class:`~kg.errors.InputError` naming the file (and the element) when the bytes are not
    well-formed XML, declare a DTD, or lack the question's type, legislature or number."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise InputError("a DTD or entity declaration: refused (old-site XML has none)", file=name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML ({exc})", file=name) from None
    if root.tag != "QUESTION":
        raise InputError(f"wrong root element <{root.tag}>: the old site's XML has <QUESTION>", file=name)
    reader = _Reader(name, root)
    record = reader.record()
    return RawQuestion(name, None, record), reader.warnings

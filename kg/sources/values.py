"""Scalar values of the Assemblée's records, read into Python values.

Nil objects, one-or-many, dates in both formats, numbers, flags, record hashes and mojibake detection.

Raw values exist only inside ``kg.sources``; these helpers turn them into Python values or raise
:class:`kg.errors.RecordError` naming the field.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

import orjson

# ------------------------------------------------------------------ scalars

_NIL_KEYS = frozenset({"@xsi:nil", "@xmlns:xsi", "@xmlns", "@xsi:type"})


def is_nil(value: Any) -> bool:
    """True for JSON null, empty strings and ``{"@xsi:nil": "true"}`` objects (with or without xmlns)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, dict):
        return value.get("@xsi:nil") in ("true", True) and set(value) <= _NIL_KEYS
    return False


def one_or_many(value: Any) -> list[Any]:
    """A one-element list arrives as a bare object: always give a list (empty for nil)."""
    if is_nil(value):
        return []
    if isinstance(value, list):
        return [v for v in value if not is_nil(v)]
    return [value]


def text_of(value: Any) -> str | None:
    """The string of a scalar that may be a bare string, nil, or an XML-ish ``{"#text": …}`` object."""
    if is_nil(value):
        return None
    if isinstance(value, dict):
        if "#text" in value:
            return text_of(value["#text"])
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    return None


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+)?(?:Z|[+-]\d{2}:\d{2})?$")
_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(value: str, *, field: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` (optionally followed by a time/offset) or ``DD/MM/YYYY``.

    Anything else, or an impossible day (31/02/2021, 2021-13-01), raises ``ValueError`` with a
    message that names the value; callers wrap it with the file and record.

    The two plain forms (ten ASCII characters, nothing around them: what nearly every record holds) are
    read by slicing; everything else by :func:`parse_date_general`, which gives the same day or the same
    error for these forms too (a test checks it).
    """
    if len(value) == 10 and value.isascii():
        if value[4] == "-" and value[7] == "-":
            year, month, day = value[:4], value[5:7], value[8:]
        elif value[2] == "/" and value[5] == "/":
            day, month, year = value[:2], value[3:5], value[6:]
        else:
            return parse_date_general(value, field=field)
        if year.isdigit() and month.isdigit() and day.isdigit():  # ASCII here: [0-9] only
            try:
                return date(int(year), int(month), int(day))
            except ValueError as exc:
                raise ValueError(f"{field}: impossible date {value!r} ({exc})") from None
    return parse_date_general(value, field=field)


def parse_date_general(value: str, *, field: str = "date") -> date:
    """:func:`parse_date` by regular expressions, for every accepted form (surrounding white space, a
    time or an offset after the day, digits of any script)."""
    text = value.strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _FR.match(text)
        if not match:
            raise ValueError(f"{field}: unknown date format {value!r} (expected YYYY-MM-DD or DD/MM/YYYY)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{field}: impossible date {value!r} ({exc})") from None


_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)  # ASCII digits: "꩐" is not a number the AN writes


def parse_int(value: str, *, field: str = "number") -> int:
    """Parse a whole number written as a string (white space around it allowed); anything else raises
    ``ValueError`` naming the value. The usual ``"5991"`` (ASCII digits, nothing around them) is read
    directly; everything else by :func:`parse_int_general`, which reads that one the same way."""
    if value.isdigit() and value.isascii():
        return int(value)
    return parse_int_general(value, field=field)


def parse_int_general(value: str, *, field: str = "number") -> int:
    """:func:`parse_int` by a regular expression, for every accepted form."""
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(f"{field}: not a whole number: {value!r}")
    return int(value)


def parse_bool(value: str, *, field: str = "flag") -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "oui"):
        return True
    if text in ("0", "false", "non"):
        return False
    raise ValueError(f"{field}: not a boolean: {value!r}")


# ------------------------------------------------------------------ hashing


def record_hash(record: Any) -> str:
    """SHA-256 of a record's canonical JSON (sorted keys): independent of whitespace and key order."""
    return canonical_hash(canonical_json(record))


def canonical_json(record: Any) -> bytes:
    """A record's canonical JSON (sorted keys, compact, UTF-8), the bytes :func:`record_hash` hashes.
    Raises ``TypeError`` for values JSON cannot hold (records built in code only)."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def canonical_hash(canonical: bytes) -> str:
    """:func:`record_hash` of the record whose :func:`canonical_json` is ``canonical``."""
    return hashlib.sha256(canonical).hexdigest()


# ------------------------------------------------------------------ mojibake

_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")


def looks_like_mojibake(text: str) -> bool:
    """UTF-8 read as Latin-1/CP1252 (``Ã©`` for ``é``, ``â€™`` for ``’``)."""
    return bool(_MOJIBAKE.search(text))

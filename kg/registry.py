"""The registry: every person (acteur) and organe read from the AMO files, merged by uid and indexed.

:func:`load_registry` reads files, folders and zip archives; the same uid met in several files (an
official and a cleaned copy of the same deputy, say) becomes ONE record: mandates are united by their
own uid, a value present in one copy and missing in the other is kept, and two different values are a
conflict, reported as a warning, where the file that comes first in sorted order wins. Bad records never
stop a load: they become error diagnostics.

:class:`Registry` answers the questions the mapping asks while it reads questions: who is this person,
which deputy mandate and which group did they hold on a given day, which organe is this.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import InputError
from kg.models import Mandate, Organe, Person, Substitute
from kg.report import Diagnostic
from kg.sources.amo import SOURCE_PATHS, RegistryRecordError, decode_registry_file
from kg.sources.files import InputFile, iter_input_files

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["Registry", "load_registry"]

ASSEMBLY = "ASSEMBLEE"
GROUP = "GP"


def _by_start(mandate: Mandate) -> tuple[date, str]:
    return (mandate.start or date.min, mandate.uid)


class Registry:
    """Persons and organes by uid, plus the indexes the mapping needs (built once, here)."""

    persons: Mapping[str, Person]
    organes: Mapping[str, Organe]
    mandates: Mapping[str, Mandate]
    diagnostics: list[Diagnostic]

    def __init__(
        self,
        persons: Mapping[str, Person] | None = None,
        organes: Mapping[str, Organe] | None = None,
        diagnostics: list[Diagnostic] | None = None,
    ) -> None:
        self.persons = dict(persons or {})
        self.organes = dict(organes or {})
        self.diagnostics = list(diagnostics or [])
        mandates: dict[str, Mandate] = {}
        assembly: dict[str, list[Mandate]] = {}
        groups: dict[str, list[Mandate]] = {}
        for person_uid in sorted(self.persons):
            person = self.persons[person_uid]
            for mandate in person.mandates:
                if mandate.uid in mandates:
                    self.diagnostics.append(
                        Diagnostic(
                            severity="warning",
                            file=person.sources[0].path if person.sources else "",
                            record=mandate.uid,
                            field="mandats.mandat.uid",
                            code="duplicate-mandate",
                            message=f"mandate {mandate.uid} is held by both {mandates[mandate.uid].person_uid} "
                            f"and {person_uid}; the lookup by uid returns the first",
                        )
                    )
                else:
                    mandates[mandate.uid] = mandate
                if mandate.organe_type == ASSEMBLY:
                    assembly.setdefault(person_uid, []).append(mandate)
                elif mandate.organe_type == GROUP:
                    groups.setdefault(person_uid, []).append(mandate)
        for index in (assembly, groups):
            for held in index.values():
                held.sort(key=_by_start)
        by_type: dict[str, list[Organe]] = {}
        for organe in self.organes.values():
            by_type.setdefault(organe.code_type, []).append(organe)
        for listed in by_type.values():
            listed.sort(key=lambda o: (o.start or date.min, o.uid))
        self.mandates = mandates
        self._assembly = assembly
        self._groups = groups
        self._by_type = by_type

    # ------------------------------------------------------------------ construction

    @classmethod
    def empty(cls) -> Registry:
        return cls()

    @classmethod
    def from_records(cls, records: Iterable[Person | Organe]) -> Registry:
        """A registry of records already decoded; the same uid given twice is merged as by the loader."""
        diagnostics: list[Diagnostic] = []
        persons, organes = _merge_all(
            ((record.sources[0].path if record.sources else "", record) for record in records), diagnostics
        )
        return cls(persons, organes, diagnostics)

    # ------------------------------------------------------------------ lookups

    def person(self, uid: str) -> Person | None:
        return self.persons.get(uid)

    def organe(self, uid: str) -> Organe | None:
        return self.organes.get(uid)

    def mandate(self, uid: str) -> Mandate | None:
        """Any mandate, by its PM uid."""
        return self.mandates.get(uid)

    def assembly_mandate_on(
        self, person_uid: str, day: date, legislature: int | None = None
    ) -> Mandate | None:
        """The person's deputy mandate (typeOrgane ASSEMBLEE) valid on ``day``; the latest started wins."""
        found: Mandate | None = None
        for mandate in self._assembly.get(person_uid, ()):
            if mandate.start is not None and mandate.start > day:
                break  # sorted by start: nothing later can be valid
            if mandate.valid_on(day) and (legislature is None or mandate.legislature == legislature):
                found = mandate
        return found

    def group_membership_on(self, person_uid: str, day: date) -> Mandate | None:
        """The person's political-group mandate (typeOrgane GP) valid on ``day``.

        When several are valid, prefer one whose organe is known as a GP organe, then the principal
        nomination (nominPrincipale), then the latest start.
        """
        best: Mandate | None = None
        best_key: tuple[bool, bool, date, str] | None = None
        for mandate in self._groups.get(person_uid, ()):
            if mandate.start is not None and mandate.start > day:
                break
            if not mandate.valid_on(day):
                continue
            key = (self._is_group_organe(mandate), mandate.principal is True, *_by_start(mandate))
            if best_key is None or key > best_key:
                best, best_key = mandate, key
        return best

    def organes_of_type(self, code_type: str) -> list[Organe]:
        """Organes of one codeType (GP, MINISTERE, …), by start date then uid."""
        return list(self._by_type.get(code_type, ()))

    def _is_group_organe(self, mandate: Mandate) -> bool:
        for uid in mandate.organe_uids:
            organe = self.organes.get(uid)
            if organe is not None and organe.code_type == GROUP:
                return True
        return False

    def __repr__(self) -> str:
        return (
            f"Registry({len(self.persons)} persons, {len(self.organes)} organes, "
            f"{len(self.mandates)} mandates, {len(self.diagnostics)} diagnostics)"
        )


# ------------------------------------------------------------------ loading


def load_registry(paths: Sequence[Path]) -> Registry:
    """Read acteur and organe files and index them.

    Each path is a file, a folder searched recursively, or a zip (members streamed, nothing extracted).
    Bad files and records never raise: they become error diagnostics naming the file, record and field.
    Raises :class:`InputError` only when a path does not exist.
    """
    roots = [Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise InputError("no such file or folder", file=str(root))
    diagnostics: list[Diagnostic] = []
    listed: list[tuple[str, int, InputFile]] = []
    for index, root in enumerate(roots):
        listed.extend((found.name, index, found) for found in iter_input_files(root))
    listed.sort(key=lambda entry: (entry[0], entry[1]))
    repeated = {name for name, count in Counter(name for name, _, _ in listed).items() if count > 1}

    decoded: list[tuple[str, Person | Organe]] = []
    for name, _, found in listed:
        label = _disk_name(found) if name in repeated else name
        if found.suffix != ".json" and found.error is None:
            diagnostics.append(
                Diagnostic(
                    severity="warning",
                    file=name,
                    code="unsupported-format",
                    message=f"{found.suffix} registry files are not read (only the JSON dumps are); skipped",
                )
            )
            continue
        try:
            for item in decode_registry_file(name, found.read_bytes()):
                if isinstance(item, Diagnostic):
                    diagnostics.append(item)
                else:
                    decoded.append((label, item))
        except InputError as exc:
            diagnostics.append(
                Diagnostic(
                    severity="error",
                    file=exc.file or name,
                    record=exc.record,
                    field=exc.field,
                    code=exc.code if isinstance(exc, RegistryRecordError) else "unreadable",
                    message=f"{exc.message}; record skipped",
                )
            )
    persons, organes = _merge_all(decoded, diagnostics)
    return Registry(persons, organes, diagnostics)


def _disk_name(found: InputFile) -> str:
    return f"{found.path}!/{found.member}" if found.member else str(found.path)


# ------------------------------------------------------------------ merging

_T = TypeVar("_T", bound="DataclassInstance")
_Step = str | tuple[str, str]  # an attribute, or (attribute, key) to pick one item of a keyed tuple
#: Tuples of domain objects merged item by item, by this key attribute.
_KEYED = {"mandates": "uid", "substitutes": "person_uid"}


def _merge_all(
    decoded: Iterable[tuple[str, Person | Organe]], diagnostics: list[Diagnostic]
) -> tuple[dict[str, Person], dict[str, Organe]]:
    """Merge records by uid, in the order given (the first file wins conflicts)."""
    groups: dict[str, list[tuple[str, Person | Organe]]] = {}
    for label, record in decoded:
        groups.setdefault(record.uid, []).append((label, record))
    persons: dict[str, Person] = {}
    organes: dict[str, Organe] = {}
    for uid, parts in groups.items():
        merged = parts[0][1]
        for position in range(1, len(parts)):
            label, record = parts[position]
            if type(record) is not type(merged):  # decoding checks uid prefixes; from_records does not
                diagnostics.append(
                    Diagnostic(
                        severity="error",
                        file=label,
                        record=uid,
                        field="uid",
                        code="uid-clash",
                        message=f"uid {uid} names both a person and an organe; the {type(record).__name__} "
                        f"of {label} is dropped",
                    )
                )
                continue
            merger = _Merger(uid, parts[:position], label, diagnostics)
            merged = merger.merge(merged, record, (), "")
        if isinstance(merged, Person):
            persons[uid] = merged
        else:
            organes[uid] = merged
    return persons, organes


class _Merger:
    """Merges one record into what earlier files gave for the same uid, reporting conflicts."""

    def __init__(
        self,
        uid: str,
        earlier: list[tuple[str, Person | Organe]],
        incoming: str,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.uid = uid
        self.earlier = earlier
        self.incoming = incoming
        self.diagnostics = diagnostics

    def merge(self, kept: _T, other: _T, steps: tuple[_Step, ...], prefix: str) -> _T:
        """``kept`` with what ``other`` adds; ``steps`` locate it in the record, ``prefix`` in the source."""
        paths = SOURCE_PATHS.get(type(kept), {})
        changes: dict[str, Any] = {}
        for spec in dataclasses.fields(kept):
            name = spec.name
            mine, theirs = getattr(kept, name), getattr(other, name)
            if mine == theirs:
                continue
            if name == "sources":
                changes[name] = mine + tuple(s for s in theirs if s not in mine)
            elif _missing(theirs):
                continue
            elif _missing(mine):
                changes[name] = theirs
            elif name in _KEYED:
                united = self._unite(mine, theirs, name, steps, f"{prefix}{paths[name]}.")
                if united is not None:
                    changes[name] = united
                else:
                    self._conflict(steps, name, f"{prefix}{paths[name]}", mine, theirs)
            elif dataclasses.is_dataclass(mine):
                changes[name] = self.merge(mine, theirs, (*steps, name), f"{prefix}{paths[name]}.")
            else:
                self._conflict(steps, name, prefix + paths.get(name, name), mine, theirs)
        return dataclasses.replace(kept, **changes) if changes else kept

    def _unite(
        self, mine: tuple[Any, ...], theirs: tuple[Any, ...], name: str, steps: tuple[_Step, ...], prefix: str
    ) -> tuple[Any, ...] | None:
        """The union of two keyed tuples, items with the same key merged; None if keys repeat."""
        key = _KEYED[name]
        by_key = {getattr(item, key): item for item in mine}
        theirs_keys = [getattr(item, key) for item in theirs]
        if len(by_key) != len(mine) or len(set(theirs_keys)) != len(theirs):
            return None
        for item_key, item in zip(theirs_keys, theirs, strict=True):
            if item_key in by_key:
                by_key[item_key] = self.merge(by_key[item_key], item, (*steps, (name, item_key)), prefix)
            else:
                by_key[item_key] = item
        united = tuple(by_key.values())
        if name == "mandates":
            united = tuple(sorted(united, key=_by_start))
        return united

    def _conflict(self, steps: tuple[_Step, ...], name: str, path: str, mine: Any, theirs: Any) -> None:
        origin = next(
            (label for label, record in self.earlier if _locate(record, (*steps, name)) == mine),
            self.earlier[0][0],
        )
        within = "".join(
            f"{attr.rstrip('s')} {key}: " for attr, key in (s for s in steps if isinstance(s, tuple))
        )
        self.diagnostics.append(
            Diagnostic(
                severity="warning",
                file=self.incoming,
                record=self.uid,
                field=path,
                code="conflict",
                message=f"{within}{origin} has {_show(mine)}, {self.incoming} has {_show(theirs)}; "
                f"keeping the value of {origin}",
            )
        )


def _missing(value: Any) -> bool:
    return value is None or value == () or value == ""


def _locate(record: Any, steps: tuple[_Step, ...]) -> Any:
    value = record
    for step in steps:
        if isinstance(step, tuple):
            attr, key = step
            value = next((item for item in getattr(value, attr) if getattr(item, _KEYED[attr]) == key), None)
        else:
            value = getattr(value, step)
        if value is None:
            return None
    return value


def _show(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, Substitute):
        return f"{value.person_uid} {_show(value.start)}..{_show(value.end)}"
    return repr(value)

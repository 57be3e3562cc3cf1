"""Registry: acteur and organe files of both shapes, decoded, merged and indexed (kg.sources.amo, kg.registry)."""

from __future__ import annotations

import dataclasses
import itertools
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.models import Election, Mandate, MandateTerm, Organe, Person, Substitute
from kg.registry import Registry, load_registry
from kg.report import Diagnostic
from kg.sources.amo import SOURCE_PATHS, RegistryRecordError, decode_registry_file
from kg.sources.amo_wire import ACTEUR_FIELDS, IGNORED_REGISTRY_FIELDS, MARKUP_KEYS, ORGANE_FIELDS
from kg.sources.values import is_nil, one_or_many, parse_bool, parse_date, parse_int

FIXTURES = Path(__file__).parent / "fixtures" / "registry"
OFFICIAL = "an17-amo-officiel"
CLEANED = "amo-nettoye"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.json"))
DAY = date(2021, 7, 27)


def decode(path: Path, name: str | None = None) -> tuple[Person | Organe, list[Diagnostic]]:
    items = list(decode_registry_file(name or path.relative_to(FIXTURES).as_posix(), path.read_bytes()))
    records = [item for item in items if not isinstance(item, Diagnostic)]
    assert len(records) == 1
    return records[0], [item for item in items if isinstance(item, Diagnostic)]


def without_sources(record: Any) -> Any:
    return dataclasses.replace(record, sources=())


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([FIXTURES])


# ------------------------------------------------------------------ every fixture, no error, no loss


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_decodes_without_any_diagnostic(path: Path) -> None:
    record, diagnostics = decode(path)
    assert diagnostics == []
    assert record.uid == path.stem
    assert record.sources[0].path == path.relative_to(FIXTURES).as_posix()
    assert len(record.sources[0].sha256) == 64


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every leaf that holds a value; nil objects and blanks hold none."""
    if isinstance(value, dict):
        if is_nil(value):
            return
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    elif not is_nil(value):
        yield path, value


def _get(raw: dict[str, Any], path: str) -> Any:
    value: Any = raw
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _matches(held: Any, raw: Any) -> bool:
    if isinstance(held, tuple):
        return any(_matches(item, raw) for item in held)
    if isinstance(held, bool):
        return held == parse_bool(raw)
    if isinstance(held, int):
        return held == parse_int(raw)
    if isinstance(held, date):
        return held == parse_date(raw)
    return bool(held == raw)


_NESTED: dict[str, type] = {
    "mandates": Mandate,
    "election": Election,
    "term": MandateTerm,
    "substitutes": Substitute,
}
_KEYS = {"mandates": ("uid", "uid"), "substitutes": ("person_uid", "suppleantRef")}


def _unaccounted(raw: dict[str, Any], held: Any, cls: type, prefix: str) -> list[str]:
    """Source leaves (with values) that the domain object does not hold, nor the ignored lists explain."""
    table = SOURCE_PATHS[cls]
    missing: list[str] = []
    for path, value in _leaves(raw):
        full = prefix + path
        if path.rsplit(".", 1)[-1] in MARKUP_KEYS:
            continue
        if any(full == ignored or full.startswith(ignored + ".") for ignored in IGNORED_REGISTRY_FIELDS):
            continue
        owners = [attr for attr, src in table.items() if path == src or path.startswith(src + ".")]
        if not owners:
            missing.append(full)
        elif owners[0] not in _NESTED and not _matches(getattr(held, owners[0]), value):
            missing.append(f"{full}={value!r} (domain {owners[0]}={getattr(held, owners[0])!r})")
    for attr, sub_cls in _NESTED.items():
        if attr not in table:
            continue
        sub_path = table[attr]
        sub_raw = _get(raw, sub_path)
        if attr in _KEYS:
            key, raw_key = _KEYS[attr]
            by_key = {getattr(item, key): item for item in getattr(held, attr)}
            for item in one_or_many(sub_raw):
                found = by_key.get(item.get(raw_key))
                if found is None:
                    missing.append(f"{prefix}{sub_path}: {item.get(raw_key)} not in the domain")
                else:
                    missing += _unaccounted(item, found, sub_cls, f"{prefix}{sub_path}.")
        elif not is_nil(sub_raw):
            sub = getattr(held, attr)
            if sub is None:
                missing.append(f"{prefix}{sub_path}: block dropped")
            else:
                missing += _unaccounted(sub_raw, sub, sub_cls, f"{prefix}{sub_path}.")
    return missing


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_loses_nothing(path: Path) -> None:
    raw = orjson.loads(path.read_bytes())
    raw = raw.get("acteur") or raw.get("organe") or raw
    record, _ = decode(path)
    known = ACTEUR_FIELDS if isinstance(record, Person) else ORGANE_FIELDS
    assert {leaf for leaf, _ in _leaves(raw)} - known == set()
    assert _unaccounted(raw, record, type(record), "") == []
    if isinstance(record, Person):
        assert len(record.mandates) == len(one_or_many(_get(raw, "mandats.mandat")))


def test_field_lists_name_source_paths_without_root_key() -> None:
    assert {
        "uid.#text",
        "etatCivil.ident.nom",
        "mandats.mandat.election.lieu.numDepartement",
    } <= ACTEUR_FIELDS
    assert "mandats.mandat.collaborateurs.collaborateur.nom" in ACTEUR_FIELDS
    assert "adresses.adresse.valElec" in ACTEUR_FIELDS
    assert {
        "uid",
        "codeType",
        "viMoDe.dateDebut",
        "lieu.departement.code",
        "listePays.paysRef",
    } <= ORGANE_FIELDS
    assert not any(path.startswith(("acteur.", "organe.")) for path in ACTEUR_FIELDS | ORGANE_FIELDS)
    assert set(IGNORED_REGISTRY_FIELDS) == {"adresses", "mandats.mandat.collaborateurs"}
    assert all(IGNORED_REGISTRY_FIELDS.values())


# ------------------------------------------------------------------ the two shapes


def _clean(value: Any) -> Any:
    """What the cleaned re-export did to official files: no @xmlns keys, no nil objects."""
    if isinstance(value, dict):
        return {
            key: _clean(item)
            for key, item in value.items()
            if key not in ("@xmlns", "@xmlns:xsi") and not (isinstance(item, dict) and is_nil(item))
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "acteurs" / OFFICIAL).glob("*.json")), ids=lambda p: p.stem
)
def test_official_and_cleaned_shape_of_the_same_record_give_the_same_person(
    path: Path, tmp_path: Path
) -> None:
    raw = orjson.loads(path.read_bytes())
    cleaned = tmp_path / path.name
    cleaned.write_bytes(orjson.dumps(_clean(raw["acteur"]), option=orjson.OPT_INDENT_2))
    official, _ = decode(path)
    bare, diagnostics = decode(cleaned, name=path.name)
    assert diagnostics == []
    assert without_sources(bare) == without_sources(official)


@pytest.mark.parametrize("uid", ["PA345722", "PA793194", "PA842279"])
def test_real_copies_of_both_shapes_agree(uid: str) -> None:
    """The two real copies are snapshots two months apart: identity equal, shared mandates equal."""
    official, _ = decode(FIXTURES / "acteurs" / OFFICIAL / f"{uid}.json")
    cleaned, _ = decode(FIXTURES / "acteurs" / CLEANED / f"{uid}.json")
    assert isinstance(official, Person) and isinstance(cleaned, Person)
    assert dataclasses.replace(official, sources=(), mandates=()) == dataclasses.replace(
        cleaned, sources=(), mandates=()
    )
    history = {mandate.uid: mandate for mandate in cleaned.mandates}
    shared = [mandate for mandate in official.mandates if mandate.uid in history]
    assert shared and all(history[mandate.uid] == mandate for mandate in shared)


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "organes" / OFFICIAL).glob("*.json")), ids=lambda p: p.stem
)
def test_organe_in_both_shapes_is_the_same_organe(path: Path) -> None:
    official, _ = decode(path)
    cleaned, _ = decode(FIXTURES / "organes" / CLEANED / path.name)
    assert without_sources(official) == without_sources(cleaned)


def test_bare_record_is_recognised_by_uid_prefix_and_keys() -> None:
    person = next(decode_registry_file("p.json", b'{"uid": "PA1", "etatCivil": {"ident": {"nom": "X"}}}'))
    assert isinstance(person, Person) and person.family_name == "X"
    organe = next(decode_registry_file("o.json", b'{"uid": "PO1", "codeType": "GP", "libelle": "G"}'))
    assert isinstance(organe, Organe) and organe.code_type == "GP"
    with pytest.raises(RegistryRecordError, match="cannot tell") as caught:
        list(decode_registry_file("x.json", b'{"uid": "PA1", "codeType": "GP"}'))
    assert caught.value.field == "uid"
    with pytest.raises(RegistryRecordError, match="not an organe uid"):
        list(decode_registry_file("x.json", b'{"organe": {"uid": "PA1", "codeType": "GP"}}'))


# ------------------------------------------------------------------ conversion details


def test_constance_le_grip_and_her_deputy_mandate(registry: Registry) -> None:
    person = registry.person("PA345722")
    assert person is not None
    assert (person.civility, person.given_name, person.family_name) == ("Mme", "Constance", "Le Grip")
    assert person.birth_date == date(1960, 11, 14)
    mandate = registry.mandate("PM723428")
    assert mandate is not None and mandate.person_uid == "PA345722"
    assert mandate.organe_type == "ASSEMBLEE" and mandate.legislature == 15
    assert (mandate.start, mandate.end) == (date(2017, 6, 18), date(2022, 6, 21))
    assert mandate.principal is True and mandate.precedence == 50
    assert mandate.election == Election(
        region="Ile-de-France",
        region_type="Métropolitain",
        department="Hauts-de-Seine",
        department_code="92",
        constituency_number=6,
        cause="élections générales",
        constituency_organe_uid="PO718444",
    )
    assert mandate.term is not None and mandate.term.taking_office == date(2017, 6, 21)
    assert mandate.term.first_election is False and mandate.term.end_cause == "Fin de législature"
    assert mandate.substitutes == (Substitute("PA721942", date(2017, 6, 18), date(2022, 6, 21)),)
    constituency = registry.organe("PO718444")
    assert constituency is not None and constituency.code_type == "CIRCONSCRIPTION"
    assert (constituency.department_code, constituency.number) == ("92", 6)


def test_example_lookups(registry: Registry) -> None:
    assembly = registry.assembly_mandate_on("PA345722", DAY)
    assert assembly is not None and assembly.uid == "PM723428"
    assert registry.assembly_mandate_on("PA345722", DAY, legislature=15) == assembly
    assert registry.assembly_mandate_on("PA345722", DAY, legislature=16) is None
    group = registry.group_membership_on("PA345722", DAY)
    assert group is not None and group.organe_uids == ("PO730934",)
    before_group = registry.group_membership_on("PA345722", date(2017, 6, 22))
    assert before_group is not None and before_group.organe_uids == ("PO723569",)
    assert registry.assembly_mandate_on("PA345722", date(2017, 6, 1)) is None
    assert (
        registry.assembly_mandate_on("PA0", DAY) is None and registry.group_membership_on("PA0", DAY) is None
    )
    digital = registry.organe("PO774113")
    assert digital is not None and digital.valid_on(DAY) and not digital.valid_on(date(2022, 3, 6))
    assert (digital.start, digital.end, digital.parent_uid) == (
        date(2020, 7, 27),
        date(2022, 3, 5),
        "PO773371",
    )
    health = registry.organe("PO791605")
    assert (
        health is not None and health.valid_on(date(2022, 5, 21)) and not health.valid_on(date(2022, 5, 20))
    )
    assert health.short_label == "Santé et prévention"
    interior = registry.organe("PO801854")
    assert interior is not None and interior.previous_uid == "PO791593" and interior.parent_uid == "PO791579"
    group_organe = registry.organe("PO730934")
    assert group_organe is not None and group_organe.color == "#1C2EFA" and group_organe.legislature == 15


def test_one_or_many_and_kept_as_written(registry: Registry) -> None:
    mayotte = registry.assembly_mandate_on("PA842279", date(2025, 1, 1))
    assert mayotte is not None and mayotte.election is not None
    assert mayotte.election.department_code == "976"
    corsica = registry.person("PA605782")
    assert corsica is not None
    assert any(m.election and m.election.department_code == "2A" for m in corsica.mandates)
    abroad = registry.person("PA795326")
    assert abroad is not None and any(
        m.election and m.election.department_code == "099" for m in abroad.mandates
    )
    single = registry.person("PA720134")
    assert single is not None and len(single.mandates) == 1
    several = registry.person("PA722078")
    assert several is not None and any(len(m.organe_uids) == 2 for m in several.mandates)
    assert any(m.previous_mission_uid or m.next_mission_uid for m in several.mandates)
    dead = registry.person("PA717151")
    assert dead is not None and dead.death_date == date(2021, 1, 13)
    no_mandates = registry.person("PA841167")
    assert no_mandates is not None and no_mandates.mandates == ()
    countries = registry.organe("PO851355")
    assert (
        countries is not None
        and len(countries.country_refs) == 7
        and countries.approval_date == date(2024, 11, 20)
    )
    secretariat = registry.organe("PO58976")
    assert secretariat is not None and len(secretariat.secretaries) == 2
    external = registry.organe("PO191887")
    assert external is not None and external.meetings_per_year == 2 and external.legal_regime


def test_registry_indexes(registry: Registry) -> None:
    assert [o.uid for o in registry.organes_of_type("GOUVERNEMENT")] == ["PO773371", "PO791579"]
    assert {o.code_type for o in registry.organes_of_type("GP")} == {"GP"}
    assert {"PO717460", "PO838901"} <= {o.uid for o in registry.organes_of_type("ASSEMBLEE")}
    assert registry.organes_of_type("NOPE") == []
    assert (
        registry.organe("PO0") is None and registry.person("PA0") is None and registry.mandate("PM0") is None
    )
    empty = Registry.empty()
    assert not empty.persons and not empty.organes and empty.diagnostics == []
    assert empty.assembly_mandate_on("PA345722", DAY) is None


def test_group_membership_prefers_a_group_organe_then_the_principal_nomination() -> None:
    def group(uid: str, organe: str, principal: bool, start: date) -> Mandate:
        return Mandate(uid, "PA1", "GP", (organe,), principal=principal, start=start)

    persons = {
        "PA1": Person(
            "PA1",
            mandates=(
                group("PM1", "PO1", True, date(2020, 1, 1)),
                group("PM2", "PO9", True, date(2021, 1, 1)),  # organe not a GP in the registry
                group("PM3", "PO2", False, date(2020, 6, 1)),
            ),
        )
    }
    organes = {"PO1": Organe("PO1", "GP"), "PO2": Organe("PO2", "GP"), "PO9": Organe("PO9", "PARPOL")}
    chosen = Registry(persons, organes).group_membership_on("PA1", date(2021, 6, 1))
    assert chosen is not None and chosen.uid == "PM1"
    only_groups = Registry(persons, {"PO9": Organe("PO9", "GP")}).group_membership_on("PA1", date(2021, 6, 1))
    assert only_groups is not None and only_groups.uid == "PM2"


# ------------------------------------------------------------------ merging


def test_loading_everything_merges_both_shapes_without_error(registry: Registry) -> None:
    assert [d for d in registry.diagnostics if d.severity == "error"] == []
    assert [d.code for d in registry.diagnostics] == [] or {d.code for d in registry.diagnostics} == {
        "conflict"
    }
    person = registry.person("PA345722")
    assert person is not None
    assert [s.path for s in person.sources] == [
        f"acteurs/{CLEANED}/PA345722.json",
        f"acteurs/{OFFICIAL}/PA345722.json",
    ]
    official, _ = decode(FIXTURES / "acteurs" / OFFICIAL / "PA345722.json")
    cleaned, _ = decode(FIXTURES / "acteurs" / CLEANED / "PA345722.json")
    assert isinstance(official, Person) and isinstance(cleaned, Person)
    expected = {m.uid for m in official.mandates} | {m.uid for m in cleaned.mandates}
    assert {m.uid for m in person.mandates} == expected
    assert len(expected) > len(cleaned.mandates)
    starts = [m.start or date.min for m in person.mandates]
    assert starts == sorted(starts)
    organe = registry.organe("PO730934")
    assert organe is not None and len(organe.sources) == 2


def _write(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(record))


def test_merge_keeps_present_values_and_reports_conflicts(tmp_path: Path) -> None:
    raw = orjson.loads((FIXTURES / "acteurs" / CLEANED / "PA345722.json").read_bytes())
    first = orjson.loads(orjson.dumps(raw))
    del first["uri_hatvp"]  # missing in the first file, present in the second: kept, no conflict
    first["mandats"]["mandat"] = [m for m in first["mandats"]["mandat"] if m["uid"] != "PM731378"]
    second = orjson.loads(orjson.dumps(raw))
    second["profession"]["libelleCourant"] = "Autre profession"
    for mandate in second["mandats"]["mandat"]:
        if mandate["uid"] == "PM723428":
            mandate["dateFin"] = "2022-06-30"
            mandate["election"]["lieu"]["region"] = "Île-de-France"
    _write(tmp_path / "a" / "PA345722.json", first)
    _write(tmp_path / "b" / "PA345722.json", second)

    loaded = load_registry([tmp_path])
    person = loaded.person("PA345722")
    assert person is not None
    assert person.profession == "Conseillère parlementaire"  # a/ sorts first and wins
    assert person.hatvp_url == "https://www.hatvp.fr/pages_nominatives/le-grip-constance"
    assert loaded.mandate("PM731378") is not None  # only in b/: kept
    mandate = loaded.mandate("PM723428")
    assert mandate is not None and mandate.end == date(2022, 6, 21)
    assert mandate.election is not None and mandate.election.region == "Ile-de-France"
    assert [s.path for s in person.sources] == ["a/PA345722.json", "b/PA345722.json"]
    conflicts = {d.field: d for d in loaded.diagnostics if d.code == "conflict"}
    assert set(conflicts) == {
        "profession.libelleCourant",
        "mandats.mandat.dateFin",
        "mandats.mandat.election.lieu.region",
    }
    assert all(d.severity == "warning" and d.record == "PA345722" for d in conflicts.values())
    message = conflicts["profession.libelleCourant"].message
    assert "a/PA345722.json" in message and "b/PA345722.json" in message
    assert "'Conseillère parlementaire'" in message and "'Autre profession'" in message
    assert "PM723428" in conflicts["mandats.mandat.dateFin"].message
    assert "2022-06-21" in conflicts["mandats.mandat.dateFin"].message
    assert [d for d in loaded.diagnostics if d.code != "conflict"] == []


def test_merge_order_follows_file_names_not_argument_order(tmp_path: Path) -> None:
    raw = orjson.loads((FIXTURES / "organes" / CLEANED / "PO730934.json").read_bytes())
    _write(tmp_path / "z" / "PO730934.json", raw | {"libelleAbrege": "ZZ"})
    _write(tmp_path / "m" / "PO730934.json", raw | {"libelleAbrege": "MM"})
    for paths in ([tmp_path / "z", tmp_path / "m"], [tmp_path / "m", tmp_path / "z"]):
        organe = load_registry(paths).organe("PO730934")  # equal names: ties follow argument order
        assert organe is not None and organe.short_label == ("ZZ" if paths[0].name == "z" else "MM")
    organe = load_registry([tmp_path]).organe("PO730934")
    assert organe is not None and organe.short_label == "MM"


def test_from_records_merges_like_the_loader() -> None:
    cleaned, _ = decode(FIXTURES / "acteurs" / CLEANED / "PA345722.json")
    official, _ = decode(FIXTURES / "acteurs" / OFFICIAL / "PA345722.json")
    merged = Registry.from_records([cleaned, official])
    loaded = load_registry([FIXTURES])
    assert merged.person("PA345722") == loaded.person("PA345722")


# ------------------------------------------------------------------ inputs: folder, zip, file, bad files


def test_zip_folder_and_file_inputs_give_the_same_registry(tmp_path: Path, registry: Registry) -> None:
    archive = tmp_path / "registry.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in FIXTURE_FILES:
            out.write(path, path.relative_to(FIXTURES).as_posix())
    zipped = load_registry([archive])
    assert zipped.diagnostics == registry.diagnostics or [d.severity for d in zipped.diagnostics] == [
        d.severity for d in registry.diagnostics
    ]
    assert {uid: without_sources(p) for uid, p in zipped.persons.items()} == {
        uid: without_sources(p) for uid, p in registry.persons.items()
    }
    assert {uid: without_sources(o) for uid, o in zipped.organes.items()} == {
        uid: without_sources(o) for uid, o in registry.organes.items()
    }
    person = zipped.person("PA345722")
    assert person is not None and person.sources[0].path == f"registry.zip!/acteurs/{CLEANED}/PA345722.json"
    single = load_registry([FIXTURES / "organes" / CLEANED / "PO774113.json"])
    assert (
        list(single.organes) == ["PO774113"] and single.organes["PO774113"].sources[0].path == "PO774113.json"
    )


def test_bad_files_become_diagnostics_never_exceptions(tmp_path: Path) -> None:
    good = FIXTURES / "organes" / CLEANED / "PO774113.json"
    (tmp_path / "good.json").write_bytes(good.read_bytes())
    (tmp_path / "broken.json").write_bytes(b'{"uid": "PA1", ')
    _write(tmp_path / "nouid.json", {"acteur": {"etatCivil": {"ident": {"nom": "X"}}}})
    _write(tmp_path / "bare-nouid.json", {"codeType": "GP", "libelle": "G"})
    _write(tmp_path / "neither.json", {"foo": 1})
    _write(tmp_path / "baddate.json", {"uid": "PO2", "codeType": "GP", "viMoDe": {"dateDebut": "2021-02-31"}})
    _write(tmp_path / "badtype.json", {"uid": "PO3", "codeType": "GP", "libelle": ["a", "b"]})
    (tmp_path / "notes.xml").write_bytes(b"<organe/>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a-bad.zip").write_bytes(b"not a zip")
    (tmp_path / "sub" / "z.json").write_bytes(good.read_bytes().replace(b"PO774113", b"PO9"))

    loaded = load_registry([tmp_path])
    assert set(loaded.organes) == {"PO774113", "PO9"}  # the folder walk goes on after the bad zip
    errors = {d.file: d for d in loaded.diagnostics if d.severity == "error"}
    assert set(errors) == {
        "broken.json",
        "nouid.json",
        "bare-nouid.json",
        "neither.json",
        "baddate.json",
        "badtype.json",
        "sub/a-bad.zip",
    }
    assert errors["broken.json"].code == "invalid-json" and "invalid JSON" in errors["broken.json"].message
    assert (errors["nouid.json"].code, errors["nouid.json"].field) == ("missing-uid", "uid")
    assert (errors["bare-nouid.json"].code, errors["bare-nouid.json"].field) == ("missing-uid", "uid")
    assert errors["neither.json"].code == "unrecognised-record"
    assert (errors["baddate.json"].record, errors["baddate.json"].field) == ("PO2", "viMoDe.dateDebut")
    assert "2021-02-31" in errors["baddate.json"].message
    assert (errors["badtype.json"].code, errors["badtype.json"].field) == ("invalid-record", "libelle")
    assert errors["sub/a-bad.zip"].code == "unreadable"
    warnings = [d for d in loaded.diagnostics if d.severity == "warning"]
    assert [(d.file, d.code) for d in warnings] == [("notes.xml", "unsupported-format")]
    assert all("\n" not in d.one_line() for d in loaded.diagnostics)


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_registry([tmp_path / "nope"])


def test_decode_raises_one_line_input_errors() -> None:
    with pytest.raises(InputError) as caught:
        list(decode_registry_file("x.json", b"[1, 2]"))
    assert caught.value.file == "x.json" and "\n" not in str(caught.value)
    with pytest.raises(InputError) as caught:
        list(
            decode_registry_file("y.json", b'{"uid": "PO1", "codeType": "GP", "viMoDe": {"dateFin": "soon"}}')
        )
    assert str(caught.value).startswith("y.json [PO1] viMoDe.dateFin: ")


def test_unknown_fields_are_reported_at_any_depth(tmp_path: Path) -> None:
    raw = orjson.loads((FIXTURES / "acteurs" / OFFICIAL / "PA345722.json").read_bytes())
    raw["acteur"]["nouveau"] = "x"
    raw["acteur"]["etatCivil"]["ident"]["surnom"] = "y"
    for mandate in raw["acteur"]["mandats"]["mandat"]:
        mandate["election2"] = {"a": 1}
    items = list(decode_registry_file("PA345722.json", orjson.dumps(raw)))
    warnings = {d.field: d for d in items if isinstance(d, Diagnostic)}
    assert set(warnings) == {"nouveau", "etatCivil.ident.surnom", "mandats.mandat.election2"}
    assert all(d.severity == "warning" and d.code == "unknown-field" for d in warnings.values())
    assert warnings["mandats.mandat.election2"].record == "PA345722"
    assert isinstance(items[-1], Person)


def test_a_mandate_of_someone_else_is_dropped_with_an_error(tmp_path: Path) -> None:
    raw = orjson.loads((FIXTURES / "acteurs" / CLEANED / "PA720134.json").read_bytes())
    mandate = raw["mandats"]["mandat"]
    raw["mandats"]["mandat"] = [mandate, mandate | {"uid": "PM999", "acteurRef": "PA1"}]
    _write(tmp_path / "PA720134.json", raw)
    loaded = load_registry([tmp_path])
    person = loaded.person("PA720134")
    assert person is not None and [m.uid for m in person.mandates] == [mandate["uid"]]
    assert loaded.mandate("PM999") is None
    (error,) = loaded.diagnostics
    assert (error.severity, error.code, error.record, error.field) == (
        "error",
        "bad-mandate",
        "PM999",
        "mandats.mandat.acteurRef",
    )
    assert "PA1" in error.message and "PA720134" in error.message


def test_a_mandate_uid_held_by_two_persons_is_reported() -> None:
    shared = Mandate("PM1", "PA1", "GP")
    registry = Registry({"PA1": Person("PA1", mandates=(shared,)), "PA2": Person("PA2", mandates=(shared,))})
    assert registry.mandate("PM1") is shared
    (warning,) = registry.diagnostics
    assert (warning.code, warning.record) == ("duplicate-mandate", "PM1")


def _reshape(value: Any, flips: Iterator[bool]) -> Any:
    """Write some one-element lists as bare objects and some bare objects as one-element lists."""
    if isinstance(value, dict):
        return {
            key: (
                [_reshape(item, flips)]
                if key in ("mandat", "suppleant", "organeRef", "adresse")
                and not isinstance(item, list)
                and next(flips)
                else _reshape(item, flips)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        if len(value) == 1 and next(flips):
            return _reshape(value[0], flips)
        return [_reshape(item, flips) for item in value]
    return value


@settings(max_examples=30, deadline=None)
@given(flips=st.lists(st.booleans(), min_size=1), name=st.sampled_from(["PA345722", "PA720134", "PA722078"]))
def test_one_or_many_either_way_gives_the_same_person(flips: list[bool], name: str) -> None:
    path = FIXTURES / "acteurs" / CLEANED / f"{name}.json"
    reference, _ = decode(path)
    cycle = itertools.cycle(flips)
    reshaped = _reshape(orjson.loads(path.read_bytes()), cycle)
    items = list(decode_registry_file(path.name, orjson.dumps(reshaped)))
    assert not [d for d in items if isinstance(d, Diagnostic)]
    assert without_sources(items[-1]) == without_sources(reference)

"""The shapes, case by case: every conforming world (and every conforming variant of one) gives no result,
every violating fixture of shapes/fixtures/manifest.toml gives exactly its expected results with both
engines, and every shape is covered. (The shapes' reference page: tests/test_reference.py.)"""

from __future__ import annotations

import tomllib

import pytest

from kg.validation.check import Case, Manifest, load_manifest, run_case, shape_targets_in
from kg.validation.engines import fast_engine_available
from kg.validation.report import validate_triples
from kg.validation.results import Engine, compact
from kg.validation.shapes import Shapes, load_shapes

MANIFEST = load_manifest()


def _conforming_variants() -> list[Case]:
    """The manifest's [[conforming]] entries: a world less ``delete`` plus ``insert``, and no result at all."""
    data = tomllib.loads((MANIFEST.directory / "manifest.toml").read_text(encoding="utf-8"))
    return [
        Case(
            name=str(raw["name"]),
            world=str(raw["world"]),
            delete=tuple(raw.get("delete", ())),
            insert=tuple(raw.get("insert", ())),
            expected=(),
            note=str(raw.get("note", "")),
        )
        for raw in data.get("conforming", [])
    ]


CONFORMING = _conforming_variants()
ENGINES = [
    Engine.PYSHACL,
    pytest.param(
        Engine.FAST, marks=pytest.mark.skipif(not fast_engine_available(), reason="shacl-rust not installed")
    ),
]


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes()


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return MANIFEST


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("world", sorted(MANIFEST.worlds))
def test_world_conforms(manifest: Manifest, shapes: Shapes, world: str, engine: Engine) -> None:
    report = validate_triples(manifest.world_statements(world), engine=engine, shapes=shapes)
    assert report.results == (), "\n".join(r.one_line() for r in report.results)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CONFORMING, ids=[c.name for c in CONFORMING])
def test_conforming_variant_gives_no_result(
    manifest: Manifest, shapes: Shapes, case: Case, engine: Engine
) -> None:
    assert case.world in manifest.worlds
    outcome = run_case(manifest, case, engine, shapes)
    assert outcome.ok, outcome.explain()


def test_conforming_variants_are_not_the_worlds_themselves(manifest: Manifest) -> None:
    """Each variant changes its world (a delete that no longer matches would raise, an empty one is caught)."""
    assert len(CONFORMING) >= 5
    for case in CONFORMING:
        assert case.delete or case.insert, case.name
        assert manifest.statements(case) != manifest.world_statements(case.world), case.name


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", MANIFEST.cases, ids=[c.name for c in MANIFEST.cases])
def test_violating_fixture_gives_exactly_its_results(
    manifest: Manifest, shapes: Shapes, case: object, engine: Engine
) -> None:
    outcome = run_case(manifest, case, engine, shapes)  # type: ignore[arg-type]
    assert outcome.ok, outcome.explain()


def test_every_shape_has_a_violating_and_a_conforming_fixture(manifest: Manifest, shapes: Shapes) -> None:
    violated = {e.shape for case in manifest.cases for e in case.expected}
    conforming: set[str] = set()
    for world in manifest.worlds:
        conforming |= shape_targets_in(shapes, manifest.world_statements(world))
    groups = {iri for iri, info in shapes.info.items() if info.constraints == ("property",)}
    uncovered = [
        compact(iri)
        for iri, info in shapes.info.items()
        if iri not in violated
        and not (iri in groups and any(iri in shapes.info[p].parents for p in violated if p in shapes.info))
    ]
    assert uncovered == [], "shapes without a violating fixture"
    assert sorted(compact(i) for i in set(shapes.info) - conforming) == [], (
        "shapes without a conforming fixture"
    )


def test_each_case_names_one_shape_first_and_every_result_is_checked(manifest: Manifest) -> None:
    """The manifest can fail: a case that expects a result the data cannot give is reported."""
    case = manifest.cases[0]
    broken = type(case)(
        name="broken",
        world=case.world,
        delete=(),
        insert=(),
        expected=case.expected,
    )
    outcome = run_case(manifest, broken, Engine.PYSHACL)
    assert not outcome.ok and outcome.missing == case.expected


def test_the_shapes_are_parsed_once_per_process() -> None:
    """A build asks for the shapes several times; parsing them costs ~0.4 s each time."""
    from kg.validation.shapes import load_shapes

    assert load_shapes() is load_shapes()

"""Where the shipped data lives: the ontology, shapes, queries and the bundled sample.

``ontology/``, ``shapes/``, ``queries/`` at the top of a source checkout, or inside the installed wheel
(``kg/_resources/…``); the bundled sample in ``kg/data/sample``."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``ontology``, ``shapes`` or ``queries``: the installed copy first, else the checkout's."""
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ is missing from this installation of hemicycle-kg")


def ontology_file() -> Path:
    return resource_dir("ontology") / "hemicycle.ttl"


SAMPLE_DIR = _PACKAGE / "data" / "sample"
SAMPLE_QUESTIONS = SAMPLE_DIR / "questions"
SAMPLE_REGISTRY = SAMPLE_DIR / "registry"

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kg.build.pipeline import BuildSummary

FIXTURES = Path(__file__).parent / "fixtures"
#: the shapes' fixtures live beside the shapes (kg check reads them from an installed wheel too)
SHAPE_FIXTURES = Path(__file__).resolve().parent.parent / "shapes" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden graphs under tests/fixtures/golden from the current output.",
    )


@pytest.fixture(scope="session", autouse=True)
def _registry_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds run by the tests cache their registry in a folder of the session, never the user's cache
    (kg.build.registry_cache); child processes inherit it."""
    before = os.environ.get("KG_CACHE_DIR")
    os.environ["KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("registry-cache"))
    yield
    if before is None:
        os.environ.pop("KG_CACHE_DIR", None)
    else:
        os.environ["KG_CACHE_DIR"] = before


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


#: the date the served pages judge overdue questions at, in tests (pages do not change with the calendar)
SERVE_AS_OF = "2026-01-31"


@dataclass(frozen=True)
class SampleBuild:
    """The bundled sample, built once per test session (per xdist worker) and shared read-only."""

    summary: BuildSummary
    store: Path
    out: Path  # the N-Quads export
    quarantine: Path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> SampleBuild:
    """``kg build`` of the bundled sample into a store and an N-Quads file. Tests only read it: a test that
    writes to a store builds its own."""
    from kg.build.pipeline import BuildOptions, build
    from kg.export import FORMATS

    out = tmp_path_factory.mktemp("sample")
    summary = build(
        BuildOptions(
            store=out / "store",
            out=out / "hemicycle.nq",
            format=FORMATS["nq"],
            quarantine=out / "quarantine.jsonl",
        )
    )
    return SampleBuild(summary, out / "store", out / "hemicycle.nq", out / "quarantine.jsonl")


@pytest.fixture(scope="session")
def sample_store(sample_build: SampleBuild) -> Path:
    """The shared sample store's folder (read-only use)."""
    return sample_build.store


@pytest.fixture(scope="session")
def site_server(sample_store: Path) -> Iterator[Any]:
    """``kg serve --as-of 2026-01-31`` over the sample, on a free loopback port, shared by the session."""
    import datetime as dt

    from kg.serve.oxigraph import free_port
    from kg.serve.server import serve_site

    served = serve_site(sample_store, port=free_port(), as_of=dt.date.fromisoformat(SERVE_AS_OF), poll_s=0)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def writable_oxigraph(tmp_path: Path) -> Iterator[Any]:
    """A real ``oxigraph serve`` on a free loopback port over a new store in ``tmp_path/target``, writable
    (what ``kg load`` and ``kg update --load`` push into); stopped after the test."""
    from kg.serve.oxigraph import OxigraphServer, free_port

    server = OxigraphServer(tmp_path / "target", port=free_port(), read_only=False).start()
    try:
        yield server
    finally:
        server.stop()

"""Exporter mode, `kg build --no-store --out FILE`: the same triples as the export of a store build, no store."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build.pipeline import BuildOptions, build
from kg.cli import app
from kg.export import FORMATS
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY


def _timeless(line: str) -> str:
    """A summary line without its seconds."""
    return re.sub(r"\d+\.\d+ s\b", "", line)


def _options(tmp: Path, name: str, fmt: str, **more: object) -> BuildOptions:
    return BuildOptions(
        sources=(SAMPLE_QUESTIONS,),
        registries=(SAMPLE_REGISTRY,),
        store=tmp / f"{name}.store",
        out=tmp / f"{name}.{fmt}",
        format=FORMATS[fmt],
        quarantine=tmp / f"{name}.quarantine.jsonl",
        **({"jobs": 1, "cache": False} | more),  # type: ignore[arg-type]
    )


def _triples(path: Path, fmt: ox.RdfFormat) -> set[ox.Quad | ox.Triple]:
    return set(ox.parse(path=str(path), format=fmt))


@pytest.mark.parametrize(("fmt", "rdf"), [("nq", ox.RdfFormat.N_QUADS), ("ttl", ox.RdfFormat.TURTLE)])
def test_no_store_writes_what_a_store_build_exports(tmp_path: Path, fmt: str, rdf: ox.RdfFormat) -> None:
    stored = build(_options(tmp_path, "stored", fmt))
    exported = build(_options(tmp_path, "exported", fmt, no_store=True))
    assert not (tmp_path / "exported.store").exists()  # no store, no manifest
    assert not (tmp_path / "exported.store.manifest.json").exists()
    assert _timeless(exported.one_line()) == _timeless(stored.one_line())
    assert [d.one_line() for d in exported.diagnostics] == [d.one_line() for d in stored.diagnostics]
    mine, theirs = _triples(tmp_path / f"exported.{fmt}", rdf), _triples(tmp_path / f"stored.{fmt}", rdf)
    assert mine == theirs and len(mine) == stored.triples  # the description's counts included


def test_no_store_with_the_registry_cache_warm(tmp_path: Path) -> None:
    cache = {"cache": True, "cache_dir": tmp_path / "cache"}
    build(_options(tmp_path, "cold", "nt", **cache))
    warm = build(_options(tmp_path, "warm", "nt", no_store=True, **cache))
    assert warm.in_graph > 0
    cold_lines = set((tmp_path / "cold.nt").read_text(encoding="utf-8").splitlines())
    assert set((tmp_path / "warm.nt").read_text(encoding="utf-8").splitlines()) == cold_lines


@pytest.mark.parametrize("args", [["--no-store"], ["--no-store", "--out", "x.jsonld"]])
def test_no_store_needs_a_streamed_output(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["build", *args, "--quarantine", str(tmp_path / "q.jsonl"), "-q"])
    assert result.exit_code == 2, result.output
    assert "--no-store" in result.output and "Traceback" not in result.output

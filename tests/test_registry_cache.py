"""The registry cache: a warm build makes the same store as a cold one, a changed registry is read again,
concurrent builds share one cache safely, `kg cache clean` empties it (kg.build.registry_cache)."""

from __future__ import annotations

import multiprocessing
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build import pipeline, registry_cache
from kg.build.pipeline import BuildOptions, BuildSummary, build
from kg.build.registry_cache import RegistryCache, default_cache_dir
from kg.cli import app
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY


def _timeless(line: str) -> str:
    """A summary line without its seconds."""
    return re.sub(r"\d+\.\d+ s\b", "", line)


def _options(
    tmp: Path, store: str, cache: Path, registry: Path = SAMPLE_REGISTRY, **more: Any
) -> BuildOptions:
    return BuildOptions(
        sources=(SAMPLE_QUESTIONS,),
        registries=(registry,),
        store=tmp / store,
        quarantine=tmp / f"{store}.quarantine.jsonl",
        cache_dir=cache,
        jobs=1,
        **more,
    )


def _quads(store: Path) -> set[str]:
    """Every quad of a store, as N-Quads lines (blank nodes are not used by the mapping)."""
    opened = ox.Store.read_only(str(store))
    try:
        return {str(q) for q in opened}
    finally:
        del opened


class _Calls:
    """Counts the calls of a function while delegating to it (the real work is done)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.count = 0
        real: Callable[..., Any] = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


def _same_report(cold: BuildSummary, warm: BuildSummary) -> None:
    assert _timeless(warm.one_line()) == _timeless(cold.one_line())
    assert [d.one_line() for d in warm.diagnostics] == [d.one_line() for d in cold.diagnostics]
    assert warm.quarantine == cold.quarantine


def test_a_warm_build_makes_the_same_store_as_a_cold_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cold = build(_options(tmp_path, "cold", cache))
    entry = RegistryCache(cache).entry_of(next((cache / "registry").iterdir()).name)
    assert entry.has_store() and entry.meta() is not None and entry.registry() is not None

    reads = _Calls(monkeypatch, registry_cache, "load_registry")
    maps = _Calls(monkeypatch, pipeline, "RegistryMapper")
    warm = build(_options(tmp_path, "warm", cache))
    assert (reads.count, maps.count) == (0, 0)  # neither read nor mapped: copied
    _same_report(cold, warm)
    assert _quads(tmp_path / "warm") == _quads(tmp_path / "cold")

    # nothing changed: the registry is not even unpickled, the store is left as it is
    unpickles = _Calls(monkeypatch, registry_cache.CacheEntry, "registry")
    again = build(_options(tmp_path, "warm", cache))
    assert (reads.count, maps.count, unpickles.count) == (0, 0, 0)
    assert again.unchanged_records == cold.in_graph and again.records_read == 0
    assert again.triples == cold.triples
    assert _quads(tmp_path / "warm") == _quads(tmp_path / "cold")


def test_a_warm_build_streams_the_same_export(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for name in ("cold", "warm"):
        build(_options(tmp_path, name, cache, out=tmp_path / f"{name}.nt"))
    cold = set((tmp_path / "cold.nt").read_text(encoding="utf-8").splitlines())
    warm = set((tmp_path / "warm.nt").read_text(encoding="utf-8").splitlines())
    assert warm == cold and len(cold) > 1000


def test_a_changed_registry_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(SAMPLE_REGISTRY, registry)
    cache = tmp_path / "cache"
    build(_options(tmp_path, "first", cache, registry=registry))
    reads = _Calls(monkeypatch, registry_cache, "load_registry")

    # touched, same content: read again (its stamp changed), and the same entry serves
    organe = sorted((registry / "organes").glob("*.json"))[0]
    organe.write_bytes(organe.read_bytes())
    build(_options(tmp_path, "touched", cache, registry=registry))
    assert reads.count == 1 and len(list((cache / "registry").iterdir())) == 1
    assert _quads(tmp_path / "touched") == _quads(tmp_path / "first")

    # derived variant: one organe's label changed → a new entry, and the store says the new label
    text = organe.read_text(encoding="utf-8")
    label = text.split('"libelle": "', 1)[1].split('"', 1)[0]
    organe.write_text(
        text.replace(f'"libelle": "{label}"', '"libelle": "Libellé modifié"', 1), encoding="utf-8"
    )
    build(_options(tmp_path, "changed", cache, registry=registry))
    assert reads.count == 2 and len(list((cache / "registry").iterdir())) == 2
    changed = _quads(tmp_path / "changed")
    assert any('"Libellé modifié"' in q for q in changed)
    assert not any('"Libellé modifié"' in q for q in _quads(tmp_path / "first"))

    # into the first store again: its registry graphs are replaced, as without a cache
    build(_options(tmp_path, "first", cache, registry=registry))
    assert _quads(tmp_path / "first") == changed


def _build_in_child(tmp: str, store: str, cache: str) -> int:
    summary = build(_options(Path(tmp), store, Path(cache)))
    return summary.in_graph


def test_concurrent_builds_share_one_cache_safely(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        landed = pool.starmap(_build_in_child, [(str(tmp_path), f"s{i}", str(cache)) for i in range(3)])
    assert len(set(landed)) == 1
    entries = list((cache / "registry").iterdir())
    assert len(entries) == 1
    assert not (cache / "tmp").exists() or not list((cache / "tmp").iterdir())  # no scratch left behind
    warm = build(_options(tmp_path, "warm", cache))
    assert warm.in_graph == landed[0]
    reference = _quads(tmp_path / "s0")
    for name in ("s1", "s2", "warm"):
        assert _quads(tmp_path / name) == reference


def test_cache_info_and_clean(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(_options(tmp_path, "store", cache))
    runner = CliRunner()
    info = runner.invoke(app, ["cache", "info", "--cache-dir", str(cache)])
    assert info.exit_code == 0, info.output
    assert "1 registry" in info.output and "persons" in info.output
    assert RegistryCache(cache).shapes_file().is_file()  # the shapes, kept parsed
    cleaned = runner.invoke(app, ["cache", "clean", "--cache-dir", str(cache)])
    assert cleaned.exit_code == 0, cleaned.output
    assert "freed" in cleaned.output
    assert not (cache / "registry").exists() and not (cache / "index").exists()
    assert not (cache / "shapes").exists()
    assert RegistryCache(cache).info().entries == []
    # the store built before keeps its data (its files were linked, not moved)
    assert len(_quads(tmp_path / "store")) > 1000


def test_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("KG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "hemicycle-kg"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not absolute: ignored, as the XDG rules say
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "hemicycle-kg"


def test_an_unwritable_cache_never_fails_a_build(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    summary = build(_options(tmp_path, "store", blocker / "cache"))
    assert summary.in_graph > 0 and summary.exit_code == 0


def test_shapes_kept_parsed_are_read_back_and_a_bad_file_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's processes read the shapes the cache keeps parsed (each one parsed them: ~0.4 CPU s); a file
    that cannot be read is parsed again and replaced, never an error."""
    from kg.validation import shapes as shapes_module

    kept = tmp_path / "cache" / "shapes" / "digest.pickle"
    monkeypatch.setattr(shapes_module, "_LOADED", {})  # a new process
    parsed = shapes_module.load_shapes(kept=kept)
    assert kept.is_file()
    parses = _Calls(monkeypatch, shapes_module, "_load_shapes")
    monkeypatch.setattr(shapes_module, "_LOADED", {})
    read = shapes_module.load_shapes(kept=kept)
    assert parses.count == 0
    assert read.fast_plan == parsed.fast_plan and read.info == parsed.info and read.version == parsed.version
    assert read.turtle == parsed.turtle and len(read.graph) == len(parsed.graph)
    assert shapes_module.load_shapes() is read  # the same for the rest of the process
    kept.unlink()
    assert shapes_module.load_shapes(kept=kept) is read and kept.is_file()  # kept when first asked to
    kept.write_bytes(b"not a pickle")
    monkeypatch.setattr(shapes_module, "_LOADED", {})
    again = shapes_module.load_shapes(kept=kept)  # parsed anew: its blank nodes are others
    assert parses.count == 1 and _essence(again) == _essence(parsed)
    monkeypatch.setattr(shapes_module, "_LOADED", {})
    assert (
        _essence(shapes_module.load_shapes(kept=kept)) == _essence(parsed) and parses.count == 1
    )  # rewritten


def _essence(shapes: Any) -> dict[str, tuple[object, ...]]:
    return {
        iri: (i.kind, i.message_fr, i.message_en, i.severity, i.path.render() if i.path else None, i.targets)
        for iri, i in shapes.info.items()
    }

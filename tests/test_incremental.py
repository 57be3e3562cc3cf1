"""Rebuilds read only what changed: unchanged files are skipped, changed ones replace their own graphs."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from kg.build.manifest import manifest_path
from kg.build.pipeline import BuildOptions, build
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.store import EmbeddedStore

BASE = "https://w3id.org/hemicycle/"


def _copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    questions = tmp_path / "questions"
    registry = tmp_path / "registry"
    shutil.copytree(SAMPLE_QUESTIONS, questions)
    shutil.copytree(SAMPLE_REGISTRY, registry)
    return questions, registry


def _title(store_dir: Path, uid: str) -> list[str]:
    store = EmbeddedStore(store_dir, read_only=True)
    return [
        row[0].value  # type: ignore[union-attr]
        for row in store.store.query(  # type: ignore[union-attr]
            f"SELECT ?t WHERE {{ GRAPH ?g {{ <{BASE}question/{uid}> <http://purl.org/dc/terms/title> ?t }} }}"
        )
    ]


def test_unchanged_inputs_are_not_read_again(tmp_path: Path) -> None:
    questions, registry = _copy_inputs(tmp_path)
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    first = build(options)
    assert first.records_read == 38 and first.unchanged_files == 0
    assert manifest_path(tmp_path / "store").is_file()
    second = build(options)
    assert second.records_read == 0
    assert second.unchanged_records == 38
    assert second.triples == first.triples
    assert second.exit_code == 0


def test_a_changed_file_is_the_only_one_read_and_replaces_its_graph(tmp_path: Path) -> None:
    questions, registry = _copy_inputs(tmp_path)
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    first = build(options)
    record = questions / "json" / "QANR5L15QE40439.json"
    record.write_text(record.read_text(encoding="utf-8").replace("Health data hub", "HDH"), encoding="utf-8")
    second = build(options)
    assert second.records_read == 1
    assert second.in_graph == 1
    assert second.unchanged_records == 37
    assert _title(tmp_path / "store", "QANR5L15QE40439") == [
        "Désignation d'un nouvel hébergeur des données traitées par le HDH"
    ]
    assert second.triples == first.triples


def test_a_changed_registry_rebuilds_everything(tmp_path: Path) -> None:
    questions, registry = _copy_inputs(tmp_path)
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    build(options)
    organe = registry / "organes" / "PO774113.json"
    organe.write_text(
        organe.read_text(encoding="utf-8").replace("Transition numérique", "Numérique"), "utf-8"
    )
    again = build(options)
    assert again.records_read == 38


def test_full_and_a_lost_store_read_everything(tmp_path: Path) -> None:
    questions, registry = _copy_inputs(tmp_path)
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    build(options)
    full = build(
        BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store", full=True)
    )
    assert full.records_read == 38
    shutil.rmtree(tmp_path / "store")  # the manifest survives, the store does not
    rebuilt = build(options)
    assert rebuilt.records_read == 38
    assert rebuilt.in_graph == 38


def test_files_with_bad_records_are_read_every_time(tmp_path: Path) -> None:
    questions, registry = _copy_inputs(tmp_path)
    (questions / "json" / "broken.json").write_text('{"question": ', encoding="utf-8")
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    build(options)
    again = build(options)
    assert again.records_read == 1  # the broken file, so its quarantine entry is reported again
    assert again.quarantined == 1
    assert again.exit_code == 2


def test_a_file_is_known_by_its_real_path_through_links_and_roots(tmp_path: Path) -> None:
    """The manifest keys a file by its real path: the same folder given through a linked root is not read
    again; a linked file is the file it leads to, so changing that file has it read again."""
    questions, registry = _copy_inputs(tmp_path)
    record = questions / "json" / "QANR5L15QE40439.json"
    moved = questions / "json" / "QANR5L15QE40439.target"  # outside the suffixes: read only through the link
    record.rename(moved)
    record.symlink_to(moved.name)
    options = BuildOptions(sources=(questions,), registries=(registry,), store=tmp_path / "store")
    assert build(options).records_read == 38
    alias = tmp_path / "alias"
    alias.symlink_to(questions, target_is_directory=True)
    again = build(BuildOptions(sources=(alias,), registries=(registry,), store=tmp_path / "store"))
    assert again.records_read == 0 and again.unchanged_records == 38
    moved.write_text(moved.read_text(encoding="utf-8").replace("Health data hub", "HDH"), encoding="utf-8")
    changed = build(options)
    assert changed.records_read == 1 and changed.unchanged_records == 37
    assert _title(tmp_path / "store", "QANR5L15QE40439") == [
        "Désignation d'un nouvel hébergeur des données traitées par le HDH"
    ]


def test_an_archive_member_is_read_again_when_its_content_changes(tmp_path: Path) -> None:
    """Known by the archive's path, member name, size and CRC; a new dump at the same path is opened again
    even within one process (an open archive is kept only while the file is the same)."""
    questions, registry = _copy_inputs(tmp_path)
    archive = tmp_path / "questions.zip"

    def pack(replace: tuple[str, str] = ("", "")) -> None:
        with zipfile.ZipFile(archive, "w") as out:
            for path in sorted((questions / "json").glob("*.json")):
                out.writestr(f"json/{path.name}", path.read_text(encoding="utf-8").replace(*replace))

    pack()
    options = BuildOptions(sources=(archive,), registries=(registry,), store=tmp_path / "store")
    first = build(options)
    assert first.records_read > 0
    assert build(options).records_read == 0
    pack(("Health data hub", "HDH"))  # a new archive: one member's content (and CRC) changed
    assert build(options).records_read == 1

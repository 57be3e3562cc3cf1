"""The bad-input corpus (``tests/bad_inputs``): every case goes through the real ``kg build`` beside good
records, and must give the outcome its manifest entry states.

For every case: the exit code reports the worst outcome (2 unreadable or unparsable input, 1 quarantined by
the shapes, 0 otherwise); each expected error is ONE line on stderr naming the file, the record and the
field, and ONE entry of the quarantine report with the same file, record, field and kind; no traceback;
every good record beside it lands with exactly the facts it has when built alone; the summary accounts for
every record (read = in graph + quarantined); odd-but-legal texts are literals of the graph and of the
written output byte for byte; and whatever the case says must not be there (IRIs an injection tried to
make, files an archive tried to write, content of files an entity tried to read) is not.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildOptions, build
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.store import EmbeddedStore
from tests.bad_inputs.harness import graph_lines, iris, literal_values, question_graph, run_kg, scratch
from tests.bad_inputs.make import MAKERS, Made, Workspace

CORPUS = Path(__file__).parent / "bad_inputs"
MANIFEST: dict[str, Any] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]
GOOD: list[str] = MANIFEST["good"]
GOOD_UIDS = [Path(name).stem for name in GOOD]
SUMMARY = re.compile(r"records read (\d+), in graph (\d+) \(.*?\), quarantined (\d+)")


def case_id(case: dict[str, Any]) -> str:
    return str(case.get("file") or case["make"])


def params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case_id(case),
            marks=[pytest.mark.xfail(reason=case["xfail_reason"], strict=True)]
            if case.get("xfail_reason")
            else [],
        )
        for case in CASES
    ]


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with scratch(tmp_path) as folder:
        yield folder


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    """The good records built alone: the facts of each, which no bad neighbour may change."""
    base = tmp_path_factory.mktemp("reference")
    with scratch(base) as folder:
        batch = folder / "batch"
        batch.mkdir()
        for name in GOOD:
            shutil.copy(SAMPLE_QUESTIONS / name, batch)
        build(BuildOptions(sources=[batch], store=folder / "store", quarantine=folder / "q.jsonl"))
        store = EmbeddedStore(folder / "store", read_only=True).store
        return {uid: graph_lines(store, question_graph(uid)) for uid in GOOD_UIDS}


def test_the_corpus_is_large_and_every_case_is_described() -> None:
    assert len(CASES) >= 40
    files = {case["file"] for case in CASES if "file" in case}
    assert files == {p.name for p in (CORPUS / "files").iterdir()}, "manifest and files/ disagree"
    assert {case["make"] for case in CASES if "make" in case} == set(MAKERS)
    for case in CASES:
        assert case.get("what") and case["exit"] in (0, 1, 2), case_id(case)
        assert case["exit"] == 0 or case.get("errors"), f"{case_id(case)}: a failing case names its errors"


@pytest.mark.parametrize("case", params())
def test_bad_input(case: dict[str, Any], root: Path, reference: dict[str, list[bytes]]) -> None:
    ws = Workspace(batch=root / "batch", registry=root / "registry", outside=root / "outside")
    for folder in (ws.batch, ws.registry, ws.outside):
        folder.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLE_QUESTIONS / name, ws.batch)
    uses_registry = bool(case.get("registry"))
    if uses_registry:
        for name in MANIFEST["good_registry"]:
            shutil.copy(SAMPLE_REGISTRY / name, ws.registry)
    made = MAKERS[case["make"]](ws) if "make" in case else Made()
    if "file" in case:
        shutil.copy(CORPUS / "files" / case["file"], ws.registry if uses_registry else ws.batch)
    before = {name: list(root.parent.glob(name)) for name in case.get("nothing_written", [])}

    store, out, quarantine = (
        root / "store",
        root / "out" / "graph.nq",
        root / "out" / "graph.quarantine.jsonl",
    )
    args = ["build", str(ws.batch), "--store", str(store), "--out", str(out), "--jobs", "1"]
    if uses_registry:
        args += ["--registry", str(ws.registry)]
    timeout = case.get("timeout_s")
    run = run_kg(args, child=timeout is not None, unprivileged=made.unprivileged, timeout=timeout)

    # no traceback, the exit code of the worst outcome
    assert run.traceback is None, run.traceback
    assert "Traceback" not in run.output
    assert run.exit_code == case["exit"], run.output
    lines = run.output.splitlines()

    # every record accounted for
    summary = SUMMARY.search(run.output)
    assert summary is not None, run.output
    read, in_graph, quarantined = (int(n) for n in summary.groups())
    assert read == in_graph + quarantined, summary.group()

    # each expected error: one line on stderr and one entry of the quarantine report
    entries = [json.loads(line) for line in quarantine.read_text(encoding="utf-8").splitlines()]
    unmatched = list(entries)
    bad_file = case.get("file")
    for expected in case.get("errors", []):
        file = expected["file"] or bad_file
        record, field, message = expected["record"], expected["field"], expected["message"]
        entry = next(
            (
                e
                for e in unmatched
                if e["file"].split("#", 1)[0] == file  # a duplicate names its record file#pointer
                and record in (e["uid"], e["pointer"])
                and e["field"] == field
                and e["kind"] == expected["kind"]
                and message in e["message"]
            ),
            None,
        )
        assert entry is not None, f"no quarantine entry for {expected} in {unmatched}"
        unmatched.remove(entry)
        assert any(
            line.startswith("error: ")
            and file in line
            and (record is None or f"[{record}]" in line)
            and (field is None or field in line)
            and message in line
            for line in lines
        ), f"no one-line error for {expected}:\n{run.output}"
    leftover = [e for e in unmatched if e["kind"] != "shacl" or not case.get("errors")]
    assert not leftover, f"unexpected quarantine entries: {leftover}"

    for expected in case.get("warnings", []):
        assert any(
            line.startswith("warning: ")
            and (bad_file is None or bad_file in line)
            and (expected["record"] is None or f"[{expected['record']}]" in line)
            and (expected["field"] is None or expected["field"] in line)
            and expected["message"] in line
            for line in lines
        ), f"no warning for {expected}:\n{run.output}"

    # the store opens and holds every good record, exactly as built alone
    embedded = EmbeddedStore(store, read_only=True).store
    assert embedded.query("ASK { GRAPH ?g { ?s ?p ?o } }")
    for uid in GOOD_UIDS:
        assert graph_lines(embedded, question_graph(uid)) == reference[uid], (
            f"{uid} changed beside {case_id(case)}"
        )
    for uid in case.get("landed", []):
        assert embedded.contains_named_graph(question_graph(uid)), f"{uid} did not land"
    for uid in case.get("not_landed", []):
        assert not embedded.contains_named_graph(question_graph(uid)), f"{uid} landed"

    # odd but legal texts: literals of the graph and of the output, byte for byte
    everything = list(embedded.quads_for_pattern(None, None, None, None))
    written = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    values, written_values = literal_values(everything), literal_values(written)
    for text in _roundtrip_texts(case, made, ws):
        assert text in values, f"not in the graph byte for byte: {text[:80]!r}…"
        assert text in written_values, f"not in the output byte for byte: {text[:80]!r}…"

    # nothing let in
    if prefix := case.get("absent_iri_prefix"):
        assert not [iri for iri in iris(everything) if iri.startswith(prefix)]
    for value in case.get("absent_values", []):
        assert value not in values
    for fragment in case.get("absent_substrings", []):
        assert not [v for v in values if fragment in v]
    for iri in case.get("present_iris", []):
        assert any(True for _ in embedded.quads_for_pattern(ox.NamedNode(iri), None, None, None)), iri
    for name, found in before.items():
        assert list(root.parent.glob(name)) == found, f"{name} was written outside the input"
        assert not list(root.rglob(name)), f"{name} was written"


def _roundtrip_texts(case: dict[str, Any], made: Made, ws: Workspace) -> list[str]:
    texts = [text for _, text in made.roundtrip]
    for item in case.get("roundtrip", []):
        if "value" in item:
            texts.append(item["value"])
            continue
        value: Any = json.loads((ws.batch / case["file"]).read_bytes())["question"]
        for key in item["path"]:
            value = value[key]
        texts.append(value)
    return texts

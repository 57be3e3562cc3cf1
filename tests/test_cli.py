"""The command line as a user types it: real files, a real store, the exit codes of the README."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import __version__
from kg.cli import app
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_build_sample_exits_0_and_writes_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out" / "hemicycle.ttl"
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "store"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    assert (tmp_path / "out" / "hemicycle.quarantine.jsonl").read_text() == ""
    assert "records read 38, in graph 38" in result.output
    assert not list(out.parent.glob(".*.tmp")), "temporary files left behind"


def _mixed_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_QUESTIONS / "json", batch)
    (batch / "broken.json").write_text('{"question": {"uid": "QANR5L15QE1", ', encoding="utf-8")
    record = json.loads((batch / "QANR5L15QE40439.json").read_text(encoding="utf-8"))
    record["question"]["uid"] = "QANR5L15QE99999"
    record["question"]["identifiant"]["numero"] = "99999"
    record["question"]["textesQuestion"]["texteQuestion"]["infoJO"]["dateJO"] = "31/02/2021"
    (batch / "baddate.json").write_text(json.dumps(record), encoding="utf-8")
    return batch


def test_bad_records_are_quarantined_and_good_ones_land(tmp_path: Path) -> None:
    batch = _mixed_batch(tmp_path)
    good = len(list((SAMPLE_QUESTIONS / "json").glob("*.json")))
    result = runner.invoke(
        app,
        ["build", str(batch), "--registry", str(SAMPLE_REGISTRY), "--store", str(tmp_path / "s"),
         "--out", str(tmp_path / "o" / "g.nt")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"records read {good + 2}, in graph {good}" in result.output
    assert "quarantined 2" in result.output
    lines = [json.loads(line) for line in (tmp_path / "o" / "g.quarantine.jsonl").read_text().splitlines()]
    by_file = {entry["file"]: entry for entry in lines}
    assert set(by_file) == {"broken.json", "baddate.json"}
    assert by_file["baddate.json"]["uid"] == "QANR5L15QE99999"
    assert "dateJO" in by_file["baddate.json"]["field"]
    assert "31/02/2021" in by_file["baddate.json"]["message"]
    # one line per error on stderr, no traceback
    assert "Traceback" not in result.output
    assert any(line.startswith("error: baddate.json") for line in result.output.splitlines())


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tmp_path / "nope"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "nope" in result.output and "no such file or folder" in result.output


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "s"), "--format", "rdfxml"])
    assert result.exit_code == 2
    assert "unknown format" in result.output


def test_bad_base_iri_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "s"), "--base", "nope"])
    assert result.exit_code == 2
    assert "base IRI" in result.output


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    assert runner.invoke(app, ["build", "--store", str(store), "-q"]).exit_code == 0
    return store


@pytest.mark.parametrize(("fmt", "marker"), [("ttl", b"@prefix"), ("nt", b"> ."), ("nq", b"graph/question/"),
                                             ("trig", b"GRAPH"), ("jsonld", b"@id")])  # fmt: skip
def test_export_every_format(built_store: Path, tmp_path: Path, fmt: str, marker: bytes) -> None:
    store = built_store
    out = tmp_path / f"g.{fmt}"
    result = runner.invoke(app, ["export", "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert marker in data or (fmt == "trig" and b"{" in data)


def test_export_of_a_missing_store_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "x.ttl")]
    )
    assert result.exit_code == 2
    assert "no store" in result.output


def test_installed_console_script_runs(tmp_path: Path) -> None:
    """The `kg` entry point a user types (not CliRunner): data on stdout, summary on stderr."""
    kg = Path(sys.executable).with_name("kg")
    done = subprocess.run(
        [str(kg), "build", "--store", str(tmp_path / "s"), "--out", "-", "--format", "nt", "-q"],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(b"\n") > 1000
    assert b"records read 38" in done.stderr
